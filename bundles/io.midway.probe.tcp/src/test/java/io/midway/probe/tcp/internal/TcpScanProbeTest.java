package io.midway.probe.tcp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.After;
import org.junit.Test;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;

public class TcpScanProbeTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @After
    public void tearDown() throws Exception {
        executor.shutdownNow();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static TcpScanProbe probe(int parallel) {
        return new TcpScanProbe(new TcpScanProbe.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return TcpScanProbe.Config.class;
            }

            @Override
            public int max_parallel_connects() {
                return parallel;
            }
        });
    }

    private static ProbeRequest request(Map<String, Object> payload) {
        return request("", payload);
    }

    private static ProbeRequest request(String source, Map<String, Object> payload) {
        return new ProbeRequest("0123456789abcdef0123456789abcdef", TcpScanProbe.TOPIC, "", source, payload);
    }

    private static Map<String, Object> payload(Object host, Object ports) {
        Map<String, Object> payload = new HashMap<>();
        if (host != null) {
            payload.put("host", host);
        }
        if (ports != null) {
            payload.put("ports", ports);
        }
        return payload;
    }

    /** A listening socket on 127.0.0.1 that never accepts: connections wait in its queue. */
    private ServerSocket listening(int backlog) throws IOException {
        ServerSocket server = new ServerSocket(0, backlog, LOOPBACK);
        toClose.add(server);
        return server;
    }

    /** A port on 127.0.0.1 that was bound and closed again, so nothing listens on it. */
    private static int closedPort() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            return server.getLocalPort();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> hosts(Map<String, Object> result) {
        return (List<Map<String, Object>>) result.get("hosts");
    }

    private static String messageOf(Map<String, Object> payload) {
        return messageOf(request(payload));
    }

    private static String messageOf(ProbeRequest request) {
        ProbeException e = assertThrows(ProbeException.class, () -> probe(64).run(request));
        assertTrue("a message for the operator", e.getMessage() != null && !e.getMessage().isBlank());
        return e.getMessage();
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("expected <" + part + "> in: " + text, text.contains(part));
        }
    }

    /**
     * A listening socket whose accept queue is full, so that the kernel drops new SYNs and a
     * connect attempt hangs until its timeout (Linux behaviour). Fails, saying so, where it is not so.
     */
    private ServerSocket fullBacklog() throws IOException {
        ServerSocket server = listening(1);
        for (int i = 0; i < 8; i++) {
            Socket client = new Socket();
            toClose.add(client);
            try {
                client.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 300);
            } catch (SocketTimeoutException e) {
                return server;
            }
        }
        throw new AssertionError("this test needs a connect that hangs, on loopback: Linux leaves a connect to a listener "
                + "whose accept queue is full unanswered (it drops the SYN), but here 8 connects to 127.0.0.1:"
                + server.getLocalPort() + " (backlog 1) all completed within 300 ms each. Run the tests on Linux.");
    }

    // ---------------------------------------------------------------- scanning

    @Test
    public void listeningPortIsOpenAndClosedPortIsClosed() throws Exception {
        ServerSocket server = listening(50);
        int open = server.getLocalPort();
        int closed = closedPort();

        Map<String, Object> result = probe(64).run(request(payload("127.0.0.1", List.of(closed, open)))).payload();

        List<Map<String, Object>> hosts = hosts(result);
        assertEquals(1, hosts.size());
        assertEquals("127.0.0.1", hosts.get(0).get("host"));
        assertEquals(List.of(open), hosts.get(0).get("open"));
        assertEquals(List.of(closed), hosts.get(0).get("closed"));
        assertFalse("no name for an address", hosts.get(0).containsKey("name"));
    }

    @Test
    public void cidrSlash30ScansTheTwoHostAddressesInOrder() throws Exception {
        ServerSocket server = listening(50); // bound to 127.0.0.1 only
        int open = server.getLocalPort();
        int closed = closedPort();

        Map<String, Object> result = probe(64).run(request(payload("127.0.0.0/30", List.of(open, closed)))).payload();

        List<Map<String, Object>> hosts = hosts(result);
        assertEquals(List.of("127.0.0.1", "127.0.0.2"), hosts.stream().map(h -> h.get("host")).collect(Collectors.toList()));
        assertEquals(List.of(open), hosts.get(0).get("open"));
        assertEquals(List.of(closed), hosts.get(0).get("closed"));
        assertEquals(List.of(), hosts.get(1).get("open"));
        assertEquals(sorted(open, closed), hosts.get(1).get("closed"));
    }

    @Test
    public void cidrSlash32ScansTheOneAddress() throws Exception {
        int open = listening(50).getLocalPort();
        List<Map<String, Object>> hosts = hosts(probe(64).run(request(payload("127.0.0.1/32", List.of(open)))).payload());
        assertEquals(1, hosts.size());
        assertEquals("127.0.0.1", hosts.get(0).get("host"));
        assertEquals(List.of(open), hosts.get(0).get("open"));
    }

    @Test
    public void portsAreDeduplicatedAndAscendingAndManyRunThroughASmallBound() throws Exception {
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            open.add(listening(50).getLocalPort());
        }
        List<Integer> closed = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            closed.add(closedPort());
        }
        closed.removeAll(open);
        List<Object> ports = new ArrayList<>();
        ports.addAll(closed);
        ports.addAll(open);
        ports.addAll(open); // duplicates
        ports.add(Double.valueOf(open.get(0))); // 8080.0 is a whole number too
        java.util.Collections.shuffle(ports);

        List<Map<String, Object>> hosts = hosts(probe(4).run(request(payload("127.0.0.1", ports))).payload());

        assertEquals(open.stream().sorted().collect(Collectors.toList()), hosts.get(0).get("open"));
        assertEquals(closed.stream().distinct().sorted().collect(Collectors.toList()), hosts.get(0).get("closed"));
    }

    @Test
    public void hostNameIsResolvedAndReported() throws Exception {
        int open = listening(50).getLocalPort();
        List<Map<String, Object>> hosts = hosts(probe(64).run(request(payload("localhost", List.of(open)))).payload());
        assertEquals(1, hosts.size());
        assertEquals("localhost", hosts.get(0).get("name"));
        assertEquals(List.of(open), hosts.get(0).get("open"));
        assertTrue("localhost is loopback: " + hosts.get(0), ((String) hosts.get(0).get("host")).startsWith("127."));
    }

    @Test
    public void missingHostFallsBackToTheRecordSource() throws Exception {
        int open = listening(50).getLocalPort();
        List<Map<String, Object>> hosts = hosts(probe(64).run(request("127.0.0.1", payload(null, List.of(open)))).payload());
        assertEquals("127.0.0.1", hosts.get(0).get("host"));
        assertEquals(List.of(open), hosts.get(0).get("open"));
    }

    @Test
    public void unansweredConnectTimesOutAsClosed() throws Exception {
        int hanging = fullBacklog().getLocalPort();
        Map<String, Object> payload = payload("127.0.0.1", List.of(hanging));
        payload.put("timeout_ms", 200);

        long start = System.nanoTime();
        List<Map<String, Object>> hosts = hosts(probe(64).run(request(payload)).payload());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(List.of(hanging), hosts.get(0).get("closed"));
        assertTrue("took " + millis + " ms", millis >= 150 && millis < 5_000);
    }

    @Test
    public void parallelAttemptsAreBounded() throws Exception {
        InetSocketAddress hanging = new InetSocketAddress(LOOPBACK, fullBacklog().getLocalPort());
        List<InetSocketAddress> endpoints = java.util.Collections.nCopies(3, hanging);

        long start = System.nanoTime();
        boolean[] open = new PortScanner(1).scan(endpoints, 200);
        long oneAtATime = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("one at a time, three 200 ms timeouts take at least 600 ms, took " + oneAtATime, oneAtATime >= 590);
        assertFalse(open[0] || open[1] || open[2]);

        List<InetSocketAddress> many = java.util.Collections.nCopies(20, hanging);
        start = System.nanoTime();
        new PortScanner(64).scan(many, 200);
        long together = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("twenty 200 ms timeouts in parallel should not take 4 s, took " + together, together < 2_000);
    }

    @Test
    public void interruptionStopsAHangingScanPromptly() throws Exception {
        int hanging = fullBacklog().getLocalPort();
        Map<String, Object> payload = payload("127.0.0.1", List.of(hanging));
        payload.put("timeout_ms", 60_000);
        TcpScanProbe probe = probe(64);
        Thread caller = Thread.currentThread();
        Future<?> interrupter = executor.submit(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!selecting(caller) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            caller.interrupt();
        });
        long start = System.nanoTime();
        try {
            probe.run(request(payload));
            fail("expected InterruptedException");
        } catch (InterruptedException expected) {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue("took " + millis + " ms", millis < 5_000);
        } finally {
            interrupter.get(5, TimeUnit.SECONDS);
            Thread.interrupted();
        }
    }

    @Test
    public void alreadyInterruptedThreadDoesNotScan() throws Exception {
        int open = listening(50).getLocalPort();
        Thread.currentThread().interrupt();
        try {
            probe(64).run(request(payload("127.0.0.1", List.of(open))));
            fail("expected InterruptedException");
        } catch (InterruptedException expected) {
            // the scan stopped before connecting
        } finally {
            Thread.interrupted();
        }
    }

    private static boolean selecting(Thread thread) {
        if (thread == null) {
            return false;
        }
        return Arrays.stream(thread.getStackTrace()).anyMatch(frame -> frame.getMethodName().startsWith("select")
                && frame.getClassName().contains("Selector"));
    }

    private static List<Integer> sorted(int... ports) {
        return IntStream.of(ports).sorted().boxed().collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- bad input

    @Test
    public void noHostAndNoSource() {
        assertContains(messageOf(payload(null, List.of(22))), "No host", "'host'", "'source'", "IPv4 address", "host name", "CIDR");
        assertContains(messageOf(payload("  ", List.of(22))), "No host");
    }

    @Test
    public void hostOfTheWrongType() {
        assertContains(messageOf(payload(12, List.of(22))), "payload.host must be a string", "IPv4 address");
    }

    @Test
    public void badCidr() {
        assertContains(messageOf(payload("127.0.0.0/33", List.of(22))), "127.0.0.0/33", "prefix", "32");
        assertContains(messageOf(payload("127.0.0/24", List.of(22))), "127.0.0/24", "not a valid CIDR block", "four numbers");
        assertContains(messageOf(payload("127.0.0.0/abc", List.of(22))), "prefix length 'abc'", "24 to 32");
    }

    @Test
    public void cidrPrefixBelow24() {
        assertContains(messageOf(payload("127.0.0.0/16", List.of(22))), "127.0.0.0/16", "too large", "65536 addresses", "/24 to /32");
    }

    @Test
    public void ipv6() {
        assertContains(messageOf(payload("::1", List.of(22))), "IPv6 is not supported", "'::1'", "IPv4 address");
        assertContains(messageOf(payload("fd00::/120", List.of(22))), "IPv6 is not supported");
        assertContains(messageOf(request("::1", payload(null, List.of(22)))), "IPv6 is not supported", "record source");
    }

    @Test
    public void badAddress() {
        assertContains(messageOf(payload("127.0.0.256", List.of(22))), "'127.0.0.256' is not an IPv4 address", "256 is larger than 255");
        assertContains(messageOf(payload("127.1", List.of(22))), "'127.1' is not an IPv4 address");
    }

    @Test
    public void badHostName() {
        assertContains(messageOf(payload("db01;rm -rf", List.of(22))), "not a valid host name");
    }

    @Test
    public void unknownHost() {
        // .invalid is reserved (RFC 6761): it never resolves
        assertContains(messageOf(payload("no-such-host.invalid", List.of(22))), "Unknown host 'no-such-host.invalid'", "IPv4 address");
    }

    @Test
    public void portZeroAndPortAbove65535() {
        assertContains(messageOf(payload("127.0.0.1", List.of(22, 0))), "payload.ports[1] is the number 0", "from 1 to 65535");
        assertContains(messageOf(payload("127.0.0.1", List.of(70000))), "payload.ports[0] is the number 70000", "from 1 to 65535");
        assertContains(messageOf(payload("127.0.0.1", List.of(-5))), "payload.ports[0] is the number -5");
        assertContains(messageOf(payload("127.0.0.1", List.of(22.5))), "payload.ports[0] is the number 22.5");
        assertContains(messageOf(payload("127.0.0.1", List.of("22"))), "payload.ports[0] is the string \"22\"");
    }

    @Test
    public void portsNotAList() {
        assertContains(messageOf(payload("127.0.0.1", 22)), "payload.ports must be a list, not the number 22", "e.g. [22, 443]");
        assertContains(messageOf(payload("127.0.0.1", "22,80")), "payload.ports must be a list, not the string \"22,80\"");
        assertContains(messageOf(payload("127.0.0.1", Map.of("a", 1))), "must be a list, not an object");
    }

    @Test
    public void portsMissingEmptyOrTooMany() {
        assertContains(messageOf(payload("127.0.0.1", null)), "payload.ports is missing");
        assertContains(messageOf(payload("127.0.0.1", List.of())), "payload.ports is empty");
        List<Integer> many = IntStream.rangeClosed(1, 1025).boxed().collect(Collectors.toList());
        assertContains(messageOf(payload("127.0.0.1", many)), "has 1025 entries", "at most 1024");
    }

    @Test
    public void badTimeout() {
        for (Object bad : new Object[] {0, 60_001, "500", 1.5}) {
            Map<String, Object> payload = payload("127.0.0.1", List.of(22));
            payload.put("timeout_ms", bad);
            assertContains(messageOf(payload), "payload.timeout_ms", "from 1 to 60000");
        }
    }

    @Test
    public void validationHappensBeforeAnyConnect() throws Exception {
        // a valid host with one bad port: nothing is scanned, the whole record is an error
        int open = listening(50).getLocalPort();
        try {
            probe(64).run(request(payload("127.0.0.1", List.of(open, 0))));
            fail("expected ProbeException");
        } catch (ProbeException expected) {
            assertContains(expected.getMessage(), "payload.ports[1]");
        }
    }
}
