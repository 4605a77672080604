package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * Issue 14, points 4 and 6, against the real bin/instance: hundreds of stalled request bodies sent
 * with the agent password neither stop the instance answering others nor stay open past the HTTP
 * idle timeout; and the data folder and what the instance writes into it are owner-only.
 */
public class LimitsIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(240);

    private static final int STALLED = 300;
    private static final int IDLE_TIMEOUT_SECONDS = 5;
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    @Test
    public void stalledBodiesAreCutOffAndOthersAreStillServedAndDataIsOwnerOnly() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = TestFolders.temporary("midway-limits");
        Path data = work.resolve("i");
        // A data folder open to everyone, as an older version or a careless mkdir left it.
        Files.createDirectories(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = Ports.free();
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", Map.of("MIDWAY_HTTP_PORT", Integer.toString(port),
                "MIDWAY_DATA", data.toString(), "MIDWAY_ADMIN_PASSWORD", "limits-admin",
                "MIDWAY_AGENT_PASSWORD", "limits-agent", "MIDWAY_HTTP_IDLE_TIMEOUT", Integer.toString(IDLE_TIMEOUT_SECONDS)),
                work.resolve("instance.log"), false)) {
            String base = "http://127.0.0.1:" + port;
            Http anonymous = new Http(base, null, null);
            Http admin = new Http(base, "admin", "limits-admin");
            Http shared = new Http(base, "mid", "limits-agent");
            // While it starts, an API client meets a closed port or 503 (Retry-After): never the API's
            // own 404 for a part still being set up. The HTTP server bundle starts last, yet Felix HTTP
            // opens its port a moment before it maps the first servlet: a request in that moment gets
            // the server's bare HTML 404, before any servlet answers; that is the only 404 allowed.
            java.util.List<String> seen = new java.util.ArrayList<>();
            Wait.until(Duration.ofSeconds(90), "the instance", () -> {
                java.net.http.HttpResponse<String> r = anonymous.get("/api/mid/instance_info");
                String answer = r.statusCode() + (r.body().startsWith("{") ? " json" : " page");
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(answer)) {
                    seen.add(answer);
                }
                return r.statusCode() == 200;
            }, instance);
            java.util.List<String> afterTheServer = seen.isEmpty() || !seen.get(0).equals("404 page") ? seen
                    : seen.subList(1, seen.size());
            assertTrue("answers while starting: " + seen, afterTheServer.stream()
                    .allMatch(a -> a.equals("503 json") || a.equals("200 json")));
            // The shared password enrolls the agent; the attacker below holds that agent's own password.
            java.net.http.HttpResponse<String> enrolled = shared.send("POST", "/api/mid/agents/register",
                    "{\"name\":\"limits-agent\",\"version\":\"0.1.0\",\"host_name\":\"h\",\"ip_address\":\"127.0.0.1\",\"capabilities\":[]}");
            assertEquals(enrolled.body(), 201, enrolled.statusCode());
            com.fasterxml.jackson.databind.JsonNode identity = Http.parse(enrolled).path("identity");
            String agentUser = identity.path("user_name").asText();
            String agentPassword = identity.path("password").asText();
            Http agent = new Http(base, agentUser, agentPassword);
            // As in real life, each of them has been talking to the instance before the attack (its
            // login checked once and remembered, the code paths warm).
            assertEquals(200, agent.get("/api/mid/ecc/poll?agent=limits-agent&wait_ms=0").statusCode());
            assertEquals(200, admin.get("/api/now/table/ecc_agent?sysparm_limit=5").statusCode());

            // Owner-only data (point 6): the folder was closed at start, and said so once.
            assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(data));
            assertTrue(instance.output(), instance.output().contains("made owner-only"));
            for (Path file : List.of(data.resolve("db/instance.mv.db"), data.resolve("instance.log"),
                    data.resolve("credentials.key"), data.resolve("db"), data.resolve("cache"))) {
                assertOwnerOnly(file);
            }

            // Hundreds of stalled bodies with valid agent credentials, from another loopback address
            // (the attacker), each: headers, a Content-Length of 1000, then 5 bytes and nothing more.
            String auth = "Basic " + Base64.getEncoder().encodeToString((agentUser + ":" + agentPassword)
                    .getBytes(StandardCharsets.UTF_8));
            byte[] head = ("POST /api/mid/ecc/input HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + auth
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"rec").getBytes(StandardCharsets.US_ASCII);
            List<Socket> stalled = new ArrayList<>();
            ExecutorService readers = Executors.newFixedThreadPool(32);
            try {
                long opened = System.nanoTime();
                for (int i = 0; i < STALLED; i++) {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress("127.0.0.2", 0));
                    s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
                    OutputStream out = s.getOutputStream();
                    out.write(head);
                    out.flush();
                    stalled.add(s);
                }
                Thread.sleep(500);

                // Others are still served, within a second each.
                assertAnsweredWithinASecond(200, () -> anonymous.get("/api/mid/instance_info").statusCode());
                assertAnsweredWithinASecond(200, () -> admin.get("/api/now/table/ecc_agent?sysparm_limit=5").statusCode());
                assertAnsweredWithinASecond(200, () -> agent.get("/api/mid/ecc/poll?agent=limits-agent&wait_ms=0").statusCode());

                // Every stalled connection is answered (429 at once, or 408 when cut off) and closed by
                // the server within the idle timeout (plus a margin for a loaded machine).
                List<Future<String>> ends = new ArrayList<>();
                for (Socket s : stalled) {
                    ends.add(readers.submit(() -> readUntilClosed(s, Duration.ofSeconds(IDLE_TIMEOUT_SECONDS + 25))));
                }
                int tooMany = 0;
                int timedOut = 0;
                for (Future<String> end : ends) {
                    String status = end.get(60, TimeUnit.SECONDS);
                    assertTrue("a stalled connection was not closed by the server: " + status, !status.startsWith("open"));
                    if (status.startsWith("HTTP/1.1 429")) {
                        tooMany++;
                    } else if (status.startsWith("HTTP/1.1 408")) {
                        timedOut++;
                    } else {
                        throw new AssertionError("unexpected answer to a stalled body: " + status);
                    }
                }
                double seconds = (System.nanoTime() - opened) / 1e9;
                assertTrue("closed after " + seconds + " s", seconds < IDLE_TIMEOUT_SECONDS + 30);
                assertTrue("one caller holds a bounded number of requests: " + timedOut + " held", timedOut <= 96);
                assertEquals(STALLED, tooMany + timedOut);
                assertTrue("the per-caller limit refused the rest: " + tooMany, tooMany >= STALLED - 96);
            } finally {
                readers.shutdownNow();
                for (Socket s : stalled) {
                    s.close();
                }
            }
            // Still serving afterwards.
            assertAnsweredWithinASecond(200, () -> anonymous.get("/api/mid/instance_info").statusCode());

            // An agent's data (log, spool, keys) is owner-only too.
            Path agentData = work.resolve("a");
            try (MidwayProcess agentProcess = MidwayProcess.start(dist, "agent", Map.of("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()),
                    "MIDWAY_DATA", agentData.toString(), "MIDWAY_INSTANCE_URL", base, "MIDWAY_AGENT_NAME", "limits-agent-2",
                    "MIDWAY_AGENT_PASSWORD", "limits-agent"), work.resolve("agent.log"), false)) {
                Wait.until(Duration.ofSeconds(90), "limits-agent-2 Up", () -> {
                    var r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=limits-agent-2").path("result");
                    return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
                }, instance, agentProcess);
                assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(agentData));
                for (Path file : List.of(agentData.resolve("agent.log"), agentData.resolve("spool"), agentData.resolve("cache"))) {
                    assertOwnerOnly(file);
                }
            }
        }
    }

    private static void assertOwnerOnly(Path file) throws IOException {
        Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        open.addAll(Files.getPosixFilePermissions(file));
        open.retainAll(GROUP_OR_OTHERS);
        assertTrue(file + " is open to others: " + open, open.isEmpty());
    }

    private interface Call {
        int status() throws Exception;
    }

    private static void assertAnsweredWithinASecond(int expected, Call call) throws Exception {
        long start = System.nanoTime();
        int status = call.status();
        double ms = (System.nanoTime() - start) / 1e6;
        assertEquals(expected, status);
        assertTrue("answered after " + ms + " ms", ms < 1000);
    }

    /** @return the status line the server sent, or "open" when it did not close the connection in time */
    private static String readUntilClosed(Socket s, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        s.setSoTimeout(500);
        StringBuilder got = new StringBuilder();
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return firstLine(got);
                }
                got.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            } catch (SocketTimeoutException e) {
                // not yet
            } catch (java.net.SocketException e) {
                return firstLine(got) + " (reset)";
            }
        }
        return "open: " + firstLine(got);
    }

    private static String firstLine(StringBuilder got) {
        int end = got.indexOf("\r\n");
        return end < 0 ? got.toString() : got.substring(0, end);
    }
}
