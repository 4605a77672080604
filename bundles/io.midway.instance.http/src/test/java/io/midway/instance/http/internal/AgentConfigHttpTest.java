package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.AgentIdentities;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.internal.UserRealm;
import io.midway.wire.Json;
import io.midway.wire.SealedSecret;
import jakarta.servlet.http.HttpServlet;

/**
 * Configuration from the instance over a real Jetty on 127.0.0.1 (issue 17): the Table API of
 * {@code ecc_agent_property} / {@code ecc_agent_config} (admin only, refusals with the rule), the
 * agent-facing {@code /api/mid/config} and its report (each agent's own only), and the poll that
 * answers at once with a new {@code config_revision}.
 */
public class AgentConfigHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String SHARED = "mid:agent-pw";

    private static KeyPair keyA;
    private static KeyPair keyB;

    private Server server;
    private String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String agentA;
    private String agentB;

    @BeforeClass
    public static void keys() {
        keyA = SealedSecret.newAgentKeyPair();
        keyB = SealedSecret.newAgentKeyPair();
    }

    @Before
    public void startServer() throws Exception {
        AgentIdentities identities = new AgentIdentities(service.core());
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "admin-pw",
                "midway.agent.password", "agent-pw")::get, identities);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        add(context, new AgentRegistrationServlet(service.agents(), realm, identities), "/api/mid/agents/register");
        add(context, new EccPollServlet(service.polls(), realm), "/api/mid/ecc/poll");
        add(context, new AgentConfigServlet(service.agentSettings(), realm), "/api/mid/config");
        add(context, new AgentConfigServlet(service.agentSettings(), realm), "/api/mid/config/*");
        add(context, new TableApiServlet(service.outputs(), service.agents(), service.clusters(),
                service.agentSettings(), realm), "/api/now/table/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
        agentA = enroll("a1", keyA);
        agentB = enroll("b1", keyB);
    }

    private static void add(ServletContextHandler context, HttpServlet servlet, String pattern) {
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, pattern);
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
    }

    private HttpResponse<String> send(String method, String path, String credentials, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    private String enroll(String name, KeyPair key) throws Exception {
        HttpResponse<String> r = send("POST", "/api/mid/agents/register", SHARED, "{\"name\":\"" + name
                + "\",\"version\":\"1.0.0\",\"capabilities\":[\"tcp\"],\"public_key\":\""
                + SealedSecret.publicKeyText(key.getPublic()) + "\"}");
        assertTrue(r.body(), r.statusCode() == 201 || r.statusCode() == 200);
        JsonNode identity = json(r).path("identity");
        return identity.path("user_name").asText() + ":"
                + SealedSecret.openString(key.getPrivate(), identity.path("password_sealed").asText());
    }

    @Test
    public void anAdminManagesPropertiesAndParametersThroughTheTableApi() throws Exception {
        HttpResponse<String> created = send("POST", "/api/now/table/ecc_agent_property", ADMIN,
                "{\"name\":\"threads.standard\",\"value\":8}");
        assertEquals(created.body(), 201, created.statusCode());
        JsonNode row = json(created).path("result");
        assertEquals("8", row.path("value").asText());
        assertEquals("", row.path("agent").asText());
        assertTrue(created.headers().firstValue("Location").orElseThrow().endsWith("/" + row.path("sys_id").asText()));
        send("POST", "/api/now/table/ecc_agent_property", ADMIN, "{\"name\":\"threads.standard\",\"value\":\"7\",\"agent\":\"a1\"}");
        HttpResponse<String> parameter = send("POST", "/api/now/table/ecc_agent_config", ADMIN,
                "{\"name\":\"poll.wait.ms\",\"value\":\"1000\",\"agent\":\"a1\"}");
        assertEquals(parameter.body(), 201, parameter.statusCode());

        HttpResponse<String> list = send("GET", "/api/now/table/ecc_agent_property?sysparm_query=agent=a1", ADMIN, null);
        assertEquals(200, list.statusCode());
        assertEquals(1, json(list).path("result").size());
        assertEquals("1", list.headers().firstValue("X-Total-Count").orElseThrow());

        String sysId = row.path("sys_id").asText();
        HttpResponse<String> patched = send("PATCH", "/api/now/table/ecc_agent_property/" + sysId, ADMIN,
                "{\"value\":\"12\"}");
        assertEquals(patched.body(), 200, patched.statusCode());
        assertEquals("12", json(patched).path("result").path("value").asText());
        assertEquals("12", json(send("GET", "/api/now/table/ecc_agent_property/" + sysId, ADMIN, null))
                .path("result").path("value").asText());
        assertEquals(204, send("DELETE", "/api/now/table/ecc_agent_property/" + sysId, ADMIN, null).statusCode());
        assertEquals(404, send("GET", "/api/now/table/ecc_agent_property/" + sysId, ADMIN, null).statusCode());
        assertEquals("five changes, five revisions", "5", service.agentSettings().revision());
    }

    @Test
    public void badValuesLocalOnlySettingsAndMissingAgentsAre400WithTheRule() throws Exception {
        HttpResponse<String> bad = send("POST", "/api/now/table/ecc_agent_property", ADMIN,
                "{\"name\":\"threads.standard\",\"value\":\"abc\"}");
        assertEquals(400, bad.statusCode());
        assertEquals("threads.standard must be a whole number from 1 to 1000, not 'abc'",
                json(bad).path("error").path("message").asText());
        HttpResponse<String> local = send("POST", "/api/now/table/ecc_agent_property", ADMIN,
                "{\"name\":\"instance.url\",\"value\":\"https://elsewhere\"}");
        assertEquals(400, local.statusCode());
        assertTrue(local.body(), json(local).path("error").path("message").asText()
                .startsWith("instance.url cannot be set from the instance"));
        HttpResponse<String> name = send("POST", "/api/now/table/ecc_agent_config", ADMIN,
                "{\"name\":\"agent.name\",\"value\":\"x\",\"agent\":\"a1\"}");
        assertEquals(400, name.statusCode());
        assertTrue(name.body(), name.body().contains("agent.name cannot be set from the instance"));
        HttpResponse<String> noAgent = send("POST", "/api/now/table/ecc_agent_config", ADMIN,
                "{\"name\":\"threads.standard\",\"value\":\"4\"}");
        assertEquals(400, noAgent.statusCode());
        assertTrue(noAgent.body(), noAgent.body().contains("field 'agent' is required"));
        HttpResponse<String> ghost = send("POST", "/api/now/table/ecc_agent_config", ADMIN,
                "{\"name\":\"threads.standard\",\"value\":\"4\",\"agent\":\"ghost\"}");
        assertEquals(400, ghost.statusCode());
        assertTrue(ghost.body(), ghost.body().contains("'ghost' is not registered"));
        HttpResponse<String> range = send("POST", "/api/now/table/ecc_agent_property", ADMIN,
                "{\"name\":\"agent.cleaner.interval.hours\",\"value\":\"0\"}");
        assertEquals(400, range.statusCode());
        assertTrue(range.body(), range.body().contains("from 1 to 8760"));
        assertEquals("nothing stored", 0, json(send("GET", "/api/now/table/ecc_agent_property", ADMIN, null))
                .path("result").size());
        assertEquals("0", service.agentSettings().revision());
    }

    @Test
    public void anAgentReadsAndReportsItsOwnConfigurationOnly() throws Exception {
        send("POST", "/api/now/table/ecc_agent_property", ADMIN, "{\"name\":\"threads.standard\",\"value\":\"8\"}");
        send("POST", "/api/now/table/ecc_agent_config", ADMIN,
                "{\"name\":\"threads.standard\",\"value\":\"3\",\"agent\":\"a1\"}");
        HttpResponse<String> own = send("GET", "/api/mid/config?agent=a1", agentA, null);
        assertEquals(own.body(), 200, own.statusCode());
        assertEquals("2", json(own).path("revision").asText());
        JsonNode setting = json(own).path("result").get(0);
        assertEquals("threads.standard", setting.path("name").asText());
        assertEquals("3", setting.path("value").asText());
        assertEquals("parameter", setting.path("source").asText());
        assertEquals("global_property", json(send("GET", "/api/mid/config?agent=b1", agentB, null))
                .path("result").get(0).path("source").asText());

        assertEquals("A cannot read B's", 403, send("GET", "/api/mid/config?agent=b1", agentA, null).statusCode());
        String reportOfB = "{\"name\":\"b1\",\"revision\":\"2\",\"state\":\"applied\",\"errors\":[],"
                + "\"effective\":[{\"name\":\"threads.standard\",\"value\":\"8\",\"source\":\"global_property\"}]}";
        assertEquals("A cannot report for B", 403, send("POST", "/api/mid/config/report", agentA, reportOfB).statusCode());
        assertEquals("nothing kept", null, service.agentSettings().status("b1").orElseThrow().state());
        for (String table : new String[] {"ecc_agent_property", "ecc_agent_config"}) {
            assertEquals(table, 403, send("GET", "/api/now/table/" + table, agentA, null).statusCode());
            assertEquals(table, 403, send("POST", "/api/now/table/" + table, agentA,
                    "{\"name\":\"threads.standard\",\"value\":\"9\",\"agent\":\"a1\"}").statusCode());
        }
        assertEquals("2", service.agentSettings().revision());

        HttpResponse<String> reported = send("POST", "/api/mid/config/report", agentB, reportOfB);
        assertEquals(reported.body(), 200, reported.statusCode());
        assertEquals("applied", json(reported).path("result").path("state").asText());
        assertEquals("applied", service.agentSettings().status("b1").orElseThrow().state());
        HttpResponse<String> failed = send("POST", "/api/mid/config/report", agentA, "{\"name\":\"a1\",\"revision\":\"2\","
                + "\"state\":\"failed\",\"errors\":[{\"name\":\"threads.standard\",\"value\":\"3\",\"message\":\"boom\"}],"
                + "\"effective\":[]}");
        assertEquals(failed.body(), 200, failed.statusCode());
        assertEquals("threads.standard='3': boom", service.agentSettings().status("a1").orElseThrow().errors());
    }

    @Test
    public void aPollWithAnOldConfigRevisionAnswersAtOnceAndAWaitingOneWhenItChanges() throws Exception {
        send("POST", "/api/now/table/ecc_agent_property", ADMIN, "{\"name\":\"threads.standard\",\"value\":\"8\"}");
        long start = System.nanoTime();
        HttpResponse<String> behind = send("GET", "/api/mid/ecc/poll?agent=a1&wait_ms=10000&config_revision=0", agentA, null);
        assertEquals(behind.body(), 200, behind.statusCode());
        assertEquals("1", json(behind).path("config_revision").asText());
        assertTrue("answered at once", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return send("GET", "/api/mid/ecc/poll?agent=a1&wait_ms=10000&config_revision=1", agentA, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.currentTimeMillis() + 5000;
        while (service.polls().waitingPolls("a1") == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("the poll waits", 1, service.polls().waitingPolls("a1"));
        send("POST", "/api/now/table/ecc_agent_config", ADMIN, "{\"name\":\"threads.standard\",\"value\":\"4\",\"agent\":\"b1\"}");
        HttpResponse<String> woken = waiting.get(5, TimeUnit.SECONDS);
        assertEquals("2", json(woken).path("config_revision").asText());
    }
}
