package io.midway.probe.http.internal;

import io.midway.protocol.http.internal.LoopbackServer;
import io.midway.protocol.http.internal.ServerCertificate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Test;

import io.midway.api.credential.CredentialType;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.http.internal.HttpProtocolConfiguration;
import io.midway.protocol.http.internal.JdkHttpProtocol;
import io.midway.testing.probe.TestCredentials;

public class HttpRequestProbeTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static final String PASSWORD = "s3cr3t-Pa55word";
    private static final String API_KEY = "key-0123456789-abcdef";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final TestCredentials credentials = TestCredentials.builder()
            .basic("web-basic", "scott", PASSWORD)
            .add(CredentialType.API_KEY, "web-token", "api_key", API_KEY)
            .add(CredentialType.SSH_KEY, "lab-ssh", "user_name", "root", "ssh_private_key", "PRIVATE-KEY-TEXT")
            .build();
    /** Every result payload and error message, to search for secrets at the end of each test. */
    private final List<String> seen = new ArrayList<>();

    @After
    public void tearDown() throws Exception {
        for (String text : seen) {
            for (String secret : List.of(PASSWORD, API_KEY, "PRIVATE-KEY-TEXT",
                    Base64.getEncoder().encodeToString(("scott:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))) {
                assertFalse("a secret in: " + text, text.contains(secret));
            }
        }
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private JdkHttpProtocol protocol(String trustStore) {
        JdkHttpProtocol protocol = new JdkHttpProtocol(new HttpProtocolConfiguration() {
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
                return "";
            }

            @Override
            public int connect_timeout_ms() {
                return 5000;
            }
        });
        return protocol; // its client threads are daemons
    }

    private HttpRequestProbe probe() {
        return new HttpRequestProbe(protocol(""), credentials);
    }

    private LoopbackServer server() throws IOException {
        LoopbackServer server = LoopbackServer.http();
        toClose.add(server);
        return server;
    }

    private static Map<String, Object> payload(Object... pairs) {
        Map<String, Object> payload = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            payload.put((String) pairs[i], pairs[i + 1]);
        }
        return payload;
    }

    private Map<String, Object> run(HttpRequestProbe probe, Map<String, Object> payload) throws Exception {
        Map<String, Object> result = probe.run(new ProbeRequest("0123456789abcdef0123456789abcdef", HttpRequestProbe.TOPIC, "", "", payload))
                .payload();
        seen.add(String.valueOf(result));
        return result;
    }

    private String error(HttpRequestProbe probe, Map<String, Object> payload) {
        ProbeException e = assertThrows(ProbeException.class,
                () -> probe.run(new ProbeRequest("0123456789abcdef0123456789abcdef", HttpRequestProbe.TOPIC, "", "", payload)));
        seen.add(e.getMessage());
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            seen.add(String.valueOf(cause.getMessage()));
        }
        return e.getMessage();
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("expected <" + part + "> in: " + text, text != null && text.contains(part));
        }
    }

    /** A server that answers 200 with the request (method, Authorization, X-Test header, body) as JSON-ish text. */
    private LoopbackServer echoServer(AtomicReference<String> authorization) throws IOException {
        return server().on("/", e -> {
            authorization.set(e.getRequestHeaders().getFirst("Authorization"));
            String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            e.getResponseHeaders().add("X-Echo-Auth", String.valueOf(authorization.get()));
            LoopbackServer.answer(e, 200, "application/json", "{\"method\":\"" + e.getRequestMethod() + "\",\"x_test\":\""
                    + e.getRequestHeaders().getFirst("X-Test") + "\",\"type\":\"" + e.getRequestHeaders().getFirst("Content-Type")
                    + "\",\"auth\":\"" + authorization.get() + "\",\"body\":" + (body.isEmpty() ? "null" : body) + "}");
        });
    }

    // ---------------------------------------------------------------- requests and results

    @Test
    public void getWithHeadersAnswersStatusHeadersAndTextBody() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        LoopbackServer server = echoServer(auth);

        Map<String, Object> result = run(probe(), payload("url", server.uri("/").toString(), "headers", Map.of("X-Test", "yes")));

        assertEquals(200, result.get("status"));
        assertEquals("{\"method\":\"GET\",\"x_test\":\"yes\",\"type\":\"null\",\"auth\":\"null\",\"body\":null}", result.get("body"));
        assertEquals(false, result.get("truncated"));
        assertFalse(result.containsKey("body_encoding"));
        @SuppressWarnings("unchecked")
        Map<String, List<String>> headers = (Map<String, List<String>>) result.get("headers");
        assertEquals(List.of("application/json"), headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("content-type"))
                .findFirst().orElseThrow().getValue());
    }

    @Test
    public void postSendsAStringOrJsonBody() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        LoopbackServer server = echoServer(auth);
        HttpRequestProbe probe = probe();

        Map<String, Object> text = run(probe, payload("method", "post", "url", server.uri("/").toString(), "body", "[1,2]",
                "headers", Map.of("Content-Type", "text/plain")));
        assertEquals("{\"method\":\"POST\",\"x_test\":\"null\",\"type\":\"text/plain\",\"auth\":\"null\",\"body\":[1,2]}", text.get("body"));

        Map<String, Object> json = run(probe, payload("method", "PUT", "url", server.uri("/").toString(), "body", Map.of("a", 1)));
        assertEquals("{\"method\":\"PUT\",\"x_test\":\"null\",\"type\":\"application/json\",\"auth\":\"null\",\"body\":{\"a\":1}}",
                json.get("body"));
    }

    @Test
    public void binaryBodyIsBase64() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff, 'x'};
        LoopbackServer server = server().on("/", e -> LoopbackServer.answer(e, 200, "application/octet-stream", bytes));
        Map<String, Object> result = run(probe(), payload("url", server.uri("/").toString()));
        assertEquals(Base64.getEncoder().encodeToString(bytes), result.get("body"));
        assertEquals("base64", result.get("body_encoding"));
    }

    @Test
    public void notFoundIsAResultNotAnError() throws Exception {
        LoopbackServer server = server().on("/", e -> LoopbackServer.answer(e, 404, "text/plain", "no such thing"));
        Map<String, Object> result = run(new HttpRequestProbe(protocol(""), credentials),
                payload("url", server.uri("/missing").toString(), "credential", "web-basic"));
        assertEquals(404, result.get("status"));
        assertEquals("no such thing", result.get("body"));
        assertEquals("no affinity after a 4xx", List.of(), credentials.workedCalls());
    }

    @Test
    public void truncatesAtMaxBytes() throws Exception {
        byte[] big = new byte[200_000];
        Arrays.fill(big, (byte) 'a');
        LoopbackServer server = server().on("/", e -> LoopbackServer.answer(e, 200, "text/plain", big));
        Map<String, Object> result = run(probe(), payload("url", server.uri("/").toString(), "max_bytes", 1000));
        assertEquals(true, result.get("truncated"));
        assertEquals("a".repeat(1000), result.get("body"));
    }

    // ---------------------------------------------------------------- credentials

    @Test
    public void basicCredentialAuthenticatesAndRecordsAffinity() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        LoopbackServer server = echoServer(auth);

        // named by its sys_id rather than its name
        String id = credentials.find("web-basic").orElseThrow().id();
        Map<String, Object> result = run(probe(), payload("url", server.uri("/").toString(), "credential", id));

        assertEquals("Basic " + Base64.getEncoder().encodeToString(("scott:" + PASSWORD).getBytes(StandardCharsets.UTF_8)), auth.get());
        assertEquals(200, result.get("status"));
        assertContains((String) result.get("body"), "\"auth\":\"Basic ********\"");
        assertContains(String.valueOf(result.get("headers")), "Basic ********");
        assertEquals(List.of("web-basic@127.0.0.1"), credentials.workedCalls());
    }

    @Test
    public void apiKeyCredentialIsABearerToken() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        LoopbackServer server = echoServer(auth);

        Map<String, Object> result = run(probe(), payload("url", server.uri("/").toString(), "credential", "web-token"));

        assertEquals("Bearer " + API_KEY, auth.get());
        assertContains((String) result.get("body"), "\"auth\":\"Bearer ********\"");
        assertEquals(List.of("web-token@127.0.0.1"), credentials.workedCalls());
    }

    @Test
    public void credentialErrors() throws Exception {
        LoopbackServer server = server().on("/", e -> LoopbackServer.answer(e, 200, null, new byte[0]));
        String url = server.uri("/").toString();
        assertEquals("no credential 'nope' on this agent", error(probe(), payload("url", url, "credential", "nope")));
        assertContains(error(probe(), payload("url", url, "credential", "lab-ssh")), "credential 'lab-ssh' (ssh_key)",
                "type ssh_key is not supported");
        assertContains(error(new HttpRequestProbe(protocol(""), null), payload("url", url, "credential", "web-basic")),
                "no credential store");
        assertContains(error(probe(), payload("url", url, "credential", "web-basic", "headers", Map.of("Authorization", "x"))),
                "give one of them");
    }

    // ---------------------------------------------------------------- failures

    @Test
    public void unreachablePort() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertEquals("cannot connect to http://127.0.0.1:" + port + "/: Connection refused",
                error(probe(), payload("url", "http://127.0.0.1:" + port + "/", "credential", "web-basic")));
        assertEquals(List.of(), credentials.workedCalls());
    }

    @Test
    public void timeoutAgainstAServerThatNeverAnswers() throws Exception {
        LoopbackServer server = server();
        server.on("/", server.neverAnswering());
        assertEquals("no answer from " + server.uri("/") + " within 500 ms",
                error(probe(), payload("url", server.uri("/").toString(), "timeout_ms", 500)));
    }

    @Test
    public void httpsWithAndWithoutTheTrustStore() throws Exception {
        Path dir = Files.createTempDirectory("midway-probe-http");
        try {
            ServerCertificate certificate = ServerCertificate.make(dir, "server", "ip:127.0.0.1");
            LoopbackServer server = LoopbackServer.https(certificate.serverContext())
                    .on("/", e -> LoopbackServer.answer(e, 200, "text/plain", "over TLS"));
            toClose.add(server);
            String url = server.uri("/").toString();
            Path pem = ServerCertificate.pem(dir.resolve("trust.pem"), List.of(certificate));

            Map<String, Object> trusted = run(new HttpRequestProbe(protocol(pem.toString()), credentials), payload("url", url));
            assertEquals("over TLS", trusted.get("body"));

            assertContains(error(probe(), payload("url", url)), "TLS: the certificate of " + url + " is not trusted");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void badPayloadsSayWhatIsWrong() {
        HttpRequestProbe probe = probe();
        assertContains(error(probe, payload()), "payload.url is missing");
        assertContains(error(probe, payload("url", "ftp://127.0.0.1/")), "Bad payload.url 'ftp://127.0.0.1/'", "http or https");
        assertContains(error(probe, payload("url", "http://exa mple/")), "Bad payload.url");
        assertContains(error(probe, payload("url", "http://bob:" + PASSWORD + "@127.0.0.1/")), "name a credential");
        assertContains(error(probe, payload("url", "http://127.0.0.1/", "method", "TRACE")), "Bad payload.method", "GET, HEAD, POST");
        assertContains(error(probe, payload("url", "http://127.0.0.1/", "timeout_ms", 300001)), "payload.timeout_ms", "1 to 300000");
        assertContains(error(probe, payload("url", "http://127.0.0.1/", "max_bytes", 20 * 1024 * 1024 + 1)), "payload.max_bytes",
                "0 to 20971520");
        assertContains(error(probe, payload("url", "http://127.0.0.1/", "headers", Map.of("Host", "x"))), "Bad request",
                "header 'Host'");
        assertContains(error(probe, payload("url", "http://127.0.0.1/", "headers", List.of("x"))), "payload.headers must be an object");
    }
}
