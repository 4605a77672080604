package io.midway.credential.store.internal;

import static io.midway.credential.store.internal.AgentCredentialStoreTest.SECRET;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.api.credential.CredentialResolver;
import io.midway.wire.CredentialRecord;
import io.midway.wire.CredentialSync;
import io.midway.wire.SealedSecret;

/** The Credentials page, on a real store in a temporary folder (no OSGi, no HTTP server). */
public class CredentialConsolePluginTest {

    /** A second canary, for the SSH key. */
    private static final String KEY_SECRET = "-----BEGIN OPENSSH PRIVATE KEY-----canary-Zk9";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private AgentCredentialStore store;
    private CredentialConsolePlugin plugin;
    private final List<String> sealedTexts = new ArrayList<>();
    private PublicKey publicKey;

    @Before
    public void setUp() throws IOException {
        Path dir = KeyFixture.credentialsDirWithKey(tmp.getRoot().toPath().resolve("credentials"));
        store = new AgentCredentialStore(dir);
        publicKey = SealedSecret.parsePublicKey(store.publicKey());
        store.update(new CredentialSync("rev-42", List.of(
                new CredentialRecord("c1", "lab", "basic", 100, true, Map.of("user_name", "scott"),
                        Map.of("password", seal(SECRET)), null, null),
                new CredentialRecord("c2", "<script>alert('x')</script>", "ssh_key", 5, false,
                        Map.of("user_name", "root"), Map.of("ssh_private_key", seal(KEY_SECRET)), null, null),
                new CredentialRecord("c3", "vaulted", "snmpv3", 200, true, Map.of(), Map.of(), "vault", "kv/snmp"),
                new CredentialRecord("c4", "no-secret", "basic", 300, true, Map.of("user_name", "guest"), Map.of(),
                        null, null),
                new CredentialRecord("c5", "odd", "kerberos", 0, true, Map.of(), Map.of("password", seal(SECRET)),
                        null, null))));
        store.worked(store.find("lab").orElseThrow(), "10.0.0.5");
        store.worked(store.find("lab").orElseThrow(), "10.0.0.4");
        plugin = new CredentialConsolePlugin(store, store);
    }

    private String seal(String secret) {
        String sealed = SealedSecret.seal(publicKey, secret);
        sealedTexts.add(sealed);
        return sealed;
    }

    private ConsoleHttp.Response get(String pathInfo) throws Exception {
        ConsoleHttp.Response response = new ConsoleHttp.Response();
        plugin.doGet(ConsoleHttp.get(pathInfo), response.proxy());
        assertEquals(200, response.status);
        assertEquals("no-store", response.headers.get("Cache-Control"));
        return response;
    }

    private String page() throws Exception {
        ConsoleHttp.Response response = get("/credentials");
        assertEquals("text/html;charset=UTF-8", response.contentType);
        return response.body();
    }

    /** Fails when a secret, in clear, in base64 or sealed, is in the text. */
    private void assertNoSecret(String text) {
        for (String secret : List.of(SECRET, KEY_SECRET)) {
            assertFalse(text, text.contains(secret));
            assertFalse(text, text.contains(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8))));
            assertFalse(text, text.contains(Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(secret.getBytes(StandardCharsets.UTF_8))));
        }
        for (String sealed : sealedTexts) {
            assertFalse(text, text.contains(sealed));
        }
        assertFalse(text, text.contains("canary"));
        assertFalse(text, text.contains("tiger"));
    }

    @Test
    public void pageListsEveryCredentialWithoutASecret() throws Exception {
        String html = page();

        assertTrue(html, html.contains("<tr><td>lab</td><td>c1</td><td>basic</td><td>100</td><td>yes</td><td>-</td>"
                + "<td>password set</td><td>10.0.0.4, 10.0.0.5</td></tr>"));
        assertTrue(html, html.contains("<td>c2</td><td>ssh_key</td><td>5</td><td>no</td><td>-</td>"
                + "<td>ssh_private_key set</td><td>-</td></tr>"));
        assertTrue(html, html.contains("<tr><td>vaulted</td><td>c3</td><td>snmpv3</td><td>200</td><td>yes</td>"
                + "<td>vault (kv/snmp)</td><td>from the resolver on each use</td><td>-</td></tr>"));
        assertTrue(html, html.contains("<tr><td>no-secret</td><td>c4</td><td>basic</td><td>300</td><td>yes</td>"
                + "<td>-</td><td>none set</td><td>-</td></tr>"));
        assertTrue(html, html.contains("<li>odd (kerberos)</li>"));
        assertTrue(html, html.contains("<tr><th>Revision</th><td>rev-42</td></tr>"));
        assertTrue(html, html.contains("<tr><th>Agent key</th><td>" + SealedSecret.fingerprint(publicKey) + "</td></tr>"));
        assertTrue(html, html.contains("<tr><th>Credentials</th><td>4</td></tr>"));
        assertFalse("the console supplies <html>", html.contains("<html") || html.contains("<body"));
        assertFalse("read-only", html.contains("<form") || html.contains("<input") || html.contains("<button"));
        assertNoSecret(html);
        assertFalse("nor a non-secret field value", html.contains("scott"));
    }

    @Test
    public void pageNeverAsksAnExternalResolver() throws Exception {
        List<String> asked = new ArrayList<>();
        store.addResolver(request -> {
            asked.add(request.credentialId());
            return Map.of("user_name", "snmpuser", "auth_key", SECRET, "privacy_key", SECRET);
        }, Map.of(CredentialResolver.NAME_PROPERTY, "vault"));

        String html = page();
        String json = get("/credentials.json").body();

        assertEquals(List.of(), asked);
        assertNoSecret(html);
        assertNoSecret(json);
        // the resolver is there: the store itself would open it
        assertEquals(SECRET, store.find("vaulted").orElseThrow().secret("auth_key"));
        assertEquals(List.of("kv/snmp"), asked);
    }

    @Test
    public void everyValueIsEscaped() throws Exception {
        store.update(new CredentialSync("r\"2${x}", List.of(
                new CredentialRecord("id<1>", "<script>alert('x')</script>", "basic", 1, true, Map.of(),
                        Map.of("password", seal(SECRET)), null, null),
                new CredentialRecord("id2", "ext", "basic", 2, true, Map.of(), Map.of(), "<b>vault</b>",
                        "C:\\$path&more"),
                new CredentialRecord("id3", "<img src=x onerror=alert(1)>", "<i>type</i>", 0, true, Map.of(), Map.of(),
                        null, null))));
        store.worked(store.find("id<1>").orElseThrow(), "<target>");

        String html = page();

        assertFalse(html, html.contains("<script>"));
        assertFalse(html, html.contains("<img"));
        assertFalse(html, html.contains("<b>"));
        assertFalse(html, html.contains("<i>"));
        assertFalse(html, html.contains("<target>"));
        assertFalse(html, html.contains("${"));
        assertFalse(html, html.contains("\\$"));
        assertTrue(html, html.contains("<tr><td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</td><td>id&lt;1&gt;</td>"
                + "<td>basic</td><td>1</td><td>yes</td><td>-</td><td>password set</td><td>&lt;target&gt;</td></tr>"));
        assertTrue(html, html.contains("<td>&lt;b&gt;vault&lt;/b&gt; (C:&#92;&#36;path&amp;more)</td>"));
        assertTrue(html, html.contains("<li>&lt;img src=x onerror=alert(1)&gt; (&lt;i&gt;type&lt;/i&gt;)</li>"));
        assertTrue(html, html.contains("<tr><th>Revision</th><td>r&quot;2&#36;{x}</td></tr>"));
        assertNoSecret(html);
    }

    @Test
    public void jsonAtDotJsonHasTheSameWithoutASecret() throws Exception {
        ConsoleHttp.Response response = get("/credentials.json");

        assertEquals("application/json", response.contentType);
        assertEquals("UTF-8", response.characterEncoding);
        String body = response.body();
        assertNoSecret(body);
        JsonNode json = new ObjectMapper().readTree(body);
        assertEquals("rev-42", json.get("revision").asText());
        assertEquals(SealedSecret.fingerprint(publicKey), json.get("agent_key_fingerprint").asText());
        assertTrue(json.get("agent_key_note").isNull());
        assertEquals("odd (kerberos)", json.get("unusable").get(0).asText());
        assertEquals(1, json.get("unusable").size());

        JsonNode credentials = json.get("credentials");
        assertEquals(4, credentials.size());
        JsonNode lab = find(credentials, "c1");
        assertEquals("lab", lab.get("name").asText());
        assertEquals("basic", lab.get("type").asText());
        assertEquals(100, lab.get("order").asInt());
        assertTrue(lab.get("active").asBoolean());
        assertTrue(lab.get("resolver").isNull());
        assertEquals("[\"password\"]", lab.get("secrets_set").toString());
        assertEquals("[\"10.0.0.4\",\"10.0.0.5\"]", lab.get("affinity").toString());
        assertEquals("the record's field names, and only these",
                List.of("name", "sys_id", "type", "order", "active", "resolver", "external_id", "secrets_set",
                        "affinity"), fieldNames(lab));

        JsonNode key = find(credentials, "c2");
        assertEquals("<script>alert('x')</script>", key.get("name").asText());
        assertFalse(key.get("active").asBoolean());
        assertEquals("[\"ssh_private_key\"]", key.get("secrets_set").toString());

        JsonNode vaulted = find(credentials, "c3");
        assertEquals("vault", vaulted.get("resolver").asText());
        assertEquals("kv/snmp", vaulted.get("external_id").asText());
        assertTrue("an external credential's secrets come from its resolver", vaulted.get("secrets_set").isNull());

        assertEquals("[]", find(credentials, "c4").get("secrets_set").toString());
    }

    @Test
    public void anEmptyStoreSaysSo() throws Exception {
        Path dir = KeyFixture.credentialsDirWithKey(tmp.getRoot().toPath().resolve("empty"));
        AgentCredentialStore empty = new AgentCredentialStore(dir);
        plugin = new CredentialConsolePlugin(empty, null);

        String html = page();
        assertTrue(html, html.contains("<tr><th>Revision</th><td>none received yet</td></tr>"));
        assertTrue(html, html.contains("No credentials on this agent."));
        assertTrue(html, html.contains("<tr><th>Agent key</th><td>not available: the CredentialStore service is not "
                + "registered</td></tr>"));
        assertFalse(html, html.contains("Not usable"));

        JsonNode json = new ObjectMapper().readTree(get("/credentials.json").body());
        assertEquals("", json.get("revision").asText());
        assertTrue(json.get("agent_key_fingerprint").isNull());
        assertEquals(0, json.get("credentials").size());
    }

    @Test
    public void aKeyThatCannotBeReadIsReportedWithoutFailingThePage() throws Exception {
        CredentialStoreWithBrokenKey broken = new CredentialStoreWithBrokenKey();
        plugin = new CredentialConsolePlugin(store, broken);

        String html = page();
        assertTrue(html, html.contains("<tr><th>Agent key</th><td>not available: the agent&#39;s key pair could not "
                + "be made in /nowhere</td></tr>"));
        assertTrue(html, html.contains("<td>lab</td>"));
        assertNoSecret(html);
    }

    @Test
    public void aKeyStillBeingMadeDoesNotHoldThePageLong() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        CredentialStoreWithBrokenKey slow = new CredentialStoreWithBrokenKey() {
            @Override
            public String publicKey() {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return SealedSecret.publicKeyText(publicKey);
            }
        };
        plugin = new CredentialConsolePlugin(store, slow);
        try {
            long start = System.nanoTime();
            String html = page();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis + " ms", millis < CredentialConsolePlugin.KEY_WAIT_MILLIS + 3000);
            assertTrue(html, html.contains("<tr><th>Agent key</th><td>not available: the key pair is still being made; "
                    + "reload the page</td></tr>"));
        } finally {
            release.countDown();
        }
        // once made, the page shows it
        assertTrue(page().contains(SealedSecret.fingerprint(publicKey)));
    }

    private static JsonNode find(JsonNode credentials, String sysId) {
        for (JsonNode c : credentials) {
            if (sysId.equals(c.get("sys_id").asText())) {
                return c;
            }
        }
        throw new AssertionError("no credential " + sysId + " in " + credentials);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A CredentialStore whose key cannot be read, as the store reports a key it could not make. */
    private static class CredentialStoreWithBrokenKey implements io.midway.api.credential.store.CredentialStore {
        @Override
        public String publicKey() {
            throw new IllegalStateException("the agent's key pair could not be made in /nowhere");
        }

        @Override
        public String revision() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Taken update(String credentialsJson) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long affinityVersion() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<io.midway.api.credential.store.AffinityEntry> affinity() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String encrypt(String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decrypt(String encrypted) {
            throw new UnsupportedOperationException();
        }
    }
}
