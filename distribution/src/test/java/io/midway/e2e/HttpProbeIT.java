package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

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

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String AGENT = "e2e-http";
    private static final Pattern PROTOCOL_LINE = Pattern.compile("^\\s*(\\d+)\\s*\\|.*io\\.midway\\.protocol\\.http\\b",
            Pattern.MULTILINE);

    static Path work;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static Http admin;
    static HttpServer server;
    static final List<String> authorizations = new CopyOnWriteArrayList<>();
    static String password;
    static String protocolBundle;

    @BeforeClass
    public static void start() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        work = Files.createTempDirectory("midway-e2e-http");
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

        String adminPassword = CredentialsIT.random();
        String agentPassword = CredentialsIT.random();
        password = "Http-" + CredentialsIT.random();
        int instancePort = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        instance = MidwayProcess.start(dist, "instance", env, work.resolve("instance.log"), false);
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        Wait.until(STARTUP, "instance_info", () -> admin.get("/api/mid/instance_info").statusCode() == 200, instance);
        Map<String, String> agentEnv = new HashMap<>();
        agentEnv.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        agentEnv.put("MIDWAY_AGENT_NAME", AGENT);
        agentEnv.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        agentEnv.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        agentEnv.put("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()));
        agentEnv.put("MIDWAY_DATA", work.resolve("agent").toString());
        agent = MidwayProcess.start(dist, "agent", agentEnv, work.resolve("agent.log"), true);
        Wait.until(STARTUP, "agent " + AGENT + " Up", () -> {
            JsonNode a = agentRecord();
            return a != null && "Up".equals(a.path("status").asText());
        }, instance, agent);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (MidwayProcess p : new MidwayProcess[] {agent, instance}) {
            if (p != null) {
                p.close();
            }
        }
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    public void t1_aRequestWithACredentialReachesTheServerAndTheAnswerComesBack() throws Exception {
        Wait.until(Duration.ofSeconds(30), "capability http advertised", () -> capabilities().contains("http"), instance, agent);
        HttpResponse<String> created = admin.send("POST", "/api/now/table/discovery_credentials",
                "{\"name\":\"web\",\"type\":\"basic\",\"user_name\":\"scott\",\"password\":\"" + password + "\"}");
        assertEquals(created.body(), 201, created.statusCode());

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
        String credentialId = Http.parse(created).path("result").path("sys_id").asText();
        Wait.until(Duration.ofSeconds(30), "the affinity reported to the instance", () -> {
            JsonNode rows = admin.json("/api/now/table/dscy_credentials_affinity?sysparm_query=agent=" + AGENT).path("result");
            for (JsonNode row : rows) {
                if (credentialId.equals(row.path("credential").asText()) && "127.0.0.1".equals(row.path("target").asText())
                        && "web".equals(row.path("credential_name").asText())) {
                    return true;
                }
            }
            return false;
        }, instance, agent);
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
        String listing = String.join("\n", agent.shell("lb -s", out -> PROTOCOL_LINE.matcher(out).find(), Duration.ofSeconds(20)));
        Matcher m = PROTOCOL_LINE.matcher(listing);
        assertTrue(listing, m.find());
        protocolBundle = m.group(1);
        agent.shell("stop " + protocolBundle, out -> true, Duration.ofSeconds(20));
        Wait.until(Duration.ofSeconds(30), "capability http gone", () -> !capabilities().contains("http"), instance, agent);
        JsonNode failed = awaitHttp("http://127.0.0.1:" + server.getAddress().getPort() + "/hello", null, false);
        assertEquals(failed.toString(), "error", failed.path("state").asText());
        assertTrue(failed.toString(), failed.path("error_string").asText().contains("No probe for topic 'HTTPRequest'"));

        agent.shell("start " + protocolBundle, out -> true, Duration.ofSeconds(20));
        Wait.until(Duration.ofSeconds(30), "capability http back", () -> capabilities().contains("http"), instance, agent);
        JsonNode back = awaitHttp("http://127.0.0.1:" + server.getAddress().getPort() + "/hello", null, true);
        assertEquals(back.toString(), "processed", back.path("state").asText());
        assertEquals(200, back.path("payload").path("status").asInt());
    }

    // --- helpers -------------------------------------------------------------------------------

    static JsonNode agentRecord() throws Exception {
        JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
        return result.size() == 1 ? result.get(0) : null;
    }

    static String capabilities() throws Exception {
        JsonNode a = agentRecord();
        return a == null ? "" : a.path("capabilities").toString();
    }

    /**
     * Sends HTTPRequest records until one is answered; with {@code untilProbe}, an answer saying
     * the probe or the credential is not there yet (still starting, still on its way) does not count.
     */
    static JsonNode awaitHttp(String url, String credential, boolean untilProbe) throws Exception {
        JsonNode[] input = new JsonNode[1];
        Wait.until(Duration.ofSeconds(30), "an answer to HTTPRequest " + url, () -> {
            ObjectNode r = Http.JSON.createObjectNode();
            r.put("agent", "mid.server." + AGENT);
            r.put("topic", "HTTPRequest");
            r.put("name", "GET " + url);
            ObjectNode payload = r.putObject("payload");
            payload.put("method", "GET");
            payload.put("url", url);
            payload.put("timeout_ms", 5000);
            if (credential != null) {
                payload.put("credential", credential);
            }
            HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
            assertEquals(created.body(), 201, created.statusCode());
            String id = Http.parse(created).path("result").path("sys_id").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode result = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id).path("result");
                if (result.size() > 0) {
                    input[0] = result.get(0);
                    String error = input[0].path("error_string").asText();
                    // the probe may still be starting, a credential just created still on its way
                    return !untilProbe || !(error.startsWith("No probe for topic") || error.startsWith("no credential"));
                }
                Thread.sleep(100);
            }
            return false;
        }, instance, agent);
        assertNotNull(input[0]);
        return input[0];
    }
}
