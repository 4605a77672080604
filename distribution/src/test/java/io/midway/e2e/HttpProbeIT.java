package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import io.midway.protocol.http.internal.LoopbackServer;
import io.midway.protocol.http.internal.ServerCertificate;

/**
 * The HTTP protocol and the HTTPRequest probe on the real distribution, against a real HTTP
 * server on loopback: the agent advertises capability {@code http}; a request with a
 * {@code discovery_credentials} credential reaches the server with Basic authentication and the
 * answer comes back; a dead port is an error record; stopping the protocol bundle in the shell
 * removes the capability and HTTPRequest records fail cleanly; starting it brings both back, with
 * no restart. Steps run in name order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class HttpProbeIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    static AgentAndInstance midway;
    static Http admin;
    static HttpServer server;
    static final List<String> authorizations = new CopyOnWriteArrayList<>();
    static String password;

    @BeforeClass
    public static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hello", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            byte[] body = "{\"greeting\":\"hello from loopback\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        password = "Http-" + CredentialsIT.random();
        // a copy of the distribution: t4 writes a configuration file into its etc/
        midway = AgentAndInstance.start("e2e-http", true, copy -> { });
        admin = midway.admin;
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    public void t1_aRequestWithACredentialReachesTheServerAndTheAnswerComesBack() throws Exception {
        midway.awaitCapability("http", true);
        String credentialId = midway.createCredential(
                "{\"name\":\"web\",\"type\":\"basic\",\"user_name\":\"scott\",\"password\":\"" + password + "\"}");

        JsonNode input = awaitHttp("http://127.0.0.1:" + server.getAddress().getPort() + "/hello", "web", true);
        assertEquals(input.toString(), "processed", input.path("state").asText());
        JsonNode payload = input.path("payload");
        assertEquals(payload.toString(), 200, payload.path("status").asInt());
        assertTrue(payload.toString(), payload.path("body").asText().contains("hello from loopback"));
        String expected = "Basic " + Base64.getEncoder().encodeToString(("scott:" + password).getBytes(StandardCharsets.UTF_8));
        assertTrue("the server saw Basic authentication from the credential: " + authorizations.size() + " requests",
                authorizations.contains(expected));
        assertFalse("the result holds no secret", input.toString().contains(password));
        // the credential worked for 127.0.0.1: the agent keeps the affinity and reports it
        Wait.until(Duration.ofSeconds(30), "the affinity reported to the instance", () -> {
            JsonNode rows = admin.json("/api/now/table/dscy_credentials_affinity?sysparm_query=agent=" + midway.agentName).path("result");
            for (JsonNode row : rows) {
                if (credentialId.equals(row.path("credential").asText()) && "127.0.0.1".equals(row.path("target").asText())
                        && "web".equals(row.path("credential_name").asText())) {
                    return true;
                }
            }
            return false;
        }, midway.instance, midway.agent);
    }

    @Test
    public void t2_aDeadPortIsAnErrorRecordWithTheReason() throws Exception {
        int dead = Ports.free();
        JsonNode input = awaitHttp("http://127.0.0.1:" + dead + "/", null, true);
        assertEquals(input.toString(), "error", input.path("state").asText());
        assertTrue(input.toString(), input.path("error_string").asText().contains("cannot connect to http://127.0.0.1:" + dead));
    }

    @Test
    public void t3_stoppingTheProtocolBundleRemovesTheCapabilityAndStartingItBringsItBack() throws Exception {
        String protocolBundle = midway.bundleId("io.midway.protocol.http");
        midway.agent.shell("stop " + protocolBundle, out -> true, Duration.ofSeconds(20));
        midway.awaitCapability("http", false);
        JsonNode failed = awaitHttp("http://127.0.0.1:" + server.getAddress().getPort() + "/hello", null, false);
        assertEquals(failed.toString(), "error", failed.path("state").asText());
        assertTrue(failed.toString(), failed.path("error_string").asText().contains("No probe for topic 'HTTPRequest'"));

        midway.agent.shell("start " + protocolBundle, out -> true, Duration.ofSeconds(20));
        midway.awaitCapability("http", true);
        JsonNode back = awaitHttp("http://127.0.0.1:" + server.getAddress().getPort() + "/hello", null, true);
        assertEquals(back.toString(), "processed", back.path("state").asText());
        assertEquals(200, back.path("payload").path("status").asInt());
    }

    @Test
    public void t4_anEncryptedTrustStorePasswordInEtcOpensOnTheAgentAndHttpsWorks() throws Exception {
        String storePassword = "Trust-" + CredentialsIT.random();
        ServerCertificate certificate = ServerCertificate.make(midway.work, "server", "ip:127.0.0.1");
        Path trustStore = certificate.trustStore(midway.work.resolve("trust.p12"), storePassword);
        try (LoopbackServer https = LoopbackServer.https(certificate.serverContext())) {
            https.on("/secure", exchange -> LoopbackServer.answer(exchange, 200, "text/plain", "secret garden"));
            String encrypted = null;
            for (String line : midway.agent.shell("mid:encrypt " + storePassword, out -> out.contains("encrypted:"), Duration.ofSeconds(20))) {
                int at = line.indexOf("encrypted:");
                if (at >= 0) {
                    encrypted = line.substring(at).trim();
                }
            }
            assertNotNull("mid:encrypt printed an encrypted: value", encrypted);
            Path cfg = midway.home.resolve("etc/io.midway.protocol.http.cfg");
            Files.writeString(cfg, "truststore.path = " + trustStore + "\ntruststore.password = " + encrypted + "\n");

            ObjectNode payload = Http.JSON.createObjectNode();
            payload.put("url", https.uri("/secure").toString());
            payload.put("timeout_ms", 5000);
            // FileInstall reads etc/ every second; until the new trust store is in use, the server is not trusted
            JsonNode input = midway.probe("HTTPRequest", "GET /secure", payload, answer -> "processed".equals(answer.path("state").asText()));
            assertEquals(input.toString(), 200, input.path("payload").path("status").asInt());
            assertEquals("secret garden", input.path("payload").path("body").asText());
            assertFalse("the file keeps only the encrypted text", Files.readString(cfg).contains(storePassword));
            // the log holds the agent's terminal: leave out the command line the operator typed
            List<String> lines = new java.util.ArrayList<>(Files.readAllLines(midway.work.resolve("agent.log")));
            lines.addAll(Files.readAllLines(midway.work.resolve("agent").resolve("agent.log"))); // the log file
            String log = lines.stream().filter(l -> !l.contains("mid:encrypt"))
                    .collect(java.util.stream.Collectors.joining("\n"));
            assertFalse("the agent log does not show the trust store password", log.contains(storePassword));
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    /**
     * Sends HTTPRequest records until one is answered; with {@code untilProbe}, an answer saying
     * the probe or the credential is not there yet (still starting, still on its way) does not count.
     */
    static JsonNode awaitHttp(String url, String credential, boolean untilProbe) throws Exception {
        ObjectNode payload = Http.JSON.createObjectNode();
        payload.put("method", "GET");
        payload.put("url", url);
        payload.put("timeout_ms", 5000);
        if (credential != null) {
            payload.put("credential", credential);
        }
        return untilProbe ? midway.probe("HTTPRequest", "GET " + url, payload)
                : midway.probe("HTTPRequest", "GET " + url, payload, input -> true);
    }
}
