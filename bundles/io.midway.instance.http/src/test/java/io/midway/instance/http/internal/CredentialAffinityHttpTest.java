package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
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
import java.util.TreeSet;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.CredentialAffinityService;
import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.internal.CredentialService;
import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServlet;

/**
 * Credential affinity over a real Jetty 12 on 127.0.0.1 and a real H2 database: agents report
 * their whole set ({@code POST /api/mid/credentials/affinity}), admins read and forget rows
 * ({@code dscy_credentials_affinity}), and a deleted credential takes its rows with it.
 */
public class CredentialAffinityHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String AGENT = "mid:agent-pw";
    private static final String REPORT = "/api/mid/credentials/affinity";
    private static final String TABLE = "/api/now/table/dscy_credentials_affinity";
    private static final String CREDENTIALS = "/api/now/table/discovery_credentials";
    private static final String PASSWORD = "Affinity-Pa55-word-3X";

    private Server server;
    private String base;
    private final List<String> bodies = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Before
    public void startServer() throws Exception {
        CredentialService credentials = new CredentialService(service.core(),
                tmp.getRoot().toPath().resolve(CredentialCipher.KEY_FILE));
        CredentialAffinityService affinity = new CredentialAffinityService(service.core());
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
        add(context, new AgentRegistrationServlet(service.agents(), realm, new io.midway.instance.internal.AgentIdentities(service.core())), "/api/mid/agents/register");
        add(context, new CredentialDeliveryServlet(credentials, realm), "/api/mid/credentials");
        add(context, new CredentialAffinityServlet(affinity, realm), REPORT);
        TableApiServlet table = new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm);
        add(context, table, "/api/now/table/*");
        add(context, table, "/api/now/v2/table/*");
        CredentialTableServlet credentialTable = new CredentialTableServlet(credentials, service.outputs(), realm);
        add(context, credentialTable, CREDENTIALS + "/*");
        CredentialAffinityTableServlet affinityTable = new CredentialAffinityTableServlet(affinity, service.outputs(), realm);
        add(context, affinityTable, TABLE + "/*");
        add(context, affinityTable, "/api/now/v2/table/dscy_credentials_affinity/*");
        add(context, new StatsApiServlet(service.outputs(), realm), "/api/now/stats/*");
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
        if (server != null) {
            server.stop();
        }
        for (String body : bodies) {
            assertFalse("a response shows a secret: " + body, body.contains(PASSWORD));
        }
    }

    private HttpResponse<String> send(String method, String path, String user, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        bodies.add(r.body());
        return r;
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.mapper().readTree(response.body());
    }

    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode body = json(response);
        assertEquals(response.body(), "failure", body.path("status").asText());
        return body.path("error").path("message").asText() + " | " + body.path("error").path("detail").asText();
    }

    private String credential(String name) throws Exception {
        HttpResponse<String> r = send("POST", CREDENTIALS, ADMIN, "{\"name\":\"" + name
                + "\",\"type\":\"basic\",\"user_name\":\"scott\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(r.body(), 201, r.statusCode());
        return json(r).path("result").path("sys_id").asText();
    }

    private static String entry(String credential, String type, String target) {
        return "{\"credential\":\"" + credential + "\",\"type\":\"" + type + "\",\"target\":\"" + target + "\"}";
    }

    private JsonNode report(String agent, String... entries) throws Exception {
        HttpResponse<String> r = send("POST", REPORT, AGENT, "{\"agent\":\"" + agent + "\",\"affinity\":["
                + String.join(",", entries) + "]}");
        assertEquals(r.body(), 200, r.statusCode());
        return json(r).path("result");
    }

    private JsonNode rows(String query) throws Exception {
        HttpResponse<String> r = send("GET", TABLE + (query == null ? ""
                : "?sysparm_query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)), ADMIN, null);
        assertEquals(r.body(), 200, r.statusCode());
        return json(r).path("result");
    }

    /** @return "agent type target credential_name" of each row, sorted */
    private static TreeSet<String> lines(JsonNode rows) {
        TreeSet<String> lines = new TreeSet<>();
        rows.forEach(r -> lines.add(r.path("agent").asText() + " " + r.path("type").asText() + " "
                + r.path("target").asText() + " " + r.path("credential_name").asText()));
        return lines;
    }

    private static JsonNode rowFor(JsonNode rows, String agent, String target) {
        for (JsonNode row : rows) {
            if (row.path("agent").asText().equals(agent) && row.path("target").asText().equals(target)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + agent + " " + target + " in " + rows);
    }

    // --- the agents' reports -------------------------------------------------------------------

    @Test
    public void aReportReplacesThatAgentsRowsOnly() throws Exception {
        register("alpha");
        register("beta");
        String root = credential("linux-root");
        String web = credential("web-admin");

        JsonNode first = report("alpha", entry(root, "basic", "10.0.0.5"), entry(web, "basic", "10.0.0.6"));
        assertEquals("{\"agent\":\"alpha\",\"stored\":2,\"dropped\":0}", first.toString());
        report("beta", entry(root, "basic", "10.0.0.5"));
        JsonNode before = rows(null);
        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.5 linux-root", "alpha basic 10.0.0.6 web-admin",
                "beta basic 10.0.0.5 linux-root")), lines(before));
        JsonNode row = rowFor(before, "alpha", "10.0.0.5");
        assertEquals(32, row.path("sys_id").asText().length());
        assertEquals(root, row.path("credential").asText());
        assertEquals("2026-03-01 10:00:00", row.path("sys_updated_on").asText());

        // alpha's set now: 10.0.0.5 moved to web-admin, 10.0.0.6 gone, a host name added
        clock.advance(Duration.ofMinutes(5));
        report("alpha", entry(web, "basic", "10.0.0.5"), entry(root, "ssh_key", "db1.example"));
        JsonNode after = rows(null);
        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.5 web-admin", "alpha ssh_key db1.example linux-root",
                "beta basic 10.0.0.5 linux-root")), lines(after));
        JsonNode moved = rowFor(after, "alpha", "10.0.0.5");
        assertEquals("the row of (basic, 10.0.0.5) is kept and changed", row.path("sys_id").asText(),
                moved.path("sys_id").asText());
        assertEquals(web, moved.path("credential").asText());
        assertEquals("2026-03-01 10:05:00", moved.path("sys_updated_on").asText());
        JsonNode beta = rowFor(before, "beta", "10.0.0.5");
        assertEquals("beta's row is untouched", beta, rowFor(after, "beta", "10.0.0.5"));

        // the same set again changes nothing
        clock.advance(Duration.ofMinutes(5));
        report("alpha", entry(web, "basic", "10.0.0.5"), entry(root, "ssh_key", "db1.example"));
        assertEquals(after, rows(null));

        // an empty set clears the agent's rows
        JsonNode cleared = report("alpha");
        assertEquals(0, cleared.path("stored").asInt());
        assertEquals(new TreeSet<>(List.of("beta basic 10.0.0.5 linux-root")), lines(rows(null)));
    }

    @Test
    public void entriesNamingAnUnknownCredentialAreDroppedSilently() throws Exception {
        register("alpha");
        String root = credential("linux-root");
        JsonNode result = report("alpha", entry(root, "basic", "10.0.0.5"),
                entry("0123456789abcdef0123456789abcdef", "basic", "10.0.0.6"),
                entry("not-a-sys-id-" + "x".repeat(40), "basic", "10.0.0.7"));
        assertEquals(1, result.path("stored").asInt());
        assertEquals(2, result.path("dropped").asInt());
        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.5 linux-root")), lines(rows(null)));
    }

    @Test
    public void badReportsAre400AndChangeNothing() throws Exception {
        register("alpha");
        String root = credential("linux-root");
        report("alpha", entry(root, "basic", "10.0.0.5"));
        JsonNode before = rows(null);
        String longTarget = "h".repeat(301);
        Map<String, String> bad = Map.of(
                "[]", "must be a JSON object",
                "{\"affinity\":[]}", "field 'agent' is required",
                "{\"agent\":\"alpha\"}", "field 'affinity' is required",
                "{\"agent\":\"alpha\",\"affinity\":{}}", "field 'affinity' must be a list",
                "{\"agent\":\"alpha\",\"affinity\":[\"x\"]}", "affinity[0] must be an object",
                "{\"agent\":\"alpha\",\"affinity\":[" + entry(root, "basic", "10.0.0.9") + ",{\"credential\":\""
                        + root + "\",\"type\":\"basic\"}]}", "affinity[1]: field 'target' is required",
                "{\"agent\":\"alpha\",\"affinity\":[{\"credential\":\"" + root + "\",\"type\":7,\"target\":\"h\"}]}",
                "affinity[0]: field 'type' must be a string",
                "{\"agent\":\"alpha\",\"affinity\":[" + entry(root, "basic", " ") + "]}",
                "affinity[0]: field 'target' must not be empty",
                "{\"agent\":\"alpha\",\"affinity\":[" + entry(root, "basic", longTarget) + "]}",
                "affinity[0]: field 'target' is too long",
                "{\"agent\":\"alpha\",\"affinity\":[", "");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String message = error(send("POST", REPORT, AGENT, e.getKey()), 400);
            assertTrue(e.getKey() + " → " + message, message.contains(e.getValue()));
        }
        StringBuilder many = new StringBuilder("{\"agent\":\"alpha\",\"affinity\":[");
        for (int i = 0; i <= CredentialAffinityService.MAX_ENTRIES; i++) {
            many.append(i == 0 ? "" : ",").append(entry(root, "basic", "h" + i));
        }
        assertTrue(error(send("POST", REPORT, AGENT, many.append("]}").toString()), 400)
                .contains("too many affinity entries"));
        assertEquals("nothing changed", before, rows(null));
    }

    @Test
    public void anUnknownAgentIs404AndTheRolesAndMethodAreChecked() throws Exception {
        String root = credential("linux-root");
        String body = "{\"agent\":\"ghost\",\"affinity\":[" + entry(root, "basic", "10.0.0.5") + "]}";
        assertTrue(error(send("POST", REPORT, AGENT, body), 404).contains("agent ghost is not registered"));
        assertEquals(0, rows(null).size());
        assertEquals(401, send("POST", REPORT, null, body).statusCode());
        assertEquals(401, send("POST", REPORT, "mid:wrong", body).statusCode());
        HttpResponse<String> get = send("GET", REPORT, AGENT, null);
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        assertEquals("the mid_server user is no admin", 403, send("GET", TABLE, AGENT, null).statusCode());
    }

    // --- the Table API -----------------------------------------------------------------------

    @Test
    public void adminsQueryGetAndCountRowsWithTheCredentialName() throws Exception {
        register("alpha");
        register("beta");
        String root = credential("linux-root");
        String web = credential("web-admin");
        report("alpha", entry(root, "basic", "10.0.0.5"), entry(web, "basic", "10.0.0.6"),
                entry(root, "ssh_key", "db1.example"));
        report("beta", entry(web, "basic", "10.0.0.5"));

        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.5 linux-root", "alpha ssh_key db1.example linux-root")),
                lines(rows("credential=" + root)));
        assertEquals(new TreeSet<>(List.of("beta basic 10.0.0.5 web-admin")), lines(rows("agent=beta")));
        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.5 linux-root", "beta basic 10.0.0.5 web-admin")),
                lines(rows("target=10.0.0.5^type=basic")));
        assertEquals(new TreeSet<>(List.of("alpha ssh_key db1.example linux-root")), lines(rows("type=ssh_key")));

        // default order agent, type, target; limit and offset
        JsonNode all = rows(null);
        assertEquals(List.of("10.0.0.5", "10.0.0.6", "db1.example", "10.0.0.5"), targets(all));
        JsonNode page = json(send("GET", TABLE + "?sysparm_limit=2&sysparm_offset=1", ADMIN, null)).path("result");
        assertEquals(List.of("10.0.0.6", "db1.example"), targets(page));
        JsonNode desc = rows("agent=alpha^ORDERBYDESCtarget");
        assertEquals(List.of("db1.example", "10.0.0.6", "10.0.0.5"), targets(desc));

        JsonNode one = all.get(0);
        String sysId = one.path("sys_id").asText();
        assertEquals(one, json(send("GET", TABLE + "/" + sysId, ADMIN, null)).path("result"));
        assertEquals(one, json(send("GET", "/api/now/v2/table/dscy_credentials_affinity/" + sysId, ADMIN, null))
                .path("result"));
        assertEquals("{\"credential_name\":\"linux-root\",\"target\":\"10.0.0.5\"}",
                json(send("GET", TABLE + "/" + sysId + "?sysparm_fields=credential_name,target", ADMIN, null))
                        .path("result").toString());
        assertEquals(List.of("sys_id", "agent", "credential", "credential_name", "type", "target", "sys_updated_on"),
                fieldNames(one));

        assertTrue(error(send("GET", TABLE + "/0123456789abcdef0123456789abcdef", ADMIN, null), 404)
                .contains("No Record found"));
        assertTrue(error(send("GET", TABLE + "?sysparm_query=credential_name%3Dlinux-root", ADMIN, null), 400)
                .contains("credential_name"));
        assertTrue(error(send("GET", TABLE + "?sysparm_query=password%3Dx", ADMIN, null), 400)
                .contains("password"));
        assertEquals(405, send("POST", TABLE, ADMIN, "{}").statusCode());
        assertEquals(405, send("PATCH", TABLE + "/" + sysId, ADMIN, "{}").statusCode());
        JsonNode count = json(send("GET", "/api/now/stats/dscy_credentials_affinity?sysparm_count=true"
                + "&sysparm_query=agent%3Dalpha", ADMIN, null));
        assertEquals("3", count.path("result").path("stats").path("count").asText());
    }

    @Test
    public void deleteForgetsOneRowAndTheAgentReportsItAgain() throws Exception {
        register("alpha");
        String root = credential("linux-root");
        report("alpha", entry(root, "basic", "10.0.0.5"), entry(root, "basic", "10.0.0.6"));
        String sysId = rowFor(rows(null), "alpha", "10.0.0.5").path("sys_id").asText();

        HttpResponse<String> deleted = send("DELETE", TABLE + "/" + sysId, ADMIN, null);
        assertEquals(deleted.body(), 204, deleted.statusCode());
        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.6 linux-root")), lines(rows(null)));
        error(send("GET", TABLE + "/" + sysId, ADMIN, null), 404);
        error(send("DELETE", TABLE + "/" + sysId, ADMIN, null), 404);
        assertEquals(403, send("DELETE", TABLE + "/" + sysId, AGENT, null).statusCode());

        report("alpha", entry(root, "basic", "10.0.0.5"), entry(root, "basic", "10.0.0.6"));
        JsonNode relearned = rowFor(rows(null), "alpha", "10.0.0.5");
        assertNotEquals(sysId, relearned.path("sys_id").asText());
        assertEquals(2, rows(null).size());
    }

    @Test
    public void deletingACredentialDeletesItsAffinityRows() throws Exception {
        register("alpha");
        register("beta");
        String root = credential("linux-root");
        String web = credential("web-admin");
        report("alpha", entry(root, "basic", "10.0.0.5"), entry(web, "basic", "10.0.0.6"));
        report("beta", entry(root, "basic", "10.0.0.7"));

        HttpResponse<String> deleted = send("DELETE", CREDENTIALS + "/" + root, ADMIN, null);
        assertEquals(deleted.body(), 204, deleted.statusCode());
        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.6 web-admin")), lines(rows(null)));

        // an agent that still holds the old set reports it: the deleted credential is dropped
        JsonNode result = report("alpha", entry(root, "basic", "10.0.0.5"), entry(web, "basic", "10.0.0.6"));
        assertEquals(1, result.path("stored").asInt());
        assertEquals(1, result.path("dropped").asInt());
        assertEquals(new TreeSet<>(List.of("alpha basic 10.0.0.6 web-admin")), lines(rows(null)));
    }

    @Test
    public void rowsSurviveARestart() throws Exception {
        register("alpha");
        String root = credential("linux-root");
        report("alpha", entry(root, "basic", "10.0.0.5"));
        JsonNode before = rows(null);
        server.stop();
        server = null;
        restartService();
        startServer();
        assertEquals(before, rows(null));
    }

    private static List<String> targets(JsonNode rows) {
        List<String> targets = new ArrayList<>();
        rows.forEach(r -> targets.add(r.path("target").asText()));
        return targets;
    }

    private static List<String> fieldNames(JsonNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
