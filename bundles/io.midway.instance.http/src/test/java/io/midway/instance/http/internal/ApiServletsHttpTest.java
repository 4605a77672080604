package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServlet;

/**
 * The servlets over a real Jetty 12 on 127.0.0.1, mapped as the whiteboard maps them, talking to a
 * real {@link io.midway.instance.internal.InstanceServices} on H2.
 */
public class ApiServletsHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String AGENT = "mid:agent-pw";

    private Server server;
    private String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Before
    public void startServer() throws Exception {
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "admin-pw",
                "midway.agent.password", "agent-pw",
                // These tests call the agent endpoints as the shared agent user, as agents older
                // than enrollment do (IdentityHttpTest covers the strict default).
                Users.SHARED_LEGACY_PROPERTY, "true")::get);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        add(context, new InstanceInfoServlet(service.core()), "/api/mid/instance_info");
        add(context, new AgentRegistrationServlet(service.agents(), realm, new io.midway.instance.internal.AgentIdentities(service.core())), "/api/mid/agents/register");
        add(context, new AgentStatusServlet(service.agents(), realm), "/api/mid/agents/status");
        add(context, new EccPollServlet(service.polls(), realm), "/api/mid/ecc/poll");
        add(context, new EccInputServlet(service.polls(), realm), "/api/mid/ecc/input");
        add(context, new EventsServlet(service.events(), realm), "/api/mid/events");
        TableApiServlet table = new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm);
        add(context, table, "/api/now/table/*");
        context.addServlet(new ServletHolder(table), "/api/now/v2/table/*");
        add(context, new StatsApiServlet(service.outputs(), realm), "/api/now/stats/*");
        add(context, new AgentSelectionServlet(service.selection(), realm), "/api/mid/admin/select");
        add(context, new io.midway.instance.http.internal.ApiFallbackServlet(service.core()), "/api/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
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
        return sendAsync(method, path, credentials, body).get(20, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String credentials,
            String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertTrue(response.headers().firstValue("Content-Type").orElse(""), response.headers()
                .firstValue("Content-Type").orElse("").startsWith("application/json"));
        return Json.mapper().readTree(response.body());
    }

    /** Asserts the error shape and status; returns the message. */
    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode body = json(response);
        assertEquals(response.body(), "failure", body.path("status").asText());
        assertTrue(response.body(), body.path("error").path("message").isTextual());
        assertTrue(response.body(), body.path("error").path("detail").isTextual());
        assertFalse("no stack trace: " + response.body(), response.body().contains("\tat ")
                || response.body().contains("Exception"));
        return body.path("error").path("message").asText() + " | " + body.path("error").path("detail").asText();
    }

    private String registerOverHttp(String name) throws Exception {
        HttpResponse<String> r = send("POST", "/api/mid/agents/register", AGENT,
                "{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"host_name\":\"h\",\"ip_address\":\"127.0.0.1\","
                        + "\"capabilities\":[\"tcp\"]}");
        assertEquals(r.body(), 201, r.statusCode());
        return json(r).path("result").path("sys_id").asText();
    }

    private List<String> names(String pathAndQuery) throws Exception {
        HttpResponse<String> r = send("GET", pathAndQuery, ADMIN, null);
        assertEquals(r.body(), 200, r.statusCode());
        List<String> names = new java.util.ArrayList<>();
        json(r).path("result").forEach(n -> names.add(n.path("name").asText()));
        return names;
    }

    @Test
    public void tableApiTakesTheEncodedQueryLanguageAndNameValueFilters() throws Exception {
        registerOverHttp("m1");
        assertEquals(201, send("POST", "/api/now/table/ecc_queue", ADMIN, "["
                + "{\"agent\":\"mid.server.m1\",\"topic\":\"TCPScan\",\"name\":\"a\",\"priority\":0},"
                + "{\"agent\":\"mid.server.m1\",\"topic\":\"TCPPing\",\"name\":\"b\",\"priority\":1},"
                + "{\"agent\":\"mid.server.m1\",\"topic\":\"HTTPScan\",\"name\":\"c\",\"priority\":2}]")
                .statusCode());
        String table = "/api/now/table/ecc_queue?sysparm_query=";
        assertEquals(List.of("a", "b"), names(table + "topicSTARTSWITHTCP"));
        assertEquals("^OR binds to the previous term", List.of("a", "c"),
                names(table + "topic=TCPScan%5EORtopic=HTTPScan%5Epriority%3C3"));
        assertEquals("^NQ starts a new query", List.of("b", "c"),
                names(table + "priority%3E1%5ENQname=b%5EtopicLIKEPing"));
        assertEquals("a name-value filter", List.of("b"), names("/api/now/table/ecc_queue?topic=TCPPing"));
        assertEquals("with the query", List.of(), names(table + "priority=0&topic=TCPPing"));
        assertEquals(List.of("c"), names("/api/now/v2/table/ecc_queue?topic=HTTPScan&sysparm_fields=name"));
        assertTrue(error(send("GET", "/api/now/table/ecc_queue?topc=TCPPing", ADMIN, null), 400)
                .contains("unknown query parameter 'topc'"));
        assertTrue(error(send("GET", table + "nameCONTAINSx", ADMIN, null), 400)
                .contains("unknown operator 'CONTAINS'"));
        assertTrue(error(send("GET", table + "prioritySTARTSWITH1", ADMIN, null), 400).contains("'priority'"));
        assertEquals("the agents table too", List.of("m1"), names("/api/now/table/ecc_agent?sysparm_query="
                + "capabilitiesLIKEtc%5EnameSTARTSWITHm&status=Up"));
    }

    @Test
    public void statsCountsWhatTheQueryMatchesWithoutReadingIt() throws Exception {
        registerOverHttp("m1");
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 7; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"agent\":\"mid.server.m1\",\"topic\":\"Echo\",\"name\":\"")
                    .append(i < 5 ? "five" : "two").append("\"}");
        }
        assertEquals(201, send("POST", "/api/now/table/ecc_queue", ADMIN, batch.append("]").toString()).statusCode());
        assertEquals("5", json(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true"
                + "&sysparm_query=name=five%5Equeue=output%5Estate=ready", ADMIN, null)).path("result").path("stats")
                .path("count").asText());
        assertEquals("0", json(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true"
                + "&sysparm_query=name=five%5Estate=processed", ADMIN, null)).path("result").path("stats")
                .path("count").asText());
        assertEquals("7", json(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true"
                + "&sysparm_query=nameINfive,two", ADMIN, null)).path("result").path("stats").path("count").asText());
        assertEquals("2", json(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true"
                + "&sysparm_query=nameNOT%20INfive%5Equeue=output", ADMIN, null)).path("result").path("stats")
                .path("count").asText());
        JsonNode two = json(send("GET", "/api/now/table/ecc_queue?sysparm_query=nameINtwo,nothing"
                + "&sysparm_fields=name", ADMIN, null)).path("result");
        assertEquals(2, two.size());
        assertEquals("two", two.get(0).path("name").asText());
        assertEquals("1", json(send("GET", "/api/now/stats/ecc_agent?sysparm_count=true", ADMIN, null))
                .path("result").path("stats").path("count").asText());

        assertTrue(error(send("GET", "/api/now/stats/ecc_queue", ADMIN, null), 400).contains("sysparm_count=true"));
        assertTrue(error(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true&sysparm_group_by=state", ADMIN,
                null), 400).contains("sysparm_group_by is not supported"));
        assertTrue(error(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true&sysparm_query=bogus=1", ADMIN,
                null), 400).contains("bogus"));
        assertTrue(error(send("GET", "/api/now/stats/sys_user?sysparm_count=true", ADMIN, null), 404)
                .contains("Invalid table sys_user"));
        error(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true", AGENT, null), 403);
        error(send("GET", "/api/now/stats/ecc_queue?sysparm_count=true", null, null), 401);
        error(send("POST", "/api/now/stats/ecc_queue?sysparm_count=true", ADMIN, "{}"), 405);
    }

    @Test
    public void instanceInfoIsPublic() throws Exception {
        HttpResponse<String> r = send("GET", "/api/mid/instance_info", null, null);
        assertEquals(200, r.statusCode());
        JsonNode body = json(r);
        assertEquals("1.2.3", body.path("version").asText());
        assertTrue(body.has("core"));
        assertTrue(body.get("core").isNull());
        assertTrue(error(send("POST", "/api/mid/instance_info", null, "{}"), 405).contains("GET"));
    }

    @Test
    public void authenticationAndRoles() throws Exception {
        HttpResponse<String> none = send("GET", "/api/mid/ecc/poll?agent=m1", null, null);
        error(none, 401);
        assertEquals("Basic realm=\"Midway\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
        error(send("GET", "/api/mid/ecc/poll?agent=m1", "mid:wrong", null), 401);
        error(send("GET", "/api/mid/ecc/poll?agent=m1", "admin:agent-pw", null), 401);
        assertTrue(error(send("GET", "/api/now/table/ecc_queue", AGENT, null), 403).contains("admin"));
        error(send("GET", "/api/mid/events", AGENT, null), 403);
        // admin also has the mid_server role
        assertEquals(201, send("POST", "/api/mid/agents/register", ADMIN, "{\"name\":\"m9\"}").statusCode());
    }

    @Test
    public void fullRoundTripWithLongPollWokenByInsert() throws Exception {
        String sysId = registerOverHttp("m1");
        HttpResponse<String> again = send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m1\"}");
        assertEquals(200, again.statusCode());
        assertEquals(sysId, json(again).path("result").path("sys_id").asText());

        CompletableFuture<HttpResponse<String>> poll = sendAsync("GET", "/api/mid/ecc/poll?agent=m1&max=5&wait_ms=15000",
                AGENT, null);
        long deadline = System.currentTimeMillis() + 10_000;
        while (service.polls().waitingPolls("m1") == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("the poll waits asynchronously", 1, service.polls().waitingPolls("m1"));
        long start = System.nanoTime();
        HttpResponse<String> inserted = send("POST", "/api/now/table/ecc_queue", ADMIN,
                "{\"agent\":\"mid.server.m1\",\"topic\":\"TCPScan\",\"name\":\"scan\",\"source\":\"127.0.0.1\","
                        + "\"payload\":{\"port\":22}}");
        assertEquals(inserted.body(), 201, inserted.statusCode());
        String outputId = json(inserted).path("result").path("sys_id").asText();
        assertTrue(inserted.headers().firstValue("Location").orElse("").endsWith("/api/now/table/ecc_queue/" + outputId));
        HttpResponse<String> polled = poll.get(2, TimeUnit.SECONDS);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("insert to poll answer took " + elapsed + " ms", elapsed < 1000);
        assertEquals(200, polled.statusCode());
        JsonNode reply = json(polled);
        assertEquals(outputId, reply.path("result").get(0).path("sys_id").asText());
        assertEquals("processing", reply.path("result").get(0).path("state").asText());
        assertEquals(22, reply.path("result").get(0).path("payload").path("port").asInt());
        assertEquals("0", reply.path("sync_revision").asText());
        assertEquals("1.2.3", reply.path("instance_version").asText());
        assertEquals("Up", reply.path("agent_status").asText());
        assertTrue(reply.path("validated").asBoolean());

        String input = "{\"records\":[{\"response_to\":\"" + outputId + "\",\"topic\":\"TCPScan\",\"payload\":"
                + "{\"open\":true},\"state\":\"processed\"}]}";
        HttpResponse<String> stored = send("POST", "/api/mid/ecc/input", AGENT, input);
        assertEquals(stored.body(), 200, stored.statusCode());
        assertEquals("inserted", json(stored).path("result").get(0).path("status").asText());
        assertEquals(outputId, json(stored).path("result").get(0).path("response_to").asText());
        HttpResponse<String> duplicate = send("POST", "/api/mid/ecc/input", AGENT, input);
        assertEquals("duplicate", json(duplicate).path("result").get(0).path("status").asText());

        HttpResponse<String> output = send("GET", "/api/now/v2/table/ecc_queue/" + outputId, ADMIN, null);
        assertEquals("processed", json(output).path("result").path("state").asText());
        HttpResponse<String> inputs = send("GET", "/api/now/table/ecc_queue?sysparm_query=queue=input%5Eresponse_to="
                + outputId + "&sysparm_fields=sys_id,state,payload&sysparm_display_value=true", ADMIN, null);
        assertEquals(inputs.body(), 200, inputs.statusCode());
        JsonNode rows = json(inputs).path("result");
        assertEquals(1, rows.size());
        assertEquals(3, rows.get(0).size());
        // sysparm_display_value=true: every field as its display value, a JSON payload as its text
        assertTrue(rows.get(0).path("payload").isTextual());
        assertTrue(io.midway.wire.Json.mapper().readTree(rows.get(0).path("payload").asText()).path("open").asBoolean());
    }

    @Test
    public void pollErrors() throws Exception {
        assertTrue(error(send("GET", "/api/mid/ecc/poll?agent=ghost", AGENT, null), 404)
                .contains("agent ghost is not registered"));
        registerOverHttp("m1");
        assertTrue(error(send("GET", "/api/mid/ecc/poll", AGENT, null), 400).contains("agent"));
        assertTrue(error(send("GET", "/api/mid/ecc/poll?agent=m1&max=lots", AGENT, null), 400).contains("max"));
        error(send("GET", "/api/mid/ecc/poll?agent=m1&max=0", AGENT, null), 400);
        assertTrue(error(send("GET", "/api/mid/ecc/poll?agent=m1&wait_ms=-5", AGENT, null), 400).contains("wait_ms"));
        error(send("POST", "/api/mid/ecc/poll?agent=m1", AGENT, "{}"), 405);
        HttpResponse<String> empty = send("GET", "/api/mid/ecc/poll?agent=m1&wait_ms=100", AGENT, null);
        assertEquals(200, empty.statusCode());
        assertEquals(0, json(empty).path("result").size());
    }

    @Test
    public void anAgentHoldingNoCredentialRevisionYetLearnsTheCurrentOneAtOnce() throws Exception {
        // A credential made between an agent's registration and its first poll must not wait for
        // the next change: the agent says it holds none (credential_revision given, empty).
        registerOverHttp("m1");
        long started = System.nanoTime();
        HttpResponse<String> reply = send("GET", "/api/mid/ecc/poll?agent=m1&wait_ms=8000&credential_revision=", AGENT, null);
        long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(reply.body(), 200, reply.statusCode());
        assertEquals(service.core().credentialRevision(), json(reply).path("credential_revision").asText());
        assertTrue("answered at once, not after the wait: " + ms + " ms", ms < 4000);
        started = System.nanoTime();
        send("GET", "/api/mid/ecc/poll?agent=m1&wait_ms=1500&credential_revision=" + service.core().credentialRevision(), AGENT, null);
        assertTrue("holding the current revision, it waits", System.nanoTime() - started >= 1_400_000_000L);
    }

    @Test
    public void badBodiesAre400WithHelpfulMessages() throws Exception {
        assertTrue(error(send("POST", "/api/mid/agents/register", AGENT, "{\"name\":"), 400).contains("malformed JSON"));
        assertTrue(error(send("POST", "/api/mid/agents/register", AGENT, ""), 400).contains("empty"));
        assertTrue(error(send("POST", "/api/mid/agents/register", AGENT, "[1,2]"), 400).contains("JSON object"));
        assertTrue(error(send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m1\",\"capabilities\":\"tcp\"}"),
                400).contains("capabilities"));
        assertTrue(error(send("POST", "/api/mid/agents/register", AGENT, "{\"version\":\"1\"}"), 400).contains("name"));
        assertTrue(error(send("POST", "/api/mid/ecc/input", AGENT, "{\"records\":[{\"response_to\":\"nope\"}]}"), 400)
                .contains("nope"));
        assertTrue(error(send("POST", "/api/mid/ecc/input", AGENT, "{\"records\":{}}"), 400).contains("records"));
        assertTrue(error(send("POST", "/api/mid/ecc/input", AGENT, "{}"), 400).contains("records"));
        assertTrue(error(send("POST", "/api/now/table/ecc_queue", ADMIN, "{\"agent\":\"mid.server.m1\"}"), 400)
                .contains("topic"));
        assertTrue(error(send("POST", "/api/now/table/ecc_queue", ADMIN,
                "{\"agent\":\"mid.server.m1\",\"topic\":\"T\",\"queue\":\"input\"}"), 400).contains("output"));
        assertTrue(error(send("POST", "/api/now/table/ecc_queue", ADMIN,
                "{\"agent\":\"mid.server.m1\",\"topic\":\"T\",\"priority\":7}"), 400).contains("priority"));
        assertTrue(error(send("POST", "/api/mid/agents/status", AGENT, "{\"name\":\"m1\",\"status\":\"Paused\"}"), 404)
                .contains("m1"));
    }

    @Test
    public void tableApiInsertsAnArrayInOneTransaction() throws Exception {
        registerOverHttp("m1");
        registerOverHttp("m2");
        HttpResponse<String> inserted = send("POST", "/api/now/v2/table/ecc_queue", ADMIN,
                "[{\"agent\":\"mid.server.m1\",\"topic\":\"A\"},{\"agent\":\"mid.server.m2\",\"topic\":\"B\"},"
                        + "{\"agent\":\"mid.server.m1\",\"topic\":\"C\",\"priority\":0}]");
        assertEquals(inserted.body(), 201, inserted.statusCode());
        JsonNode result = json(inserted).path("result");
        assertTrue(inserted.body(), result.isArray());
        assertEquals(3, result.size());
        assertEquals("A", result.get(0).path("topic").asText());
        assertEquals("mid.server.m2", result.get(1).path("agent").asText());
        assertEquals(0, result.get(2).path("priority").asInt());
        assertEquals(3, json(send("GET", "/api/now/table/ecc_queue?sysparm_query=queue=output", ADMIN, null))
                .path("result").size());

        String message = error(send("POST", "/api/now/table/ecc_queue", ADMIN,
                "[{\"agent\":\"mid.server.m1\",\"topic\":\"D\"},{\"agent\":\"mid.server.m1\"}]"), 400);
        assertTrue(message, message.contains("[1]") && message.contains("topic"));
        assertTrue(error(send("POST", "/api/now/table/ecc_queue", ADMIN, "[]"), 400).contains("empty"));
        assertEquals("the invalid array inserted nothing", 3, json(send("GET",
                "/api/now/table/ecc_queue?sysparm_query=queue=output", ADMIN, null)).path("result").size());
    }

    @Test
    public void tableApiQueriesAndErrors() throws Exception {
        registerOverHttp("m1");
        for (int i = 0; i < 3; i++) {
            assertEquals(201, send("POST", "/api/now/table/ecc_queue", ADMIN,
                    "{\"agent\":\"mid.server.m1\",\"topic\":\"T" + i + "\",\"priority\":" + (2 - i) + "}").statusCode());
        }
        JsonNode byPriority = json(send("GET",
                "/api/now/table/ecc_queue?sysparm_query=ORDERBYpriority&sysparm_limit=2&sysparm_offset=0", ADMIN, null));
        assertEquals(2, byPriority.path("result").size());
        assertEquals("T2", byPriority.path("result").get(0).path("topic").asText());
        JsonNode page = json(send("GET", "/api/now/v2/table/ecc_queue?sysparm_limit=1&sysparm_offset=2", ADMIN, null));
        assertEquals("T2", page.path("result").get(0).path("topic").asText());

        assertTrue(error(send("GET", "/api/now/table/ecc_queue?sysparm_query=bogus=1", ADMIN, null), 400)
                .contains("bogus"));
        assertTrue(error(send("GET", "/api/now/table/ecc_queue?sysparm_limit=ten", ADMIN, null), 400)
                .contains("sysparm_limit"));
        assertTrue(error(send("GET", "/api/now/table/ecc_queue?sysparm_fields=nope", ADMIN, null), 400)
                .contains("nope"));
        assertTrue(error(send("GET", "/api/now/table/sys_user", ADMIN, null), 404).contains("Invalid table sys_user"));
        error(send("GET", "/api/now/table/ecc_queue/0123456789abcdef", ADMIN, null), 404);
        error(send("GET", "/api/now/table/ecc_queue/a/b", ADMIN, null), 404);
        error(send("GET", "/api/now/table", ADMIN, null), 404);
        assertTrue(error(send("DELETE", "/api/now/table/ecc_queue/x", ADMIN, null), 404).startsWith("No Record found"));
        HttpResponse<String> postOne = send("POST", "/api/now/table/ecc_queue/x", ADMIN, "{}");
        error(postOne, 405);
        assertEquals("GET, PATCH, PUT, DELETE", postOne.headers().firstValue("Allow").orElse(""));
        error(send("POST", "/api/now/table/ecc_agent", ADMIN, "{}"), 405);
        assertTrue(error(send("GET", "/api/nothing/here", ADMIN, null), 404).contains("/api/nothing/here"));
    }

    @Test
    public void agentPatchAndEvents() throws Exception {
        String sysId = registerOverHttp("m1");
        JsonNode agents = json(send("GET", "/api/now/table/ecc_agent?sysparm_query=name=m1%5Ecapabilities=tcp", ADMIN, null));
        assertEquals(sysId, agents.path("result").get(0).path("sys_id").asText());
        assertTrue(error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"status\":\"Sleeping\"}"), 400)
                .contains("Paused, Up"));
        assertTrue(error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"colour\":\"red\"}"), 400)
                .contains("colour"));
        assertTrue(error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"validated\":\"maybe\"}"), 400)
                .contains("validated"));
        error(send("PATCH", "/api/now/table/ecc_agent/nope", ADMIN, "{\"status\":\"Paused\"}"), 404);
        HttpResponse<String> paused = send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"status\":\"Paused\",\"ip_ranges\":\"10.0.0.0/8, 192.168.0.0/16\",\"is_default\":true}");
        assertEquals(paused.body(), 200, paused.statusCode());
        JsonNode agent = json(paused).path("result");
        assertEquals("Paused", agent.path("status").asText());
        assertEquals(2, agent.path("ip_ranges").size());
        assertTrue(agent.path("is_default").asBoolean());
        HttpResponse<String> resumed = send("POST", "/api/mid/agents/status", AGENT,
                "{\"name\":\"m1\",\"status\":\"Up\"}");
        assertEquals("Up", json(resumed).path("result").path("status").asText());
        assertEquals(sysId, json(send("GET", "/api/now/table/ecc_agent/" + sysId + "?sysparm_fields=sys_id", ADMIN,
                null)).path("result").path("sys_id").asText());

        JsonNode events = json(send("GET", "/api/mid/events", ADMIN, null)).path("result");
        assertEquals(3, events.size());
        assertEquals("mid_server.up", events.get(0).path("name").asText());
        assertEquals("mid_server.paused", events.get(1).path("name").asText());
        assertEquals("m1", events.get(1).path("agent").asText());
        assertNotNull(events.get(1).path("time").asText());
        long seq = events.get(1).path("seq").asLong();
        JsonNode after = json(send("GET", "/api/mid/events?since=" + seq, ADMIN, null)).path("result");
        assertEquals(1, after.size());
        assertEquals("mid_server.up", after.get(0).path("name").asText());
        error(send("GET", "/api/mid/events?since=yesterday", ADMIN, null), 400);
    }

    @Test
    public void aRequestWhileTheDatabaseClosesIsA503NotA500() throws Exception {
        store.close();
        String message = error(send("GET", "/api/now/table/ecc_queue", ADMIN, null), 503);
        assertTrue(message, message.startsWith("the instance is stopping"));
    }

    private String agentWith(String name, String capability, String ipRange) throws Exception {
        HttpResponse<String> r = send("POST", "/api/mid/agents/register", AGENT,
                "{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"host_name\":\"h\",\"ip_address\":\"127.0.0.1\","
                        + "\"capabilities\":[\"" + capability + "\"]}");
        assertEquals(r.body(), 201, r.statusCode());
        String sysId = json(r).path("result").path("sys_id").asText();
        HttpResponse<String> patched = send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"validated\":true,\"applications\":[\"Discovery\"],\"ip_ranges\":[\"" + ipRange + "\"]}");
        assertEquals(patched.body(), 200, patched.statusCode());
        return sysId;
    }

    private JsonNode select(String body) throws Exception {
        HttpResponse<String> r = send("POST", "/api/mid/admin/select", ADMIN, body);
        assertEquals(r.body(), 200, r.statusCode());
        return json(r).path("result");
    }

    @Test
    public void selectAnswersTheChosenAgentAndWhyWithoutEnqueuingAnything() throws Exception {
        agentWith("dc-1", "ssh", "10.1.0.0/16");
        agentWith("dc-2", "snmp", "10.0.0.0/8");

        JsonNode ssh = select("{\"application\":\"Discovery\",\"ip\":\"10.1.2.3\",\"capability\":\"ssh\",\"algorithm\":\"new\"}");
        assertEquals(ssh.toString(), "dc-1", ssh.path("agent").asText());
        assertEquals(ssh.toString(), "new", ssh.path("algorithm").asText());
        assertTrue(ssh.toString(), ssh.path("reason").asText().contains("10.1.0.0/16"));
        assertTrue(ssh.toString(), ssh.path("steps").size() >= 2);

        JsonNode snmp = select("{\"application\":\"Discovery\",\"ip\":\"10.1.2.3\",\"capability\":\"snmp\"}");
        assertEquals("new (the default property) needs the capability: " + snmp, "dc-2", snmp.path("agent").asText());
        JsonNode legacy = select("{\"application\":\"Discovery\",\"ip\":\"10.1.2.3\",\"capability\":\"snmp\",\"algorithm\":\"legacy\"}");
        assertEquals("legacy ignores the capability and takes the narrowest range: " + legacy, "dc-1",
                legacy.path("agent").asText());

        JsonNode none = select("{\"application\":\"Orchestration\",\"ip\":\"10.1.2.3\"}");
        assertTrue(none.toString(), none.path("agent").isNull());
        assertTrue(none.toString(), none.path("reason").asText().contains("Orchestration"));

        assertTrue(error(send("POST", "/api/mid/admin/select", ADMIN, "{\"application\":\"Discovery\",\"algorithm\":\"fastest\"}"), 400)
                .contains("fastest"));
        assertTrue(error(send("POST", "/api/mid/admin/select", ADMIN, "{\"application\":\"Discovery\",\"ip\":\"not-an-ip\"}"), 400)
                .contains("not-an-ip"));
        assertEquals(401, send("POST", "/api/mid/admin/select", null, "{\"application\":\"Discovery\"}").statusCode());
        assertEquals(403, send("POST", "/api/mid/admin/select", AGENT, "{\"application\":\"Discovery\"}").statusCode());
        assertEquals(405, send("GET", "/api/mid/admin/select", ADMIN, null).statusCode());
        assertEquals("nothing was enqueued", 0, json(send("GET", "/api/now/table/ecc_queue?sysparm_query=topic!=HeartbeatProbe",
                ADMIN, null)).path("result").size());

        // the same choice when a record names no agent: routed on insert, keeping why
        HttpResponse<String> inserted = send("POST", "/api/now/table/ecc_queue", ADMIN,
                "{\"topic\":\"SSHCommand\",\"name\":\"uname\",\"source\":\"10.1.2.3\",\"application\":\"Discovery\",\"capability\":\"ssh\"}");
        assertEquals(inserted.body(), 201, inserted.statusCode());
        JsonNode record = json(inserted).path("result");
        assertEquals(record.toString(), "mid.server.dc-1", record.path("agent").asText());
        assertEquals(record.toString(), ssh.path("reason").asText(), record.path("selection").asText());
        JsonNode found = json(send("GET", "/api/now/table/ecc_queue?sysparm_query=application=Discovery", ADMIN, null)).path("result");
        assertEquals(found.toString(), 1, found.size());
    }

    @Test
    public void capabilitiesSetByHandOverPatchAreValidatedAndJoinTheAdvertisedOnes() throws Exception {
        String sysId = agentWith("dc-4", "http", "10.1.0.0/16");
        String ok = "{\"application\":\"Discovery\",\"ip\":\"10.1.2.3\",\"capability\":\"ssh\",\"algorithm\":\"new\"}";
        assertTrue("http only: not chosen for ssh", select(ok).path("agent").isNull());

        String message = error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"manual_capabilities\":[\"ssh\",\"\"]}"), 400);
        assertTrue(message, message.startsWith("manual_capabilities[1] is blank"));
        message = error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"manual_capabilities\":[\"ssh\",true]}"), 400);
        assertTrue(message, message.startsWith("manual_capabilities[1] is boolean true, not a string"));
        message = error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"manual_capabilities\":42}"), 400);
        assertTrue(message, message.contains("manual_capabilities must be a list of strings"));
        JsonNode unchanged = json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null)).path("result");
        assertEquals(unchanged.toString(), "[]", unchanged.path("manual_capabilities").toString());

        HttpResponse<String> patched = send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"manual_capabilities\":[\"powershell\",\" ssh \",\"SSH\"],\"capabilities\":[\"ignored\"]}");
        assertEquals(patched.body(), 200, patched.statusCode());
        JsonNode agent = json(patched).path("result");
        assertEquals(agent.toString(), "[\"http\",\"powershell\",\"ssh\"]", agent.path("capabilities").toString());
        assertEquals(agent.toString(), "[\"powershell\",\"ssh\"]", agent.path("manual_capabilities").toString());
        assertEquals(agent.toString(), "[\"http\"]", agent.path("advertised_capabilities").toString());
        assertEquals("dc-4", select(ok).path("agent").asText());

        // re-registration replaces only the advertised part; its reply carries the union
        HttpResponse<String> again = send("POST", "/api/mid/agents/register", AGENT,
                "{\"name\":\"dc-4\",\"version\":\"1.0.0\",\"host_name\":\"h\",\"ip_address\":\"127.0.0.1\","
                        + "\"capabilities\":[\"snmp\"]}");
        assertEquals(again.body(), 200, again.statusCode());
        assertEquals(again.body(), "[\"snmp\",\"powershell\",\"ssh\"]",
                json(again).path("result").path("capabilities").toString());
        JsonNode found = json(send("GET", "/api/now/table/ecc_agent?sysparm_query=capabilities=powershell"
                + "&sysparm_fields=name,manual_capabilities,advertised_capabilities", ADMIN, null)).path("result");
        assertEquals(found.toString(), 1, found.size());
        assertEquals(found.toString(), "[\"snmp\"]", found.get(0).path("advertised_capabilities").toString());

        HttpResponse<String> cleared = send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"manual_capabilities\":[]}");
        assertEquals(cleared.body(), 200, cleared.statusCode());
        assertEquals("[\"snmp\"]", json(cleared).path("result").path("capabilities").toString());
        assertTrue(select(ok).path("agent").isNull());
        message = error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"capabilities\":[\"ssh\"]}"), 400);
        assertTrue(message, message.contains("manual_capabilities"));
    }

    @Test
    public void aBadIpRangeIsRefusedWithTheEntryNamedAndNothingChanges() throws Exception {
        String sysId = agentWith("dc-3", "ssh", "192.168.0.0/24");
        String message = error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"ip_ranges\":[\"10.0.0.0/8\",\"10.0.0.300/8\"]}"), 400);
        assertTrue(message, message.contains("ip_ranges[1]") && message.contains("10.0.0.300/8"));
        assertTrue(error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"ip_ranges\":[\"10.0.0.9-10.0.0.1\"]}"), 400)
                .contains("10.0.0.9-10.0.0.1"));
        JsonNode agent = json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null)).path("result");
        assertEquals(agent.toString(), "[\"192.168.0.0/24\"]", agent.path("ip_ranges").toString());
    }
}
