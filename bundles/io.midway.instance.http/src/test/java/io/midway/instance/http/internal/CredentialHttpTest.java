package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.internal.CredentialService;
import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import io.midway.wire.SealedSecret;
import io.midway.wire.SealedSecretException;
import jakarta.servlet.http.HttpServlet;

/**
 * Credentials over a real Jetty 12 on 127.0.0.1, mapped as the whiteboard maps them: the Table
 * API of {@code discovery_credentials}, agent keys, delivery sealed per agent, the credential
 * revision on the long poll, and encryption at rest on a real H2 database.
 */
public class CredentialHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String AGENT = "mid:agent-pw";
    private static final String TABLE = "/api/now/table/discovery_credentials";
    /** Secrets the tests store; no response body and no file of the data directory may contain one. */
    private static final String PASSWORD = "Pa55-word-of-the-test-7Q";
    private static final String NEW_PASSWORD = "Second-Pa55-word-9Z";
    private static final String COMMUNITY = "community-string-4K";
    private static final List<String> SECRETS = List.of(PASSWORD, NEW_PASSWORD, COMMUNITY);

    private static KeyPair agentKeys;
    private static KeyPair otherKeys;

    private Server server;
    private String base;
    private CredentialService credentials;
    private final List<String> bodies = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeClass
    public static void keys() {
        agentKeys = SealedSecret.newAgentKeyPair();
        otherKeys = SealedSecret.newAgentKeyPair();
    }

    private Path dataDir() {
        return tmp.getRoot().toPath();
    }

    @Before
    public void startServer() throws Exception {
        credentials = new CredentialService(service.core(), dataDir().resolve(CredentialCipher.KEY_FILE));
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
        add(context, new CredentialDeliveryServlet(credentials, realm), "/api/mid/credentials");
        TableApiServlet table = new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm);
        add(context, table, "/api/now/table/*");
        context.addServlet(new ServletHolder(table), "/api/now/v2/table/*");
        CredentialTableServlet credentialTable = new CredentialTableServlet(credentials, service.outputs(), realm);
        add(context, credentialTable, "/api/now/table/discovery_credentials/*");
        context.addServlet(new ServletHolder(credentialTable), "/api/now/v2/table/discovery_credentials/*");
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
            for (String secret : SECRETS) {
                assertFalse("a response shows a secret: " + body, body.contains(secret));
            }
        }
    }

    /** Closes the instance and opens it again on the same data directory, with a new server. */
    private void restartInstance() throws Exception {
        server.stop();
        server = null;
        restartService();
        startServer();
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
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(r -> {
                    synchronized (bodies) {
                        bodies.add(r.body());
                    }
                    return r;
                });
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.mapper().readTree(response.body());
    }

    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode body = json(response);
        assertEquals(response.body(), "failure", body.path("status").asText());
        assertTrue(response.body(), body.path("error").path("message").isTextual());
        assertTrue(response.body(), body.path("error").path("detail").isTextual());
        return body.path("error").path("message").asText() + " | " + body.path("error").path("detail").asText();
    }

    private JsonNode created(String body) throws Exception {
        HttpResponse<String> r = send("POST", TABLE, ADMIN, body);
        assertEquals(r.body(), 201, r.statusCode());
        JsonNode result = json(r).path("result");
        assertEquals("absolute", base + TABLE + "/" + result.path("sys_id").asText(), r.headers().firstValue("Location").orElse(""));
        return result;
    }

    private static List<String> names(JsonNode result) {
        List<String> names = new ArrayList<>();
        result.forEach(n -> names.add(n.path("name").asText()));
        return names;
    }

    private String basic(String name, String password) {
        return "{\"name\":\"" + name + "\",\"type\":\"basic\",\"user_name\":\"scott\",\"password\":\"" + password + "\"}";
    }

    private String registerWithKey(String name, KeyPair keys) throws Exception {
        HttpResponse<String> r = send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"" + name
                + "\",\"version\":\"1.0.0\",\"public_key\":\"" + SealedSecret.publicKeyText(keys.getPublic()) + "\"}");
        assertTrue(r.body(), r.statusCode() == 201 || r.statusCode() == 200);
        return json(r).path("result").path("sys_id").asText();
    }

    // --- Table API ---------------------------------------------------------------------------

    @Test
    public void createShowsNoSecretAndDefaults() throws Exception {
        JsonNode c = created(basic("linux-root", PASSWORD));
        assertEquals(32, c.path("sys_id").asText().length());
        assertEquals("linux-root", c.path("name").asText());
        assertEquals("basic", c.path("type").asText());
        assertEquals(100, c.path("order").asInt());
        assertTrue(c.path("active").asBoolean());
        assertEquals("scott", c.path("user_name").asText());
        assertEquals("", c.path("resolver").asText());
        assertEquals("", c.path("external_id").asText());
        assertFalse(c.toString(), c.has("password"));
        assertEquals("[\"password\"]", c.path("secrets_set").toString());

        String sysId = c.path("sys_id").asText();
        JsonNode one = json(send("GET", TABLE + "/" + sysId, ADMIN, null)).path("result");
        assertEquals(c, one);
        assertEquals(c, json(send("GET", "/api/now/v2/table/discovery_credentials/" + sysId, ADMIN, null))
                .path("result"));
        JsonNode list = json(send("GET", TABLE, ADMIN, null)).path("result");
        assertEquals(1, list.size());
        assertEquals(c, list.get(0));
        JsonNode few = json(send("GET", TABLE + "/" + sysId + "?sysparm_fields=name,secrets_set", ADMIN, null))
                .path("result");
        assertEquals("{\"name\":\"linux-root\",\"secrets_set\":[\"password\"]}", few.toString());

        JsonNode snmp = created("{\"name\":\"public\",\"type\":\"snmp_community\",\"community\":\"" + COMMUNITY
                + "\",\"order\":\"5\",\"active\":false}");
        assertEquals(5, snmp.path("order").asInt());
        assertFalse(snmp.path("active").asBoolean());
        assertFalse(snmp.has("user_name"));
        assertEquals("[\"community\"]", snmp.path("secrets_set").toString());

        JsonNode external = created("{\"name\":\"vaulted\",\"type\":\"ssh_key\",\"user_name\":\"svc\","
                + "\"resolver\":\"cyberark\",\"external_id\":\"safe/ssh/svc\"}");
        assertEquals("cyberark", external.path("resolver").asText());
        assertEquals("safe/ssh/svc", external.path("external_id").asText());
        assertEquals("[]", external.path("secrets_set").toString());
    }

    @Test
    public void everyValidationError() throws Exception {
        created(basic("taken", PASSWORD));
        long revision = Long.parseLong(service.core().credentialRevision());

        assertTrue(error(send("POST", TABLE, ADMIN, basic("taken", NEW_PASSWORD)), 409).contains("taken"));
        String missingType = error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"password\":\"p\"}"), 400);
        assertTrue(missingType, missingType.contains("'type' is required"));
        String unknownType = error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":\"kerberos\"}"), 400);
        for (String type : List.of("basic", "ssh_key", "snmp_community", "snmpv3", "jdbc", "api_key")) {
            assertTrue(unknownType, unknownType.contains(type));
        }
        assertTrue(unknownType, unknownType.contains("kerberos"));
        assertTrue(error(send("POST", TABLE, ADMIN, "{\"type\":\"basic\"}"), 400).contains("'name' is required"));
        assertTrue(error(send("POST", TABLE, ADMIN, "{\"name\":\" \",\"type\":\"basic\"}"), 400).contains("name"));
        String unknown = error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":\"basic\",\"community\":\"c\","
                + "\"colour\":\"red\"}"), 400);
        assertTrue(unknown, unknown.contains("community") && unknown.contains("colour"));
        assertTrue(unknown, unknown.contains("user_name") && unknown.contains("password"));
        assertTrue(error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":\"basic\",\"order\":\"first\"}"), 400)
                .contains("order"));
        assertTrue(error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":\"basic\",\"active\":\"maybe\"}"), 400)
                .contains("active"));
        String numeric = error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":\"basic\",\"password\":"
                + "98765432123}"), 400);
        assertTrue(numeric, numeric.contains("'password' must be a string"));
        assertFalse("the value is not echoed: " + numeric, numeric.contains("98765432123"));
        String external = error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":\"basic\",\"resolver\":\"vault\","
                + "\"password\":\"" + NEW_PASSWORD + "\"}"), 400);
        assertTrue(external, external.contains("external") && external.contains("password"));
        assertTrue(error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":\"basic\",\"external_id\":\"e\"}"), 400)
                .contains("resolver"));
        assertTrue(error(send("POST", TABLE, ADMIN, "[]"), 400).contains("JSON object"));
        assertTrue(error(send("POST", TABLE, ADMIN, "{\"name\":"), 400).contains("malformed JSON"));
        assertTrue(error(send("POST", TABLE, ADMIN, "{\"name\":\"x\",\"type\":7}"), 400).contains("type"));

        assertEquals("failed writes take no revision", revision, Long.parseLong(service.core().credentialRevision()));
        assertEquals(List.of("taken"), names(json(send("GET", TABLE, ADMIN, null)).path("result")));

        error(send("GET", TABLE, AGENT, null), 403);
        error(send("GET", TABLE, null, null), 401);
        error(send("POST", TABLE, AGENT, basic("y", PASSWORD)), 403);
        error(send("DELETE", TABLE, ADMIN, null), 405);
        String sysId = json(send("GET", TABLE, ADMIN, null)).path("result").get(0).path("sys_id").asText();
        error(send("POST", TABLE + "/" + sysId, ADMIN, "{}"), 405);
        error(send("GET", TABLE + "/nope", ADMIN, null), 404);
        error(send("PATCH", TABLE + "/nope", ADMIN, "{\"order\":1}"), 404);
        error(send("DELETE", TABLE + "/nope", ADMIN, null), 404);
        error(send("GET", TABLE + "/a/b", ADMIN, null), 404);
        assertTrue(error(send("GET", TABLE + "?sysparm_query=password=x", ADMIN, null), 400).contains("password"));
        assertTrue(error(send("GET", TABLE + "?sysparm_query=user_name=scott", ADMIN, null), 400)
                .contains("user_name"));
        assertTrue(error(send("GET", TABLE + "?sysparm_fields=password", ADMIN, null), 400).contains("password"));
        assertTrue(error(send("GET", TABLE + "?sysparm_limit=-1", ADMIN, null), 400).contains("sysparm_limit"));
    }

    @Test
    public void queriesOnNameTypeActiveAndOrder() throws Exception {
        created("{\"name\":\"a\",\"type\":\"basic\",\"order\":30}");
        created("{\"name\":\"b\",\"type\":\"jdbc\",\"order\":10,\"active\":false}");
        created("{\"name\":\"c\",\"type\":\"basic\",\"order\":20}");
        created("{\"name\":\"d\",\"type\":\"api_key\",\"api_key\":\"" + PASSWORD + "\"}");

        assertEquals("by order, then name", List.of("b", "c", "a", "d"),
                names(json(send("GET", TABLE, ADMIN, null)).path("result")));
        assertEquals(List.of("c", "a"), names(json(send("GET", TABLE + "?sysparm_query=type=basic", ADMIN, null))
                .path("result")));
        assertEquals(List.of("b"), names(json(send("GET", TABLE + "?sysparm_query=active=false", ADMIN, null))
                .path("result")));
        assertEquals(List.of("a"), names(json(send("GET", TABLE + "?sysparm_query=order=30", ADMIN, null))
                .path("result")));
        assertEquals(List.of("d"), names(json(send("GET", TABLE + "?sysparm_query=name=d", ADMIN, null))
                .path("result")));
        assertEquals(List.of("d", "c"), names(json(send("GET", TABLE
                + "?sysparm_query=active=true%5EORDERBYDESCname%5Ename!=a", ADMIN, null)).path("result")));
        assertEquals(List.of("a", "d"), names(json(send("GET", TABLE + "?sysparm_offset=2&sysparm_limit=5", ADMIN,
                null)).path("result")));
        assertEquals(List.of("c"), names(json(send("GET", TABLE + "?sysparm_offset=1&sysparm_limit=1", ADMIN,
                null)).path("result")));
        assertEquals(List.of("d", "a", "c"), names(json(send("GET", TABLE + "?sysparm_query=typeINbasic,api_key"
                + "%5EORDERBYDESCorder", ADMIN, null)).path("result")));
    }

    @Test
    public void patchReplacesClearsAndChecks() throws Exception {
        String sysId = created(basic("win", PASSWORD)).path("sys_id").asText();
        created(basic("other", PASSWORD));

        JsonNode renamed = json(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"name\":\"windows\",\"order\":7,"
                + "\"active\":false,\"password\":\"" + NEW_PASSWORD + "\"}")).path("result");
        assertEquals("windows", renamed.path("name").asText());
        assertEquals(7, renamed.path("order").asInt());
        assertFalse(renamed.path("active").asBoolean());
        assertEquals("scott", renamed.path("user_name").asText());
        assertEquals("[\"password\"]", renamed.path("secrets_set").toString());

        assertTrue(error(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"name\":\"other\"}"), 409).contains("other"));
        assertTrue(error(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"community\":\"x\"}"), 400)
                .contains("community"));
        assertTrue(error(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"resolver\":\"vault\"}"), 400)
                .contains("password"));
        assertTrue(error(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"type\":\"nope\"}"), 400).contains("basic"));

        // read-only fields sent back with a record are ignored
        JsonNode same = json(send("PUT", TABLE + "/" + sysId, ADMIN, renamed.toString())).path("result");
        assertEquals("windows", same.path("name").asText());
        assertEquals("[\"password\"]", same.path("secrets_set").toString());

        JsonNode cleared = json(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"password\":\"\",\"user_name\":null}"))
                .path("result");
        assertEquals("[]", cleared.path("secrets_set").toString());
        assertEquals("", cleared.path("user_name").asText());

        JsonNode external = json(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"resolver\":\"vault\","
                + "\"external_id\":\"kv/win\"}")).path("result");
        assertEquals("vault", external.path("resolver").asText());
        assertTrue(error(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"password\":\"" + PASSWORD + "\"}"), 400)
                .contains("external"));
        JsonNode internal = json(send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"resolver\":null,\"external_id\":\"\","
                + "\"type\":\"snmp_community\",\"community\":\"" + COMMUNITY + "\"}")).path("result");
        assertEquals("snmp_community", internal.path("type").asText());
        assertEquals("", internal.path("resolver").asText());
        assertFalse("user_name is not a field of snmp_community", internal.has("user_name"));
        assertEquals("[\"community\"]", internal.path("secrets_set").toString());

        HttpResponse<String> deleted = send("DELETE", TABLE + "/" + sysId, ADMIN, null);
        assertEquals(204, deleted.statusCode());
        assertEquals("", deleted.body());
        error(send("GET", TABLE + "/" + sysId, ADMIN, null), 404);
        error(send("DELETE", TABLE + "/" + sysId, ADMIN, null), 404);
        assertEquals(List.of("other"), names(json(send("GET", TABLE, ADMIN, null)).path("result")));
    }

    // --- encryption at rest --------------------------------------------------------------------

    @Test
    public void theDataDirectoryNeverHoldsASecretAndTheKeyIsOwnerOnly() throws Exception {
        String sysId = created(basic("disk", PASSWORD)).path("sys_id").asText();
        created("{\"name\":\"snmp\",\"type\":\"snmp_community\",\"community\":\"" + COMMUNITY + "\"}");
        send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"password\":\"" + NEW_PASSWORD + "\"}");
        assertNoSecretOnDisk();
        server.stop();
        server = null;
        service.close();
        service = null;
        assertNoSecretOnDisk();

        Path key = dataDir().resolve(CredentialCipher.KEY_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }

    private void assertNoSecretOnDisk() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dataDir())) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.toString(), files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".mv.db")));
        for (Path file : files) {
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : SECRETS) {
                byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
                for (String form : List.of(secret, Base64.getEncoder().encodeToString(utf8),
                        Base64.getEncoder().withoutPadding().encodeToString(utf8),
                        new String(secret.getBytes(StandardCharsets.UTF_16BE), StandardCharsets.ISO_8859_1),
                        new String(secret.getBytes(StandardCharsets.UTF_16LE), StandardCharsets.ISO_8859_1))) {
                    assertFalse(file + " holds a secret", bytes.contains(form));
                }
            }
        }
    }

    // --- agents: keys, delivery, revision --------------------------------------------------------

    @Test
    public void registeredKeyShowsAsFingerprintOnly() throws Exception {
        String sysId = registerWithKey("m1", agentKeys);
        JsonNode agent = json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null)).path("result");
        String fingerprint = SealedSecret.fingerprint(agentKeys.getPublic());
        assertEquals(fingerprint, agent.path("public_key_fingerprint").asText());
        String keyText = SealedSecret.publicKeyText(agentKeys.getPublic());
        assertFalse(agent.toString().contains(keyText));
        assertFalse(agent.has("public_key"));
        assertEquals(List.of("m1"), names(json(send("GET", "/api/now/table/ecc_agent?sysparm_query="
                + "public_key_fingerprint=" + fingerprint, ADMIN, null)).path("result")));

        // a registration without a key keeps the key; a new key does NOT replace it (rekey): the
        // agent is not validated any more until an admin validates the new key
        assertEquals(200, send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m1\"}").statusCode());
        assertEquals(fingerprint, json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null))
                .path("result").path("public_key_fingerprint").asText());
        registerWithKey("m1", otherKeys);
        JsonNode rekeyed = json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null)).path("result");
        assertEquals("the validated key stays", fingerprint, rekeyed.path("public_key_fingerprint").asText());
        assertFalse("not validated after a rekey", rekeyed.path("validated").asBoolean());
        assertEquals(200, send("PATCH", "/api/now/table/ecc_agent/" + sysId, ADMIN, "{\"validated\":true}")
                .statusCode());
        JsonNode validated = json(send("GET", "/api/now/table/ecc_agent/" + sysId, ADMIN, null)).path("result");
        assertEquals("validating takes the new key", SealedSecret.fingerprint(otherKeys.getPublic()),
                validated.path("public_key_fingerprint").asText());
        assertTrue(validated.path("validated").asBoolean());

        String bad = error(send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m2\",\"public_key\":"
                + "\"bm90IGEga2V5\"}"), 400);
        assertTrue(bad, bad.contains("not a base64 X.509 RSA public key"));
        java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
        gen.initialize(1024);
        KeyPair small = gen.genKeyPair();
        String shortKey = error(send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"m2\",\"public_key\":\""
                + Base64.getEncoder().encodeToString(small.getPublic().getEncoded()) + "\"}"), 400);
        assertTrue(shortKey, shortKey.contains("1024"));
        assertEquals("a refused key registers nothing", 0, json(send("GET",
                "/api/now/table/ecc_agent?sysparm_query=name=m2", ADMIN, null)).path("result").size());
    }

    @Test
    public void sudoIsABooleanOfTheSshTypesDeliveredToTheAgent() throws Exception {
        JsonNode key = created("{\"name\":\"root-key\",\"type\":\"ssh_key\",\"user_name\":\"svc\",\"sudo\":true,"
                + "\"ssh_private_key\":\"" + PASSWORD + "\"}");
        assertTrue(key.toString(), key.path("sudo").isBoolean() && key.path("sudo").booleanValue());
        JsonNode plain = created(basic("linux", PASSWORD));
        assertTrue(plain.toString(), plain.path("sudo").isBoolean() && !plain.path("sudo").booleanValue());
        String plainId = plain.path("sys_id").asText();
        assertTrue(json(send("PATCH", TABLE + "/" + plainId, ADMIN, "{\"sudo\":\"true\"}")).path("result").path("sudo").booleanValue());
        assertEquals("scott", json(send("GET", TABLE + "/" + plainId, ADMIN, null)).path("result").path("user_name").asText());
        assertFalse(json(send("PATCH", TABLE + "/" + plainId, ADMIN, "{\"sudo\":false}")).path("result").path("sudo").booleanValue());
        String bad = error(send("PATCH", TABLE + "/" + plainId, ADMIN, "{\"sudo\":\"maybe\"}"), 400);
        assertTrue(bad, bad.contains("field 'sudo' must be true or false"));
        String snmp = error(send("POST", TABLE, ADMIN, "{\"name\":\"c\",\"type\":\"snmp_community\",\"community\":\"x\","
                + "\"sudo\":true}"), 400);
        assertTrue(snmp, snmp.contains("unknown field for type snmp_community: sudo"));
        assertFalse(created("{\"name\":\"c\",\"type\":\"snmp_community\",\"community\":\"x\"}").has("sudo"));

        registerWithKey("m1", agentKeys);
        JsonNode result = json(send("GET", "/api/mid/credentials?agent=m1", AGENT, null)).path("result");
        for (JsonNode c : result) {
            if (c.path("name").asText().equals("root-key")) {
                assertEquals("true", c.path("fields").path("sudo").asText());
            } else if (c.path("name").asText().equals("linux")) {
                assertEquals("false", c.path("fields").path("sudo").asText());
            }
        }
        assertEquals(List.of("c", "linux", "root-key"), names(result).stream().sorted().toList());
    }

    @Test
    public void deliverySealsForTheAgentOnly() throws Exception {
        String basicId = created(basic("linux", PASSWORD)).path("sys_id").asText();
        created("{\"name\":\"snmp\",\"type\":\"snmp_community\",\"community\":\"" + COMMUNITY + "\",\"order\":1}");
        created("{\"name\":\"off\",\"type\":\"basic\",\"password\":\"" + NEW_PASSWORD + "\",\"active\":false}");
        created("{\"name\":\"vault\",\"type\":\"basic\",\"user_name\":\"svc\",\"resolver\":\"cyberark\","
                + "\"external_id\":\"safe/x\",\"order\":200}");
        registerWithKey("m1", agentKeys);
        registerWithKey("m2", otherKeys);

        HttpResponse<String> r = send("GET", "/api/mid/credentials?agent=m1", AGENT, null);
        assertEquals(r.body(), 200, r.statusCode());
        JsonNode sync = json(r);
        assertEquals(service.core().credentialRevision(), sync.path("revision").asText());
        JsonNode result = sync.path("result");
        assertEquals("active only, by order", List.of("snmp", "linux", "vault"), names(result));
        JsonNode linux = result.get(1);
        assertEquals(basicId, linux.path("sys_id").asText());
        assertEquals("basic", linux.path("type").asText());
        assertEquals(100, linux.path("order").asInt());
        assertEquals("scott", linux.path("fields").path("user_name").asText());
        String sealed = linux.path("sealed").path("password").asText();
        assertEquals(PASSWORD, SealedSecret.openString(agentKeys.getPrivate(), sealed));
        assertEquals(COMMUNITY, SealedSecret.openString(agentKeys.getPrivate(),
                result.get(0).path("sealed").path("community").asText()));
        try {
            SealedSecret.openString(otherKeys.getPrivate(), sealed);
            fail("another agent's key opened the secret");
        } catch (SealedSecretException expected) {
            // sealed for m1 only
        }
        JsonNode vault = result.get(2);
        assertEquals("cyberark", vault.path("resolver").asText());
        assertEquals("safe/x", vault.path("external_id").asText());
        assertEquals(0, vault.path("sealed").size());

        JsonNode forM2 = json(send("GET", "/api/mid/credentials?agent=m2", AGENT, null)).path("result");
        assertEquals(PASSWORD, SealedSecret.openString(otherKeys.getPrivate(),
                forM2.get(1).path("sealed").path("password").asText()));

        assertEquals(201, send("POST", "/api/mid/agents/register", AGENT, "{\"name\":\"nokey\"}").statusCode());
        assertTrue(error(send("GET", "/api/mid/credentials?agent=nokey", AGENT, null), 409).contains("public key"));
        error(send("GET", "/api/mid/credentials?agent=ghost", AGENT, null), 404);
        error(send("GET", "/api/mid/credentials", AGENT, null), 400);
        error(send("GET", "/api/mid/credentials?agent=m1", null, null), 401);
        error(send("POST", "/api/mid/credentials?agent=m1", AGENT, "{}"), 405);
    }

    @Test
    public void everyChangeTakesARevisionAndWakesWaitingPolls() throws Exception {
        registerWithKey("m1", agentKeys);
        JsonNode first = json(send("GET", "/api/mid/ecc/poll?agent=m1&max=1&wait_ms=0", AGENT, null));
        assertEquals("0", first.path("credential_revision").asText());

        String sysId = awaitWake("0", () -> created(basic("one", PASSWORD)).path("sys_id").asText());
        assertEquals("1", service.core().credentialRevision());
        awaitWake("1", () -> send("PATCH", TABLE + "/" + sysId, ADMIN, "{\"order\":3}"));
        assertEquals("2", service.core().credentialRevision());
        awaitWake("2", () -> send("DELETE", TABLE + "/" + sysId, ADMIN, null));
        assertEquals("3", service.core().credentialRevision());

        // a poll that says it holds an older revision is answered at once
        long start = System.nanoTime();
        JsonNode stale = json(send("GET", "/api/mid/ecc/poll?agent=m1&max=1&wait_ms=4000&credential_revision=1",
                AGENT, null));
        assertEquals("3", stale.path("credential_revision").asText());
        assertTrue("answered at once", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    }

    @FunctionalInterface
    private interface Change<T> {
        T run() throws Exception;
    }

    /** Starts a long poll holding {@code known}, makes the change, and expects the poll answered within a second. */
    private <T> T awaitWake(String known, Change<T> change) throws Exception {
        CompletableFuture<HttpResponse<String>> poll = sendAsync("GET",
                "/api/mid/ecc/poll?agent=m1&max=1&wait_ms=4000&credential_revision=" + known, AGENT, null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (service.polls().waitingPolls("m1") == 0) {
            assertFalse("the poll waits", poll.isDone());
            assertTrue("the poll started waiting", System.nanoTime() < deadline);
            Thread.onSpinWait();
        }
        T result = change.run();
        long changed = System.nanoTime();
        HttpResponse<String> answered = poll.get(1, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - changed < TimeUnit.SECONDS.toNanos(1));
        assertEquals(200, answered.statusCode());
        assertNotEquals(known, json(answered).path("credential_revision").asText());
        assertEquals(service.core().credentialRevision(), json(answered).path("credential_revision").asText());
        return result;
    }

    @Test
    public void restartKeepsCredentialsAndTheyStillDecrypt() throws Exception {
        String sysId = created(basic("kept", PASSWORD)).path("sys_id").asText();
        registerWithKey("m1", agentKeys);
        Path key = dataDir().resolve(CredentialCipher.KEY_FILE);
        byte[] keyBytes = Files.readAllBytes(key);

        restartInstance();

        assertTrue("the key is read, not made again", java.util.Arrays.equals(keyBytes, Files.readAllBytes(key)));
        assertEquals("1", service.core().credentialRevision());
        JsonNode kept = json(send("GET", TABLE + "/" + sysId, ADMIN, null)).path("result");
        assertEquals("kept", kept.path("name").asText());
        assertEquals("[\"password\"]", kept.path("secrets_set").toString());
        JsonNode sync = json(send("GET", "/api/mid/credentials?agent=m1", AGENT, null));
        assertEquals("1", sync.path("revision").asText());
        assertEquals(PASSWORD, SealedSecret.openString(agentKeys.getPrivate(),
                sync.path("result").get(0).path("sealed").path("password").asText()));
        assertEquals("1", json(send("GET", "/api/mid/ecc/poll?agent=m1&max=1", AGENT, null))
                .path("credential_revision").asText());
    }
}
