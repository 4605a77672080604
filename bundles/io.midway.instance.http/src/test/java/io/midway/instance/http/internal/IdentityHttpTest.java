package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.AgentCoreRepository;
import io.midway.instance.internal.AgentIdentities;
import io.midway.instance.internal.CredentialAffinityService;
import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.internal.CredentialService;
import io.midway.instance.internal.FileSyncService;
import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import io.midway.wire.SealedSecret;
import jakarta.servlet.http.HttpServlet;

/**
 * One identity per agent, tried as an attacker holding the shared agent password, or one agent's
 * own password, would: over a real Jetty on 127.0.0.1 with the strict default (the shared user
 * only enrolls).
 */
public class IdentityHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String SHARED = "mid:agent-pw";

    private static KeyPair keyA;
    private static KeyPair keyB;
    private static KeyPair attackerKey;

    private Server server;
    private String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeClass
    public static void keys() {
        keyA = SealedSecret.newAgentKeyPair();
        keyB = SealedSecret.newAgentKeyPair();
        attackerKey = SealedSecret.newAgentKeyPair();
    }

    @Before
    public void startServer() throws Exception {
        AgentIdentities identities = new AgentIdentities(service.core());
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "admin-pw",
                "midway.agent.password", "agent-pw")::get, identities);
        CredentialService credentials = new CredentialService(service.core(),
                tmp.getRoot().toPath().resolve(CredentialCipher.KEY_FILE));
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        add(context, new AgentRegistrationServlet(service.agents(), realm, identities), "/api/mid/agents/register");
        add(context, new EccPollServlet(service.polls(), realm), "/api/mid/ecc/poll");
        add(context, new EccInputServlet(service.polls(), realm), "/api/mid/ecc/input");
        add(context, new AgentStatusServlet(service.agents(), realm), "/api/mid/agents/status");
        add(context, new CredentialDeliveryServlet(credentials, realm), "/api/mid/credentials");
        add(context, new CredentialAffinityServlet(new CredentialAffinityService(service.core(), credentials), realm),
                "/api/mid/credentials/affinity");
        add(context, new FileSyncServlet(service.agents(), new FileSyncService(service.core(), tmp.getRoot().toPath().resolve("files"),
                1 << 20), realm), "/api/mid/file_sync/*");
        add(context, new AgentCoreServlet(new AgentCoreRepository(service.core(), tmp.getRoot().toPath().resolve("cores"),
                1 << 20), realm), "/api/mid/cores/*");
        add(context, new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm), "/api/now/table/*");
        add(context, new UserTableServlet(identities, realm), "/api/now/table/sys_user/*");
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
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path.replace("^", "%5E")))
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

    private static String registration(String name, KeyPair key) {
        return "{\"name\":\"" + name + "\",\"version\":\"1.0.0\",\"capabilities\":[\"tcp\"]"
                + (key == null ? "" : ",\"public_key\":\"" + SealedSecret.publicKeyText(key.getPublic()) + "\"") + "}";
    }

    /** Enrolls an agent as the shared user and returns its own credentials ({@code user:password}). */
    private String enroll(String name, KeyPair key) throws Exception {
        HttpResponse<String> r = send("POST", "/api/mid/agents/register", SHARED, registration(name, key));
        assertTrue(r.body(), r.statusCode() == 201 || r.statusCode() == 200);
        JsonNode identity = json(r).path("identity");
        assertEquals("mid.server." + name, identity.path("user_name").asText());
        assertFalse("the password travels sealed for the agent's key", identity.has("password"));
        String password = SealedSecret.openString(key.getPrivate(), identity.path("password_sealed").asText());
        return identity.path("user_name").asText() + ":" + password;
    }

    private JsonNode agent(String name) throws Exception {
        return json(send("GET", "/api/now/table/ecc_agent?sysparm_query=name=" + name, ADMIN, null)).path("result").get(0);
    }

    private String output(String agent, String topic) throws Exception {
        HttpResponse<String> r = send("POST", "/api/now/table/ecc_queue", ADMIN, "{\"agent\":\"mid.server." + agent
                + "\",\"topic\":\"" + topic + "\",\"name\":\"n\",\"priority\":2}");
        assertEquals(r.body(), 201, r.statusCode());
        return json(r).path("result").path("sys_id").asText();
    }

    private JsonNode queued(String sysId) throws Exception {
        return json(send("GET", "/api/now/table/ecc_queue/" + sysId, ADMIN, null)).path("result");
    }

    @Test
    public void theSharedUserOnlyEnrollsAndCannotTakeOverAnEnrolledAgent() throws Exception {
        String a = enroll("a", keyA);
        assertEquals("its own user polls for it", 200, send("GET", "/api/mid/ecc/poll?agent=a", a, null).statusCode());
        assertEquals("the shared user does not poll for it", 403,
                send("GET", "/api/mid/ecc/poll?agent=a", SHARED, null).statusCode());
        JsonNode before = agent("a");

        // The attack: register a's name with the shared password and another key.
        HttpResponse<String> takeover = send("POST", "/api/mid/agents/register", SHARED, registration("a", attackerKey));
        assertEquals(takeover.body(), 403, takeover.statusCode());
        assertTrue(takeover.body(), takeover.body().contains("is enrolled"));
        HttpResponse<String> keyless = send("POST", "/api/mid/agents/register", SHARED, registration("a", null));
        assertEquals(keyless.body(), 403, keyless.statusCode());
        JsonNode after = agent("a");
        assertEquals("nothing changed", before.path("public_key_fingerprint"), after.path("public_key_fingerprint"));
        assertTrue(after.path("validated").asBoolean());
        assertEquals("a still logs in", 200, send("GET", "/api/mid/ecc/poll?agent=a", a, null).statusCode());

        // The shared user may not download cores or files, nor read any agent's credentials.
        assertEquals(403, send("GET", "/api/mid/cores", SHARED, null).statusCode());
        assertEquals(403, send("GET", "/api/mid/file_sync/snapshot", SHARED, null).statusCode());
        assertEquals(403, send("GET", "/api/mid/credentials?agent=a", SHARED, null).statusCode());

        // Re-enrollment (a lost identity file) works only with the validated key, sealed for it.
        String again = enroll("a", keyA);
        assertEquals("the old password is gone", 401, send("GET", "/api/mid/ecc/poll?agent=a", a, null).statusCode());
        assertEquals(200, send("GET", "/api/mid/ecc/poll?agent=a", again, null).statusCode());
    }

    @Test
    public void oneAgentCannotActForAnotherOnAnyAgentEndpoint() throws Exception {
        String a = enroll("a", keyA);
        String b = enroll("b", keyB);
        String work = output("a", "TCPScan");
        JsonNode aBefore = agent("a");

        Map<String, HttpResponse<String>> attempts = new LinkedHashMap<>();
        attempts.put("poll", send("GET", "/api/mid/ecc/poll?agent=a&max=10", b, null));
        attempts.put("release", send("DELETE", "/api/mid/ecc/poll?agent=a", b, null));
        attempts.put("input", send("POST", "/api/mid/ecc/input", b, "{\"records\":[{\"response_to\":\"" + work
                + "\",\"topic\":\"TCPScan\",\"name\":\"n\",\"state\":\"processed\",\"payload\":{\"forged\":true}}]}"));
        attempts.put("status", send("POST", "/api/mid/agents/status", b, "{\"name\":\"a\",\"status\":\"Paused\"}"));
        attempts.put("register", send("POST", "/api/mid/agents/register", b, registration("a", keyB)));
        attempts.put("credentials", send("GET", "/api/mid/credentials?agent=a", b, null));
        attempts.put("affinity", send("POST", "/api/mid/credentials/affinity", b, "{\"agent\":\"a\",\"affinity\":[]}"));
        attempts.put("file-sync report", send("POST", "/api/mid/file_sync/report", b,
                "{\"name\":\"a\",\"revision\":\"1\",\"state\":\"failed\",\"files\":[]}"));
        attempts.put("ecc_queue", send("GET", "/api/now/table/ecc_queue", b, null));
        for (Map.Entry<String, HttpResponse<String>> attempt : attempts.entrySet()) {
            assertEquals(attempt.getKey() + ": " + attempt.getValue().body(), 403, attempt.getValue().statusCode());
        }
        // sys_user: b reads its own record only (a client's look-up of its user), never a's
        HttpResponse<String> users = send("GET", "/api/now/table/sys_user", b, null);
        assertEquals(users.body(), 200, users.statusCode());
        JsonNode visible = json(users).path("result");
        assertEquals(users.body(), 1, visible.size());
        assertEquals("b", visible.get(0).path("agent").asText());
        assertEquals(0, json(send("GET", "/api/now/table/sys_user?sysparm_query=agent%3Da", b, null)).path("result").size());

        // Nothing changed: a's work is still waiting for a, no input was stored, a is as it was.
        assertEquals("ready", queued(work).path("state").asText());
        assertEquals(0, json(send("GET", "/api/now/table/ecc_queue?sysparm_query=queue=input", ADMIN, null))
                .path("result").size());
        JsonNode aAfter = agent("a");
        assertEquals(aBefore.path("status"), aAfter.path("status"));
        assertEquals(aBefore.path("public_key_fingerprint"), aAfter.path("public_key_fingerprint"));
        assertEquals(aBefore.path("validated"), aAfter.path("validated"));
        assertEquals(aBefore.path("sync_state"), aAfter.path("sync_state"));

        // a itself may do each of them.
        JsonNode polled = json(send("GET", "/api/mid/ecc/poll?agent=a&max=10", a, null)).path("result");
        assertEquals(work, polled.get(0).path("sys_id").asText());
        assertEquals(200, send("POST", "/api/mid/ecc/input", a, "{\"records\":[{\"response_to\":\"" + work
                + "\",\"topic\":\"TCPScan\",\"name\":\"n\",\"state\":\"processed\",\"payload\":{}}]}").statusCode());
        assertEquals(200, send("POST", "/api/mid/agents/status", a, "{\"name\":\"a\",\"status\":\"Paused\"}").statusCode());
        assertEquals(200, send("GET", "/api/mid/credentials?agent=a", a, null).statusCode());
    }

    @Test
    public void anotherKeyMakesTheAgentNotValidatedUntilAnAdminValidatesIt() throws Exception {
        String a = enroll("a", keyA);
        String fingerprint = SealedSecret.fingerprint(keyA.getPublic());
        assertEquals(200, send("GET", "/api/mid/credentials?agent=a", a, null).statusCode());
        String standard = output("a", "TCPScan");

        // Even the agent's own identity: a new key is a rekey.
        assertEquals(200, send("POST", "/api/mid/agents/register", a, registration("a", keyB)).statusCode());
        JsonNode rekeyed = agent("a");
        assertFalse("not validated after a rekey", rekeyed.path("validated").asBoolean());
        assertEquals("the validated key stays", fingerprint, rekeyed.path("public_key_fingerprint").asText());
        HttpResponse<String> creds = send("GET", "/api/mid/credentials?agent=a", a, null);
        assertEquals(creds.body(), 403, creds.statusCode());
        assertTrue(creds.body(), creds.body().contains("not validated"));
        JsonNode polled = json(send("GET", "/api/mid/ecc/poll?agent=a&max=10", a, null)).path("result");
        for (JsonNode r : polled) {
            assertFalse("no standard work while not validated", standard.equals(r.path("sys_id").asText()));
        }

        // auto.validate (on in this fixture) applies to a first registration only: registering
        // again does not validate it.
        assertEquals(200, send("POST", "/api/mid/agents/register", a, registration("a", keyB)).statusCode());
        assertFalse(agent("a").path("validated").asBoolean());

        String sysId = rekeyed.path("sys_id").asText();
        assertEquals(200, send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"validated\":true}").statusCode());
        JsonNode validated = agent("a");
        assertTrue(validated.path("validated").asBoolean());
        assertEquals("the new key is the validated one now", SealedSecret.fingerprint(keyB.getPublic()),
                validated.path("public_key_fingerprint").asText());
        assertEquals(200, send("GET", "/api/mid/credentials?agent=a", a, null).statusCode());
    }

    @Test
    public void adminsCreateListDisableAndDeleteIdentities() throws Exception {
        String a = enroll("a", keyA);
        JsonNode list = json(send("GET", "/api/now/table/sys_user?sysparm_query=source%3Denrolled", ADMIN, null)).path("result");
        assertEquals(1, list.size());
        JsonNode row = list.get(0);
        assertEquals("mid.server.a", row.path("user_name").asText());
        assertEquals("a", row.path("agent").asText());
        assertEquals("mid_server", row.path("roles").asText());
        assertEquals("enrolled", row.path("source").asText());
        assertFalse("never a password", row.toString().contains("password"));

        String sysId = row.path("sys_id").asText();
        assertEquals(200, send("PATCH", "/api/now/table/sys_user/" + sysId, ADMIN, "{\"active\":false}").statusCode());
        assertEquals("disabled", 401, send("GET", "/api/mid/ecc/poll?agent=a", a, null).statusCode());
        HttpResponse<String> back = send("POST", "/api/mid/agents/register", SHARED, registration("a", keyA));
        assertEquals("no way back in by enrolling again, even with the validated key: " + back.body(), 403,
                back.statusCode());
        assertTrue(back.body(), back.body().contains("disabled by an admin"));
        assertEquals(200, send("PATCH", "/api/now/table/sys_user/" + sysId, ADMIN, "{\"active\":true}").statusCode());
        assertEquals("enabled again", 200, send("GET", "/api/mid/ecc/poll?agent=a", a, null).statusCode());

        // An identity made by an admin, for an agent that has none yet.
        HttpResponse<String> created = send("POST", "/api/now/table/sys_user", ADMIN,
                "{\"user_name\":\"edge-7\",\"password\":\"a-long-Pa55word\",\"agent\":\"edge7\"}");
        assertEquals(created.body(), 201, created.statusCode());
        assertEquals(201, send("POST", "/api/mid/agents/register", "edge-7:a-long-Pa55word",
                registration("edge7", keyB)).statusCode());
        assertEquals(403, send("GET", "/api/mid/ecc/poll?agent=a", "edge-7:a-long-Pa55word", null).statusCode());
        assertEquals(400, send("POST", "/api/now/table/sys_user", ADMIN,
                "{\"user_name\":\"x\",\"password\":\"a-long-Pa55word\"}").statusCode());
        assertEquals(400, send("POST", "/api/now/table/sys_user", ADMIN,
                "{\"user_name\":\"x\",\"password\":\"short\",\"agent\":\"x\"}").statusCode());
        assertEquals(409, send("POST", "/api/now/table/sys_user", ADMIN,
                "{\"user_name\":\"edge-7\",\"password\":\"a-long-Pa55word\",\"agent\":\"edge7\"}").statusCode());
        assertEquals(409, send("POST", "/api/now/table/sys_user", ADMIN,
                "{\"user_name\":\"mid\",\"password\":\"a-long-Pa55word\",\"agent\":\"edge7\"}").statusCode());

        assertEquals(204, send("DELETE", "/api/now/table/sys_user/" + sysId, ADMIN, null).statusCode());
        assertEquals("deleted", 401, send("GET", "/api/mid/ecc/poll?agent=a", a, null).statusCode());
        assertEquals(List.of("edge-7"), List.of(json(send("GET", "/api/now/table/sys_user?sysparm_query=agent=edge7",
                ADMIN, null)).path("result").get(0).path("user_name").asText()));
        // With its identity deleted, the agent may enroll again.
        String fresh = enroll("a", keyA);
        assertEquals(200, send("GET", "/api/mid/ecc/poll?agent=a", fresh, null).statusCode());
    }
}
