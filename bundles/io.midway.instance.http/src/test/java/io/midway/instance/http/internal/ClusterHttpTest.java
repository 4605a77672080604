package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

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

/**
 * The {@code ecc_agent_cluster} table over HTTP (a real Jetty 12 on 127.0.0.1, a real
 * {@link io.midway.instance.internal.InstanceServices} on H2): create, read, query, change and delete,
 * every refusal a 4xx naming what is wrong, and {@code ecc_agent.cluster} kept in step.
 */
public class ClusterHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String AGENT = "mid:agent-pw";
    private static final String TABLE = "/api/now/table/ecc_agent_cluster";

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
        context.addServlet(new ServletHolder(new AgentRegistrationServlet(service.agents(), realm, new io.midway.instance.internal.AgentIdentities(service.core()))), "/api/mid/agents/register");
        TableApiServlet table = new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm);
        context.addServlet(new ServletHolder(table), "/api/now/table/*");
        context.addServlet(new ServletHolder(table), "/api/now/v2/table/*");
        context.addServlet(new ServletHolder(new StatsApiServlet(service.outputs(), realm)), "/api/now/stats/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
    }

    private HttpResponse<String> send(String method, String path, String credentials, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return send(method, path, ADMIN, body);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.mapper().readTree(response.body());
    }

    private static JsonNode ok(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        return json(response).path("result");
    }

    /** Asserts the error shape and status; returns message and detail. */
    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode body = json(response);
        assertEquals(response.body(), "failure", body.path("status").asText());
        assertFalse("no stack trace: " + response.body(), response.body().contains("Exception"));
        return body.path("error").path("message").asText() + " | " + body.path("error").path("detail").asText();
    }

    private void registerAgent(String name) throws Exception {
        HttpResponse<String> r = send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"" + name
                + "\",\"version\":\"1.0.0\",\"capabilities\":[]}");
        assertEquals(r.body(), 201, r.statusCode());
    }

    private String agentCluster(String name) throws Exception {
        JsonNode rows = ok(admin("GET", "/api/now/table/ecc_agent?sysparm_query=name=" + name
                + "&sysparm_fields=name,cluster", null), 200);
        assertEquals(rows.toString(), 1, rows.size());
        return rows.get(0).path("cluster").asText();
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String query(String q) {
        return URLEncoder.encode(q, StandardCharsets.UTF_8);
    }

    @Test
    public void clustersAreCreatedReadQueriedChangedAndDeleted() throws Exception {
        registerAgent("dc-1");
        registerAgent("lb-1");
        HttpResponse<String> post = admin("POST", TABLE, "{\"name\":\"dc\",\"type\":\"failover\","
                + "\"members\":[\"dc-1\",\"dc-2\"]}");
        JsonNode created = ok(post, 201);
        String sysId = created.path("sys_id").asText();
        assertEquals(32, sysId.length());
        assertEquals("absolute", base + TABLE + "/" + sysId, post.headers().firstValue("Location").orElseThrow());
        assertEquals("dc", created.path("name").asText());
        assertEquals("failover", created.path("type").asText());
        assertEquals(List.of("dc-1", "dc-2"), texts(created.path("members")));
        assertEquals("2026-03-01 10:00:00", created.path("sys_created_on").asText());
        assertEquals("2026-03-01 10:00:00", created.path("sys_updated_on").asText());

        assertEquals("the agent list shows the cluster", "dc", agentCluster("dc-1"));
        registerAgent("dc-2");
        assertEquals("a member that registers after the cluster was defined", "dc", agentCluster("dc-2"));

        String lb = ok(admin("POST", "/api/now/v2/table/ecc_agent_cluster", "{\"name\":\"lb\",\"type\":\"load_balance\","
                + "\"members\":\"lb-1, lb-2\"}"), 201).path("sys_id").asText();

        // read one, list, query, fields, v2, stats
        assertEquals(created, ok(admin("GET", TABLE + "/" + sysId, null), 200));
        assertEquals(List.of("dc", "lb"), ok(admin("GET", TABLE, null), 200).findValuesAsText("name"));
        assertEquals(List.of("lb"), ok(admin("GET", TABLE + "?sysparm_query=" + query("type=load_balance"), null), 200)
                .findValuesAsText("name"));
        assertEquals(List.of("dc"), ok(admin("GET", "/api/now/v2/table/ecc_agent_cluster?sysparm_query="
                + query("members=dc-2"), null), 200).findValuesAsText("name"));
        JsonNode fields = ok(admin("GET", TABLE + "?sysparm_fields=name,members&sysparm_query="
                + query("ORDERBYDESCname"), null), 200);
        assertEquals("{\"name\":\"lb\",\"members\":[\"lb-1\",\"lb-2\"]}", fields.get(0).toString());
        assertEquals("1", ok(admin("GET", "/api/now/stats/ecc_agent_cluster?sysparm_count=true&sysparm_query="
                + query("type=failover"), null), 200).path("stats").path("count").asText());

        // change: rename, reorder, drop dc-1
        clock.advance(Duration.ofSeconds(5));
        JsonNode changed = ok(admin("PATCH", TABLE + "/" + sysId, "{\"name\":\"dc-east\",\"members\":[\"dc-3\",\"dc-2\"],"
                + "\"sys_id\":\"ignored\"}"), 200);
        assertEquals("dc-east", changed.path("name").asText());
        assertEquals("failover", changed.path("type").asText());
        assertEquals(List.of("dc-3", "dc-2"), texts(changed.path("members")));
        assertEquals("2026-03-01 10:00:05", changed.path("sys_updated_on").asText());
        assertEquals("2026-03-01 10:00:00", changed.path("sys_created_on").asText());
        assertEquals("left the cluster", "", agentCluster("dc-1"));
        assertEquals("follows the new name", "dc-east", agentCluster("dc-2"));
        assertEquals("load_balance", ok(admin("PUT", TABLE + "/" + sysId, "{\"type\":\"load_balance\"}"), 200)
                .path("type").asText());

        // PATCH ecc_agent cluster: the agent moves to that cluster as its last member
        String dc1 = ok(admin("GET", "/api/now/table/ecc_agent?sysparm_query=name=dc-1", null), 200).get(0)
                .path("sys_id").asText();
        assertEquals("lb", ok(admin("PATCH", "/api/now/table/ecc_agent/" + dc1, "{\"cluster\":\"lb\"}"), 200)
                .path("cluster").asText());
        assertEquals(List.of("lb-1", "lb-2", "dc-1"), texts(ok(admin("GET", TABLE + "/" + lb, null), 200).path("members")));
        String dc2 = ok(admin("GET", "/api/now/table/ecc_agent?sysparm_query=name=dc-2", null), 200).get(0)
                .path("sys_id").asText();
        assertEquals("lb", ok(admin("PATCH", "/api/now/table/ecc_agent/" + dc2, "{\"cluster\":\"lb\"}"), 200)
                .path("cluster").asText());
        assertEquals("and leaves its old one", List.of("dc-3"), texts(ok(admin("GET", TABLE + "/" + sysId, null), 200)
                .path("members")));
        assertEquals("", ok(admin("PATCH", "/api/now/table/ecc_agent/" + dc1, "{\"cluster\":\"\"}"), 200)
                .path("cluster").asText());
        assertEquals(List.of("lb-1", "lb-2", "dc-2"), texts(ok(admin("GET", TABLE + "/" + lb, null), 200).path("members")));
        String unknown = error(admin("PATCH", "/api/now/table/ecc_agent/" + dc1, "{\"cluster\":\"nope\"}"), 400);
        assertTrue(unknown, unknown.contains("no cluster named 'nope'"));

        // delete
        HttpResponse<String> deleted = admin("DELETE", TABLE + "/" + lb, null);
        assertEquals(deleted.body(), 204, deleted.statusCode());
        assertEquals("its members are in no cluster", "", agentCluster("dc-2"));
        assertEquals("", agentCluster("lb-1"));
        error(admin("GET", TABLE + "/" + lb, null), 404);
        error(admin("DELETE", TABLE + "/" + lb, null), 404);
        assertEquals(List.of("dc-east"), ok(admin("GET", TABLE, null), 200).findValuesAsText("name"));
    }

    /** One refused request: method, path (relative to the table), body, status, a fragment of message or detail. */
    private record Refusal(String method, String path, String body, int status, String says) {
    }

    @Test
    public void badRequestsAreRefusedWithAClearReason() throws Exception {
        String dc = ok(admin("POST", TABLE, "{\"name\":\"dc\",\"type\":\"failover\",\"members\":[\"dc-1\",\"dc-2\"]}"),
                201).path("sys_id").asText();
        String lb = ok(admin("POST", TABLE, "{\"name\":\"lb\",\"type\":\"load_balance\",\"members\":[\"lb-1\"]}"),
                201).path("sys_id").asText();
        List<Refusal> refusals = List.of(
                new Refusal("POST", "", "{\"type\":\"failover\"}", 400, "field 'name' is required"),
                new Refusal("POST", "", "{\"name\":\" \",\"type\":\"failover\"}", 400, "field 'name' must not be empty"),
                new Refusal("POST", "", "{\"name\":\"x\"}", 400, "field 'type' is required | one of: failover, load_balance"),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":\"hot_standby\"}", 400,
                        "unknown cluster type 'hot_standby' | one of: failover, load_balance"),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":\"Failover\"}", 400, "unknown cluster type 'Failover'"),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":7}", 400, "field 'type' must be a string"),
                new Refusal("POST", "", "{\"name\":\"dc\",\"type\":\"failover\"}", 409,
                        "a cluster named 'dc' exists | its sys_id is " + dc),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":\"failover\",\"members\":[\"a\",\"dc-2\"]}", 409,
                        "agent 'dc-2' is already in cluster 'dc'"),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":\"failover\",\"members\":[\"a\",\"b\",\"a\"]}", 400,
                        "agent 'a' is listed twice in members"),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":\"failover\",\"members\":[\"a b\"]}", 400,
                        "invalid agent name 'a b' in members"),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":\"failover\",\"members\":[1]}", 400,
                        "field 'members' must hold strings only"),
                new Refusal("POST", "", "{\"name\":\"x\",\"type\":\"failover\",\"leader\":\"a\"}", 400,
                        "unknown field(s) leader"),
                new Refusal("POST", "", "[1]", 400, "the request body must be a JSON object"),
                new Refusal("POST", "", "{", 400, ""),
                new Refusal("PATCH", "/" + lb, "{\"members\":[\"lb-1\",\"dc-1\"]}", 409,
                        "agent 'dc-1' is already in cluster 'dc' | an agent is in at most one cluster: remove it from 'dc' "
                                + "first (PATCH /api/now/table/ecc_agent_cluster/" + dc + ")"),
                new Refusal("PATCH", "/" + lb, "{\"name\":\"dc\"}", 409, "a cluster named 'dc' exists"),
                new Refusal("PATCH", "/" + lb, "{\"type\":\"round_robin\"}", 400, "unknown cluster type 'round_robin'"),
                new Refusal("PATCH", "/" + lb, "{}", 400, "nothing to change"),
                new Refusal("PATCH", "/nope", "{\"type\":\"failover\"}", 404, "No Record found"),
                new Refusal("GET", "/nope", null, 404, "no ecc_agent_cluster record with sys_id nope"),
                new Refusal("DELETE", "", null, 405, ""),
                new Refusal("GET", "?sysparm_query=" + query("leader=a"), null, 400, "leader"),
                new Refusal("GET", "?sysparm_query=" + query("ORDERBYmembers"), null, 400, "members"));
        for (Refusal r : refusals) {
            String said = error(admin(r.method(), TABLE + r.path(), r.body()), r.status());
            assertTrue(r + " said: " + said, said.contains(r.says()));
        }
        assertEquals("nothing was changed", List.of("dc", "lb"), ok(admin("GET", TABLE, null), 200)
                .findValuesAsText("name"));
        assertEquals(List.of("lb-1"), texts(ok(admin("GET", TABLE + "/" + lb, null), 200).path("members")));
        error(send("GET", TABLE, AGENT, null), 403);
    }
}
