package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

import io.midway.instance.internal.FileSyncService;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.internal.TestBundles;
import io.midway.testing.jars.TestJars;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServlet;

/**
 * The file-sync API over a real Jetty 12 on 127.0.0.1, with the servlets mapped as the whiteboard
 * maps them, on a real {@link FileSyncService} and H2 database.
 */
public class FileSyncHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String AGENT = "mid:agent-pw";

    private Server server;
    private int port;
    private String base;
    private FileSyncService files;
    private Path echo;
    private String echoSha;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Before
    public void startServer() throws Exception {
        files = new FileSyncService(service.core(), tmp.getRoot().toPath().resolve("files"), FileSyncService.MAX_FILE_BYTES);
        echo = TestBundles.echo(tmp.getRoot().toPath().resolve("echo.jar"));
        echoSha = TestJars.sha256(echo);
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
        add(context, new EccPollServlet(service.polls(), realm), "/api/mid/ecc/poll");
        add(context, new EventsServlet(service.events(), realm), "/api/mid/events");
        add(context, new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm), "/api/now/table/*");
        add(context, new FileSyncAdminServlet(files, realm), "/api/mid/admin/files/*");
        add(context, new FileSyncServlet(service.agents(), files, realm), "/api/mid/file_sync/*");
        add(context, new io.midway.instance.http.internal.ApiFallbackServlet(service.core()), "/api/*");
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
        base = "http://127.0.0.1:" + port;
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
            b.header("Authorization", "Basic " + basic(credentials));
        }
        return b;
    }

    private static String basic(String credentials) {
        return Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
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
    private HttpResponse<String> upload(Path jar, String query, String credentials) throws Exception {
        return client.send(request("POST", "/api/mid/admin/files" + query, credentials,
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

    @Test
    public void uploadListFetchAndDelete() throws Exception {
        HttpResponse<String> created = upload(echo, "?kind=probe&name=echo%20probe.jar", ADMIN);
        assertEquals(created.body(), 201, created.statusCode());
        assertTrue(created.headers().firstValue("Location").orElse("")
                .endsWith("/api/mid/admin/files/" + TestBundles.ECHO));
        JsonNode body = json(created);
        assertEquals("1", body.path("revision").asText());
        JsonNode file = body.path("result");
        assertEquals("echo probe.jar", file.path("name").asText());
        assertEquals("probe", file.path("kind").asText());
        assertEquals(TestBundles.ECHO, file.path("symbolic_name").asText());
        assertEquals("0.1.0", file.path("version").asText());
        assertEquals(echoSha, file.path("sha256").asText());
        assertEquals(Files.size(echo), file.path("size").asLong());

        HttpResponse<String> again = upload(echo, "?kind=probe", ADMIN);
        assertEquals(again.body(), 200, again.statusCode());
        assertEquals("1", json(again).path("revision").asText());

        JsonNode listing = json(send("GET", "/api/mid/admin/files", ADMIN, null));
        assertEquals("1", listing.path("revision").asText());
        assertEquals(1, listing.path("result").size());
        assertEquals(0, listing.path("result").get(0).path("downloads").asLong());
        assertEquals("2026-03-01 10:00:00", listing.path("result").get(0).path("uploaded_on").asText());

        JsonNode snapshot = json(send("GET", "/api/mid/file_sync/snapshot", AGENT, null));
        assertEquals("1", snapshot.path("revision").asText());
        assertEquals(echoSha, snapshot.path("files").get(0).path("sha256").asText());
        assertEquals("the snapshot holds SyncFile fields only", 6, snapshot.path("files").get(0).size());

        HttpResponse<byte[]> bytes = client.send(request("GET", "/api/mid/file_sync/files/" + echoSha, AGENT,
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, bytes.statusCode());
        assertArrayEquals(Files.readAllBytes(echo), bytes.body());
        assertEquals("application/java-archive", bytes.headers().firstValue("Content-Type").orElse(""));
        assertEquals(Long.toString(Files.size(echo)), bytes.headers().firstValue("Content-Length").orElse(""));
        assertEquals(echoSha, bytes.headers().firstValue("X-Midway-Sha256").orElse(""));
        JsonNode one = json(send("GET", "/api/mid/admin/files/" + TestBundles.ECHO, ADMIN, null));
        assertEquals(1, one.path("result").path("downloads").asLong());

        assertTrue(error(send("GET", "/api/mid/file_sync/files/" + "0".repeat(64), AGENT, null), 404)
                .contains("0".repeat(64)));
        assertTrue(error(send("GET", "/api/mid/file_sync/files/not-a-hash", AGENT, null), 400)
                .contains("64 hex digits"));

        HttpResponse<String> deleted = send("DELETE", "/api/mid/admin/files/" + TestBundles.ECHO, ADMIN, null);
        assertEquals(deleted.body(), 200, deleted.statusCode());
        assertEquals("2", json(deleted).path("revision").asText());
        assertEquals(echoSha, json(deleted).path("result").path("sha256").asText());
        error(send("DELETE", "/api/mid/admin/files/" + TestBundles.ECHO, ADMIN, null), 404);
        error(send("GET", "/api/mid/file_sync/files/" + echoSha, AGENT, null), 404);
        assertEquals(0, json(send("GET", "/api/mid/file_sync/snapshot", AGENT, null)).path("files").size());
    }

    @Test
    public void badUploadsAreClear4xx() throws Exception {
        assertTrue(error(upload(echo, "?kind=driver", ADMIN), 400).contains("unknown kind 'driver'"));
        assertTrue(error(upload(echo, "", ADMIN), 400).contains("query parameter 'kind' is required"));
        assertTrue(error(upload(TestJars.corrupt(tmp.getRoot().toPath().resolve("c.jar")), "?kind=probe", ADMIN), 400)
                .startsWith("not a jar: "));
        Path core = TestJars.withHeaders(echo, tmp.getRoot().toPath().resolve("core.jar"),
                Map.of("Bundle-SymbolicName", "io.midway.agent"));
        assertTrue(error(upload(core, "?kind=library", ADMIN), 400)
                .startsWith("io.midway.agent is part of the agent core; it is upgraded, not synced"));
        Path empty = Files.write(tmp.getRoot().toPath().resolve("empty.jar"), new byte[0]);
        assertTrue(error(upload(empty, "?kind=probe", ADMIN), 400).contains("empty"));

        error(upload(echo, "?kind=probe", null), 401);
        assertTrue(error(upload(echo, "?kind=probe", AGENT), 403).contains("admin"));
        error(send("GET", "/api/mid/admin/files", AGENT, null), 403);
        error(send("GET", "/api/mid/file_sync/snapshot", null, null), 401);
        HttpResponse<String> put = send("PUT", "/api/mid/admin/files", ADMIN, "{}");
        error(put, 405);
        assertEquals("GET, POST", put.headers().firstValue("Allow").orElse(""));
        error(send("POST", "/api/mid/file_sync/snapshot", AGENT, "{}"), 405);
        error(send("GET", "/api/mid/file_sync/other", AGENT, null), 404);
        error(send("GET", "/api/mid/admin/files/a/b", ADMIN, null), 404);
        assertEquals("nothing was stored", "0", json(send("GET", "/api/mid/admin/files", ADMIN, null))
                .path("revision").asText());
    }

    @Test
    public void aManifestRepeatingAHeaderIsA400NamingTheLimitAndNothingIsStored() throws Exception {
        Path hostile = TestJars.repeatedManifestHeader(tmp.getRoot().toPath().resolve("hostile.jar"), 2_000_000);
        assertTrue("a small upload: " + Files.size(hostile), Files.size(hostile) < 1024 * 1024);
        String message = error(upload(hostile, "?kind=probe", ADMIN), 400);
        assertTrue(message, message.contains("META-INF/MANIFEST.MF is larger than the limit of 1048576 bytes"));
        Path repeatedOnce = TestJars.repeatedManifestHeader(tmp.getRoot().toPath().resolve("twice.jar"), 2);
        message = error(upload(repeatedOnce, "?kind=probe", ADMIN), 400);
        assertTrue(message, message.contains("names the header 'x-repeated' twice in one section"));
        assertEquals("nothing was stored", "0", json(send("GET", "/api/mid/admin/files", ADMIN, null))
                .path("revision").asText());
    }

    @Test
    public void aDeclaredLengthAbove64MiBIs413BeforeAnyByteIsRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/mid/admin/files?kind=probe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Basic " + basic(ADMIN) + "\r\nContent-Type: application/java-archive\r\n"
                    + "Content-Length: " + (FileSyncService.MAX_FILE_BYTES + 1) + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String status = in.readLine();
            assertTrue(status, status.startsWith("HTTP/1.1 413"));
            StringBuilder rest = new StringBuilder();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                rest.append(line).append('\n');
            }
            assertTrue(rest.toString(), rest.toString().contains("the file is too large: at most 67108864 bytes"));
        }
    }

    @Test
    public void aRefusalBeforeTheBodyArrivedSaysTheConnectionCloses() throws Exception {
        byte[] jar = Files.readAllBytes(echo);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/mid/admin/files?kind=probe HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Basic " + basic(ADMIN) + "\r\nContent-Type: application/java-archive\r\n"
                    + "Content-Length: " + jar.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(jar, 0, jar.length / 2);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String status = in.readLine();
            assertTrue(status, status.startsWith("HTTP/1.1 405"));
            List<String> headers = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line.toLowerCase(Locale.ROOT));
            }
            assertTrue("the body was left unread, so the client must not reuse the connection: " + headers,
                    headers.contains("connection: close"));
        }
    }

    @Test
    public void aWaitingLongPollAnswersWithinBoundsOfAnUpload() throws Exception {
        assertEquals(201, send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m1\"}").statusCode());
        CompletableFuture<HttpResponse<String>> poll = client.sendAsync(request("GET",
                "/api/mid/ecc/poll?agent=m1&wait_ms=15000", AGENT, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 10_000;
        while (service.polls().waitingPolls("m1") == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("the poll waits", 1, service.polls().waitingPolls("m1"));
        long start = System.nanoTime();
        assertEquals(201, upload(echo, "?kind=probe", ADMIN).statusCode());
        HttpResponse<String> reply = poll.get(500, TimeUnit.MILLISECONDS);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("upload to poll answer took " + elapsed + " ms", elapsed < 500);
        assertEquals(200, reply.statusCode());
        assertEquals("1", json(reply).path("sync_revision").asText());
        assertEquals(0, json(reply).path("result").size());
    }

    @Test
    public void reportOverHttpShowsOnTheAgentAndAsAnEvent() throws Exception {
        String sysId = json(send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m1\"}"))
                .path("result").path("sys_id").asText();
        HttpResponse<String> reported = send("POST", "/api/mid/file_sync/report", AGENT,
                "{\"name\":\"m1\",\"revision\":\"3\",\"state\":\"failed\",\"files\":[{\"symbolic_name\":\"com.acme.x\","
                        + "\"version\":\"1.0.0\",\"sha256\":null,\"action\":\"install\",\"outcome\":\"failed\","
                        + "\"message\":\"Activator threw\"}]}");
        assertEquals(reported.body(), 200, reported.statusCode());
        assertEquals("3", json(reported).path("result").path("sync_revision").asText());

        JsonNode agent = json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null)).path("result");
        assertEquals("3", agent.path("sync_revision").asText());
        assertEquals("failed", agent.path("sync_state").asText());
        JsonNode failedAgents = json(send("GET", "/api/now/table/ecc_agent?sysparm_query=sync_state=failed"
                + "&sysparm_fields=name,sync_revision", ADMIN, null)).path("result");
        assertEquals(1, failedAgents.size());
        assertEquals("m1", failedAgents.get(0).path("name").asText());

        JsonNode events = json(send("GET", "/api/mid/events", ADMIN, null)).path("result");
        JsonNode last = events.get(events.size() - 1);
        assertEquals("file_sync.failed", last.path("name").asText());
        assertEquals("revision 3: com.acme.x 1.0.0 install failed: Activator threw", last.path("detail").asText());

        assertTrue(error(send("POST", "/api/mid/file_sync/report", AGENT,
                "{\"name\":\"m1\",\"revision\":\"3\",\"state\":\"maybe\"}"), 400).contains("state"));
        assertTrue(error(send("POST", "/api/mid/file_sync/report", AGENT,
                "{\"name\":\"ghost\",\"revision\":\"3\",\"state\":\"applied\"}"), 404).contains("ghost"));
        error(send("GET", "/api/mid/file_sync/report", AGENT, null), 405);
    }
}
