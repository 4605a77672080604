package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertArrayEquals;
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
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.AgentCoreRepository;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.internal.TestBundles;
import io.midway.testing.jars.TestJars;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServlet;

/**
 * The upgrade API over a real Jetty 12 on 127.0.0.1, with the servlets mapped as the whiteboard
 * maps them, on a real {@link AgentCoreRepository} and H2 database.
 */
public class UpgradeHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String AGENT = "mid:agent-pw";

    private Server server;
    private String base;
    private AgentCoreRepository cores;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Before
    public void startServer() throws Exception {
        cores = new AgentCoreRepository(service.core(), tmp.getRoot().toPath().resolve("cores"),
                AgentCoreRepository.MAX_CORE_BYTES);
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
        add(context, new AgentStatusServlet(service.agents(), realm), "/api/mid/agents/status");
        add(context, new EccPollServlet(service.polls(), realm), "/api/mid/ecc/poll");
        add(context, new EventsServlet(service.events(), realm), "/api/mid/events");
        add(context, new InstanceInfoServlet(service.core()), "/api/mid/instance_info");
        add(context, new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm), "/api/now/table/*");
        add(context, new UpgradeAdminServlet(cores, realm), "/api/mid/admin/upgrade");
        add(context, new AgentCoreServlet(cores, realm), "/api/mid/cores/*");
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

    private HttpRequest.Builder request(String method, String path, String credentials,
            HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body);
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private HttpResponse<String> send(String method, String path, String credentials, String json) throws Exception {
        HttpRequest.Builder b = request(method, path, credentials, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Uploads as curl --data-binary does: Content-Type application/x-www-form-urlencoded. */
    private HttpResponse<String> upload(Path jar, String credentials) throws Exception {
        return client.send(request("POST", "/api/mid/admin/upgrade", credentials,
                HttpRequest.BodyPublishers.ofFile(jar)).header("Content-Type", "application/x-www-form-urlencoded")
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertTrue(response.body(), response.headers().firstValue("Content-Type").orElse("")
                .startsWith("application/json"));
        return Json.mapper().readTree(response.body());
    }

    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode body = json(response);
        assertEquals(response.body(), "failure", body.path("status").asText());
        assertFalse("no stack trace: " + response.body(), response.body().contains("Exception"));
        return body.path("error").path("message").asText() + " | " + body.path("error").path("detail").asText();
    }

    private Path core(String name, String version) throws Exception {
        return TestBundles.bundle(tmp.getRoot().toPath().resolve(name), "io.midway.agent", version);
    }

    @Test
    public void publishListDownloadAndDowngrade() throws Exception {
        JsonNode info = json(send("GET", "/api/mid/instance_info", null, null));
        assertEquals("1.2.3", info.path("version").asText());
        assertTrue(info.has("core"));
        assertTrue(info.path("core").isNull());
        JsonNode before = json(send("GET", "/api/mid/admin/upgrade", ADMIN, null)).path("result");
        assertEquals("1.2.3", before.path("version").asText());
        assertTrue(before.path("core").isNull());
        assertEquals(0, before.path("cores").size());

        Path v2 = core("v2.jar", "2.0.0");
        String sha2 = TestJars.sha256(v2);
        HttpResponse<String> created = upload(v2, ADMIN);
        assertEquals(created.body(), 201, created.statusCode());
        JsonNode result = json(created).path("result");
        assertEquals("io.midway.agent", result.path("symbolic_name").asText());
        assertEquals("2.0.0", result.path("version").asText());
        assertEquals(sha2, result.path("sha256").asText());
        assertEquals(Files.size(v2), result.path("size").asLong());
        assertEquals(4, result.size());

        info = json(send("GET", "/api/mid/instance_info", null, null));
        assertEquals("2.0.0", info.path("version").asText());
        assertEquals(sha2, info.path("core").path("sha256").asText());

        JsonNode listed = json(send("GET", "/api/mid/cores", AGENT, null)).path("result");
        assertEquals(1, listed.size());
        assertEquals(sha2, listed.get(0).path("sha256").asText());
        assertEquals("agents see the core fields only", 4, listed.get(0).size());

        HttpResponse<byte[]> bytes = client.send(request("GET", "/api/mid/cores/" + sha2, AGENT,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, bytes.statusCode());
        assertArrayEquals(Files.readAllBytes(v2), bytes.body());
        assertEquals("application/java-archive", bytes.headers().firstValue("Content-Type").orElse(""));
        assertEquals(sha2, bytes.headers().firstValue("X-Midway-Sha256").orElse(""));
        assertEquals(Long.toString(Files.size(v2)), bytes.headers().firstValue("Content-Length").orElse(""));

        Path v1 = core("v1.jar", "1.0.0");
        assertEquals(201, upload(v1, ADMIN).statusCode());
        JsonNode admin = json(send("GET", "/api/mid/admin/upgrade", ADMIN, null)).path("result");
        assertEquals("downgraded", "1.0.0", admin.path("version").asText());
        assertEquals("1.0.0", admin.path("core").path("version").asText());
        assertEquals(0, admin.path("core").path("downloads").asLong());
        assertEquals(2, admin.path("cores").size());
        assertEquals("1.0.0", admin.path("cores").get(0).path("version").asText());
        assertEquals("2.0.0", admin.path("cores").get(1).path("version").asText());
        assertEquals(1, admin.path("cores").get(1).path("downloads").asLong());
        assertEquals("2026-03-01 10:00:00", admin.path("cores").get(1).path("uploaded_on").asText());
        assertEquals(2, json(send("GET", "/api/mid/cores", AGENT, null)).path("result").size());

        assertTrue(error(send("GET", "/api/mid/cores/" + "0".repeat(64), AGENT, null), 404).contains("0".repeat(64)));
        assertTrue(error(send("GET", "/api/mid/cores/nothex", AGENT, null), 400).contains("64 hex digits"));
    }

    @Test
    public void badUploadsAndWrongRolesAreClear4xx() throws Exception {
        Path other = TestBundles.bundle(tmp.getRoot().toPath().resolve("o.jar"), "com.acme.x", "1.0.0");
        assertTrue(error(upload(other, ADMIN), 400).startsWith("not an agent core: Bundle-SymbolicName is com.acme.x"));
        assertTrue(error(upload(TestJars.corrupt(tmp.getRoot().toPath().resolve("c.jar")), ADMIN), 400)
                .startsWith("not a jar: "));
        Path core = core("v2.jar", "2.0.0");
        error(upload(core, null), 401);
        assertTrue(error(upload(core, AGENT), 403).contains("admin"));
        error(send("GET", "/api/mid/admin/upgrade", AGENT, null), 403);
        error(send("GET", "/api/mid/cores", null, null), 401);
        HttpResponse<String> delete = send("DELETE", "/api/mid/admin/upgrade", ADMIN, null);
        error(delete, 405);
        assertEquals("GET, POST", delete.headers().firstValue("Allow").orElse(""));
        error(send("POST", "/api/mid/cores", AGENT, "{}"), 405);
        assertEquals("nothing was published", "1.2.3",
                json(send("GET", "/api/mid/instance_info", null, null)).path("version").asText());
    }

    @Test
    public void pollsCarryTheVersionsAndWakeOnAnUpload() throws Exception {
        String sysId = json(send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m1\",\"version\":\"1.2.3\"}"))
                .path("result").path("sys_id").asText();
        JsonNode reply = json(send("GET", "/api/mid/ecc/poll?agent=m1", AGENT, null));
        assertEquals("1.2.3", reply.path("instance_version").asText());
        assertTrue(reply.has("pinned_version"));
        assertTrue(reply.path("pinned_version").isNull());

        HttpResponse<String> pinned = send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN,
                "{\"pinned_version\":\"1.2.3\"}");
        assertEquals(pinned.body(), 200, pinned.statusCode());
        assertEquals("1.2.3", json(pinned).path("result").path("pinned_version").asText());
        assertEquals("1.2.3", json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null))
                .path("result").path("pinned_version").asText());
        assertEquals("1.2.3", json(send("GET", "/api/mid/ecc/poll?agent=m1", AGENT, null))
                .path("pinned_version").asText());
        assertTrue(error(send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"pinned_version\":\"x.y\"}"),
                400).contains("pinned_version"));

        long started = System.nanoTime();
        JsonNode behind = json(send("GET", "/api/mid/ecc/poll?agent=m1&wait_ms=10000&instance_version=1.0.0", AGENT,
                null));
        assertTrue("answered at once", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 5000);
        assertEquals("1.2.3", behind.path("instance_version").asText());

        CompletableFuture<HttpResponse<String>> poll = client.sendAsync(request("GET",
                "/api/mid/ecc/poll?agent=m1&wait_ms=15000&instance_version=1.2.3", AGENT,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 10_000;
        while (service.polls().waitingPolls("m1") == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("the poll waits", 1, service.polls().waitingPolls("m1"));
        long start = System.nanoTime();
        assertEquals(201, upload(core("v2.jar", "2.0.0"), ADMIN).statusCode());
        HttpResponse<String> woken = poll.get(2, TimeUnit.SECONDS);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2000);
        assertEquals("2.0.0", json(woken).path("instance_version").asText());
        assertEquals("1.2.3", json(woken).path("pinned_version").asText());
    }

    @Test
    public void statusReportsOverHttpCarryTheirDetailIntoEvents() throws Exception {
        assertEquals(201, send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m1\"}").statusCode());
        HttpResponse<String> upgrading = send("POST", "/api/mid/agents/status", AGENT,
                "{\"name\":\"m1\",\"status\":\"Upgrading\",\"detail\":\"upgrading from 1.2.3 to 2.0.0\"}");
        assertEquals(upgrading.body(), 200, upgrading.statusCode());
        assertEquals("Upgrading", json(upgrading).path("result").path("status").asText());
        assertEquals(200, send("POST", "/api/mid/agents/status", AGENT,
                "{\"name\":\"m1\",\"status\":\"Upgrade Failed\",\"detail\":\"no upgrader service\"}").statusCode());
        assertEquals(200, send("POST", "/api/mid/agents/status", AGENT,
                "{\"name\":\"m1\",\"status\":\"Up\"}").statusCode());
        JsonNode events = json(send("GET", "/api/mid/events?since=1", ADMIN, null)).path("result");
        assertEquals(3, events.size());
        assertEquals("mid_server.upgrading", events.get(0).path("name").asText());
        assertEquals("upgrading from 1.2.3 to 2.0.0", events.get(0).path("detail").asText());
        assertEquals("mid_server.upgrade_failed", events.get(1).path("name").asText());
        assertEquals("no upgrader service", events.get(1).path("detail").asText());
        assertEquals("mid_server.up", events.get(2).path("name").asText());
        assertTrue(error(send("POST", "/api/mid/agents/status", AGENT, "{\"name\":\"m1\",\"status\":\"Sleeping\"}"), 400)
                .contains("Paused, Up, Upgrading, Upgrade Failed, Down"));
        // An agent stopping on the instance's command says it is Down.
        assertEquals(200, send("POST", "/api/mid/agents/status", AGENT,
                "{\"name\":\"m1\",\"status\":\"Down\",\"detail\":\"stopped by a SystemCommand\"}").statusCode());
        JsonNode down = json(send("GET", "/api/mid/events?since=1", ADMIN, null)).path("result");
        assertEquals("mid_server.down", down.get(down.size() - 1).path("name").asText());
        assertEquals("stopped by a SystemCommand", down.get(down.size() - 1).path("detail").asText());
    }
}
