package io.midway.protocol.http.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLException;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.midway.protocol.http.HttpCall;
import io.midway.protocol.http.HttpExchange;

public class JdkHttpProtocolTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static Path dir;
    private static ServerCertificate loopbackCertificate;
    private static ServerCertificate otherNameCertificate;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<JdkHttpProtocol> protocols = new ArrayList<>();

    @BeforeClass
    public static void certificates() throws Exception {
        dir = Files.createTempDirectory("midway-http-test");
        loopbackCertificate = ServerCertificate.make(dir, "loopback", "ip:127.0.0.1");
        otherNameCertificate = ServerCertificate.make(dir, "other", "dns:server.example.invalid");
    }

    @AfterClass
    public static void removeCertificates() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    @After
    public void tearDown() throws Exception {
        protocols.forEach(JdkHttpProtocol::deactivate);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    static HttpProtocolConfiguration config(String trustStore, String password, int connectTimeoutMs) {
        return new HttpProtocolConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HttpProtocolConfiguration.class;
            }

            @Override
            public String truststore_path() {
                return trustStore;
            }

            @Override
            public String truststore_password() {
                return password;
            }

            @Override
            public int connect_timeout_ms() {
                return connectTimeoutMs;
            }
        };
    }

    private JdkHttpProtocol protocol() {
        return protocol("", "");
    }

    private JdkHttpProtocol protocol(String trustStore, String password) {
        JdkHttpProtocol protocol = new JdkHttpProtocol(config(trustStore, password, 10000));
        protocols.add(protocol);
        return protocol;
    }

    private LoopbackServer server() throws IOException {
        LoopbackServer server = LoopbackServer.http();
        toClose.add(server);
        return server;
    }

    private LoopbackServer httpsServer(ServerCertificate certificate) throws Exception {
        LoopbackServer server = LoopbackServer.https(certificate.serverContext()).on("/", e -> LoopbackServer.answer(e, 200, "text/plain", "secure"));
        toClose.add(server);
        return server;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("expected <" + part + "> in: " + text, text != null && text.contains(part));
        }
    }

    // ---------------------------------------------------------------- plain HTTP

    @Test
    public void getSendsHeadersAndReadsStatusHeadersAndBody() throws Exception {
        AtomicReference<String> seenAccept = new AtomicReference<>();
        AtomicReference<List<String>> seenMulti = new AtomicReference<>();
        LoopbackServer server = server().on("/hello", e -> {
            seenAccept.set(e.getRequestHeaders().getFirst("Accept"));
            seenMulti.set(e.getRequestHeaders().get("X-Multi"));
            e.getResponseHeaders().add("X-Answer", "42");
            LoopbackServer.answer(e, 200, "text/plain; charset=utf-8", "hello \u00e9");
        });

        HttpExchange exchange = protocol().send(HttpCall.to(server.uri("/hello"))
                .header("Accept", "text/plain").header("X-Multi", "a").header("x-multi", "b").build());

        assertEquals(200, exchange.status());
        assertEquals("hello \u00e9", new String(exchange.body(), StandardCharsets.UTF_8));
        assertFalse(exchange.truncated());
        assertEquals("42", exchange.firstHeader("x-answer").orElseThrow());
        assertEquals("text/plain", seenAccept.get());
        assertEquals(List.of("a", "b"), seenMulti.get());
    }

    @Test
    public void postSendsTheBody() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        LoopbackServer server = server().on("/items", e -> {
            seen.set(e.getRequestMethod() + " " + new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            LoopbackServer.answer(e, 201, "application/json", "{\"id\":7}");
        });

        HttpExchange exchange = protocol().send(HttpCall.to(server.uri("/items")).method("POST")
                .header("Content-Type", "application/json").body("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8)).build());

        assertEquals(201, exchange.status());
        assertEquals("POST {\"name\":\"x\"}", seen.get());
        assertEquals("{\"id\":7}", new String(exchange.body(), StandardCharsets.UTF_8));
    }

    @Test
    public void basicAndBearerAuthorizationReachTheServer() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        LoopbackServer server = server().on("/", e -> {
            seen.set(e.getRequestHeaders().getFirst("Authorization"));
            LoopbackServer.answer(e, 200, null, new byte[0]);
        });
        JdkHttpProtocol protocol = protocol();

        protocol.send(HttpCall.to(server.uri("/")).basicAuth("scott", "t\u00efger:pw").build());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("scott:t\u00efger:pw".getBytes(StandardCharsets.UTF_8)), seen.get());

        protocol.send(HttpCall.to(server.uri("/")).bearerToken("tok-123").build());
        assertEquals("Bearer tok-123", seen.get());
    }

    @Test
    public void errorStatusesAreAnswersAndRedirectsAreNotFollowed() throws Exception {
        LoopbackServer server = server()
                .on("/missing", e -> LoopbackServer.answer(e, 404, "text/plain", "not here"))
                .on("/moved", e -> {
                    e.getResponseHeaders().add("Location", "/elsewhere");
                    LoopbackServer.answer(e, 302, null, new byte[0]);
                });

        HttpExchange missing = protocol().send(HttpCall.to(server.uri("/missing")).build());
        assertEquals(404, missing.status());
        assertEquals("not here", new String(missing.body(), StandardCharsets.UTF_8));

        HttpExchange moved = protocol().send(HttpCall.to(server.uri("/moved")).build());
        assertEquals(302, moved.status());
        assertEquals("/elsewhere", moved.firstHeader("Location").orElseThrow());
    }

    @Test
    public void refusedConnectionSaysSo() throws Exception {
        int port = closedPort();
        ConnectException e = assertThrows(ConnectException.class,
                () -> protocol().send(HttpCall.to(URI.create("http://127.0.0.1:" + port + "/x?secret=1")).build()));
        assertEquals("cannot connect to http://127.0.0.1:" + port + "/x: Connection refused", e.getMessage());
    }

    @Test
    public void serverThatNeverAnswersTimesOut() throws Exception {
        LoopbackServer server = server();
        server.on("/", server.neverAnswering());
        long start = System.nanoTime();
        HttpTimeoutException e = assertThrows(HttpTimeoutException.class,
                () -> protocol().send(HttpCall.to(server.uri("/")).timeout(Duration.ofMillis(500)).build()));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("no answer from " + server.uri("/") + " within 500 ms", e.getMessage());
        assertTrue("took " + tookMs + " ms", tookMs >= 450 && tookMs < 5000);
    }

    @Test
    public void timeoutCoversABodyThatStalls() throws Exception {
        LoopbackServer server = server();
        server.on("/", e -> {
            e.sendResponseHeaders(200, 0); // chunked
            OutputStream out = e.getResponseBody();
            out.write(new byte[100]);
            out.flush();
            try {
                server.closing.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            e.close();
        });
        HttpTimeoutException e = assertThrows(HttpTimeoutException.class,
                () -> protocol().send(HttpCall.to(server.uri("/")).timeout(Duration.ofMillis(700)).build()));
        assertContains(e.getMessage(), "within 700 ms");
    }

    @Test
    public void bodyIsTruncatedAtTheLimit() throws Exception {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'x');
        big[999] = 'y';
        LoopbackServer server = server().on("/", e -> LoopbackServer.answer(e, 200, "text/plain", big));
        JdkHttpProtocol protocol = protocol();

        HttpExchange cut = protocol.send(HttpCall.to(server.uri("/")).maxResponseBytes(1000).build());
        assertTrue(cut.truncated());
        assertEquals(1000, cut.bodyLength());
        assertArrayEquals(Arrays.copyOf(big, 1000), cut.body());

        HttpExchange exact = protocol.send(HttpCall.to(server.uri("/")).maxResponseBytes(big.length).build());
        assertFalse("a body of exactly the limit is whole", exact.truncated());
        assertArrayEquals(big, exact.body());

        HttpExchange none = protocol.send(HttpCall.to(server.uri("/")).maxResponseBytes(0).build());
        assertTrue(none.truncated());
        assertEquals(0, none.bodyLength());
    }

    @Test
    public void endlessBodyStopsAtTheLimit() throws Exception {
        LoopbackServer server = server();
        server.on("/", e -> {
            e.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[8192];
            try (OutputStream out = e.getResponseBody()) {
                while (server.closing.getCount() > 0) {
                    out.write(chunk); // until the client goes away
                }
            } catch (IOException gone) {
                // the client closed the connection: expected
            }
        });
        HttpExchange exchange = protocol().send(HttpCall.to(server.uri("/")).maxResponseBytes(50_000).timeout(Duration.ofSeconds(10)).build());
        assertTrue(exchange.truncated());
        assertEquals(50_000, exchange.bodyLength());
    }

    @Test
    public void callsRefuseBadInputWithoutShowingSecrets() {
        HttpCall.Builder ftp = HttpCall.to(URI.create("ftp://127.0.0.1/"));
        assertContains(assertThrows(IllegalArgumentException.class, ftp::build).getMessage(), "not an http or https URL");
        HttpCall.Builder userInfo = HttpCall.to(URI.create("http://bob:hunter2@127.0.0.1/"));
        String message = assertThrows(IllegalArgumentException.class, userInfo::build).getMessage();
        assertContains(message, "user information");
        assertFalse(message, message.contains("hunter2"));
        assertThrows(IllegalArgumentException.class, () -> HttpCall.to(URI.create("http://127.0.0.1/")).header("Host", "x"));
        assertThrows(IllegalArgumentException.class, () -> HttpCall.to(URI.create("http://127.0.0.1/")).header("X", "a\r\nB: c"));
        assertThrows(IllegalArgumentException.class, () -> HttpCall.to(URI.create("http://127.0.0.1/")).method("GE T"));
        HttpCall.Builder both = HttpCall.to(URI.create("http://127.0.0.1/")).header("Authorization", "x").bearerToken("tok-secret");
        assertContains(assertThrows(IllegalArgumentException.class, both::build).getMessage(), "give one of them");

        HttpCall call = HttpCall.to(URI.create("http://127.0.0.1/p?q=1")).basicAuth("scott", "tiger-secret").header("X-Key", "hdr-secret").build();
        assertEquals("HttpCall[GET http://127.0.0.1/p, 1 header(s), 0 body byte(s), with authorization]", call.toString());
    }

    // ---------------------------------------------------------------- HTTPS

    @Test
    public void httpsWithAPemTrustStore() throws Exception {
        LoopbackServer server = httpsServer(loopbackCertificate);
        Path pem = ServerCertificate.pem(dir.resolve("trust.pem"), List.of(loopbackCertificate, otherNameCertificate));

        HttpExchange exchange = protocol(pem.toString(), "").send(HttpCall.to(server.uri("/")).build());

        assertEquals(200, exchange.status());
        assertEquals("secure", new String(exchange.body(), StandardCharsets.UTF_8));
    }

    @Test
    public void httpsWithAPkcs12TrustStore() throws Exception {
        LoopbackServer server = httpsServer(loopbackCertificate);
        Path p12 = loopbackCertificate.trustStore(dir.resolve("trust.p12"), "trust-pass");

        assertEquals(200, protocol(p12.toString(), "trust-pass").send(HttpCall.to(server.uri("/")).build()).status());

        SSLException wrongPassword = assertThrows(SSLException.class,
                () -> protocol(p12.toString(), "wrong-pass").send(HttpCall.to(server.uri("/")).build()));
        assertContains(wrongPassword.getMessage(), "TLS: cannot call", p12.toString(), "truststore.password");
        assertFalse(wrongPassword.getMessage().contains("wrong-pass"));
    }

    @Test
    public void httpsWithoutTheTrustStoreIsNotTrusted() throws Exception {
        LoopbackServer server = httpsServer(loopbackCertificate);
        SSLException e = assertThrows(SSLException.class, () -> protocol().send(HttpCall.to(server.uri("/")).build()));
        assertContains(e.getMessage(), "TLS: the certificate of " + server.uri("/") + " is not trusted", "truststore.path");
    }

    @Test
    public void httpsVerifiesTheHostName() throws Exception {
        LoopbackServer server = httpsServer(otherNameCertificate);
        Path pem = ServerCertificate.pem(dir.resolve("both.pem"), List.of(loopbackCertificate, otherNameCertificate));
        SSLException e = assertThrows(SSLException.class,
                () -> protocol(pem.toString(), "").send(HttpCall.to(server.uri("/")).build()));
        assertContains(e.getMessage(), "TLS: the certificate of " + server.uri("/") + " does not match the host name '127.0.0.1'");
    }

    @Test
    public void unusableTrustStoreFailsHttpsOnlyWithAClearMessage() throws Exception {
        LoopbackServer plain = server().on("/", e -> LoopbackServer.answer(e, 200, null, new byte[0]));
        JdkHttpProtocol protocol = protocol(dir.resolve("missing.pem").toString(), "");
        assertEquals("plain HTTP still works", 200, protocol.send(HttpCall.to(plain.uri("/")).build()).status());
        SSLException e = assertThrows(SSLException.class, () -> protocol.send(HttpCall.to(URI.create("https://127.0.0.1:1/")).build()));
        assertContains(e.getMessage(), "missing.pem does not exist");

        Path p12 = loopbackCertificate.trustStore(dir.resolve("enc.p12"), "trust-pass");
        SSLException encrypted = assertThrows(SSLException.class,
                () -> protocol(p12.toString(), "encrypted:AbCdEf").send(HttpCall.to(URI.create("https://127.0.0.1:1/")).build()));
        assertContains(encrypted.getMessage(), "encrypted: value that did not open on this agent", "mid:encrypt");
        assertFalse(encrypted.getMessage().contains("AbCdEf"));
    }
}
