package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.testing.servers.TestPrograms;

/**
 * A real, unmodified ServiceNow client library from the npm registry ({@code servicenow-rest}
 * 1.2.2, its {@code GlideRecord}) against the real bin/instance over HTTPS: it creates ECC records,
 * queries them page by page with an encoded query, reads one, updates one and deletes one, as a
 * script of an operator would. The library only talks to {@code https://NAME.service-now.com};
 * {@code snow-client/client.js} points Node's TLS connections for that one name at the instance
 * on 127.0.0.1, whose certificate (made here with keytool) names it, so the name is still verified.
 */
public class SnowClientIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(420);

    private static final String CLIENT_PACKAGE = "servicenow-rest";
    private static final String CLIENT_VERSION = "1.2.2";

    @Test
    public void aServiceNowClientLibraryCreatesPagesUpdatesAndDeletes() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = TestFolders.temporary("midway-snow-client");
        Path keystore = work.resolve("instance.p12");
        Path pem = work.resolve("instance.pem");
        keytool("-genkeypair", "-alias", "instance", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=midway.service-now.com", "-ext", "SAN=dns:midway.service-now.com,ip:127.0.0.1",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "snow-keystore",
                "-keypass", "snow-keystore");
        keytool("-exportcert", "-rfc", "-alias", "instance", "-keystore", keystore.toString(), "-storepass",
                "snow-keystore", "-file", pem.toString());
        Path client = installClient(work.resolve("client"));

        int https = Ports.free();
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", Map.of("MIDWAY_HTTPS_PORT", Integer.toString(https),
                "MIDWAY_HTTPS_KEYSTORE", keystore.toString(), "MIDWAY_HTTPS_KEYSTORE_PASSWORD", "snow-keystore",
                "MIDWAY_DATA", work.resolve("i").toString(), "MIDWAY_ADMIN_PASSWORD", "snow-admin-password"),
                work.resolve("instance.log"), false)) {
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(pem)).connectTimeout(Duration.ofSeconds(3)).build();
            String base = "https://127.0.0.1:" + https;
            Wait.until(Duration.ofSeconds(90), "the instance on HTTPS", () -> get(trusting, base, "/api/mid/instance_info")
                    .statusCode() == 200, instance);

            Map<String, String> env = new HashMap<>();
            env.put("NODE_EXTRA_CA_CERTS", pem.toString());
            env.put("MIDWAY_PORT", Integer.toString(https));
            env.put("MIDWAY_USER", "admin");
            env.put("MIDWAY_PASSWORD", "snow-admin-password");
            env.put("CLIENT_TAG", "snow");
            env.put("CLIENT_RECORDS", "12");
            env.put("CLIENT_PAGE", "5");
            String out = run(client, env, List.of(TestPrograms.path("node").toString(), "client.js"), 120);
            String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
            JsonNode result = Http.JSON.readTree(line.isEmpty() ? "{}" : line);
            assertFalse("the client failed: " + out, result.has("failed"));

            // created: 12 records, each with its own sys_id
            assertEquals(out, 12, result.path("created").size());
            List<String> created = new ArrayList<>();
            result.path("created").forEach(id -> created.add(id.asText()));
            assertEquals(12, created.stream().distinct().count());
            // paged: 5, 5, 2, in name order, each record once
            List<List<String>> pages = new ArrayList<>();
            for (JsonNode page : result.path("pages")) {
                List<String> names = new ArrayList<>();
                page.forEach(n -> names.add(n.asText()));
                pages.add(names);
            }
            assertEquals(List.of(
                    List.of("snow-000", "snow-001", "snow-002", "snow-003", "snow-004"),
                    List.of("snow-005", "snow-006", "snow-007", "snow-008", "snow-009"),
                    List.of("snow-010", "snow-011")), pages);
            // read, updated, deleted as the library reports them
            assertEquals(created.get(0), result.path("read").path("sys_id").asText());
            assertEquals("snow-000", result.path("read").path("name").asText());
            assertEquals(1, result.path("updated").path("priority").asInt());
            assertEquals("snow-renamed", result.path("updated").path("name").asText());
            assertEquals("Delete success", result.path("deleted").asText());
            assertTrue(out, result.path("afterDelete").path("refused").toString().contains("No Record found"));
            // client.js refuses a TLS connection to any other host: every one it made went to the instance
            assertTrue("the library connected through the redirection", result.path("connections").asInt() >= 1);

            // and the instance agrees
            JsonNode updated = Http.JSON.readTree(get(trusting, base, "/api/now/table/ecc_queue/" + created.get(0)).body())
                    .path("result");
            assertEquals(1, updated.path("priority").asInt());
            assertEquals("snow-renamed", updated.path("name").asText());
            assertEquals(404, get(trusting, base, "/api/now/table/ecc_queue/" + created.get(11)).statusCode());
            HttpResponse<String> left = get(trusting, base, "/api/now/table/ecc_queue?sysparm_query=topic%3DSnowClient&sysparm_limit=1");
            assertEquals("11", left.headers().firstValue("X-Total-Count").orElse(null));
        }
    }

    private static HttpResponse<String> get(HttpClient client, String base, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "admin:snow-admin-password".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code npm install} of the client library, unmodified, from the npm registry, beside client.js. */
    private static Path installClient(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (var in = SnowClientIT.class.getResourceAsStream("/snow-client/client.js")) {
            Files.write(dir.resolve("client.js"), in.readAllBytes());
        }
        Files.writeString(dir.resolve("package.json"), "{\"name\":\"midway-snow-client-test\",\"version\":\"1.0.0\","
                + "\"private\":true,\"dependencies\":{\"" + CLIENT_PACKAGE + "\":\"" + CLIENT_VERSION + "\"}}");
        run(dir, Map.of(), List.of(TestPrograms.path("npm").toString(), "install", "--no-audit", "--no-fund",
                "--loglevel=error"), 300);
        assertTrue("npm installed " + CLIENT_PACKAGE, Files.isRegularFile(
                dir.resolve("node_modules").resolve(CLIENT_PACKAGE).resolve("GlideRecord.js")));
        return dir;
    }

    private static String run(Path dir, Map<String, String> env, List<String> command, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(String.join(" ", command) + " finished in " + seconds + " s: " + text, done);
        assertEquals(String.join(" ", command) + ": " + text, 0, p.exitValue());
        return text;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        run(Path.of("."), Map.of(), command, 60);
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("instance", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
