package io.midway.credential.store.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialRequest;
import io.midway.api.credential.CredentialResolver;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.store.AffinityEntry;
import io.midway.api.credential.store.CredentialStore;
import io.midway.wire.CredentialRecord;
import io.midway.wire.CredentialSync;
import io.midway.wire.SealedSecret;

public class AgentCredentialStoreTest {

    /** A secret that must never show up anywhere but from secret(). */
    static final String SECRET = "tiger-Xq7-never-shown";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path dir;
    private AgentCredentialStore store;
    private PublicKey publicKey;

    @Before
    public void setUp() throws IOException {
        dir = KeyFixture.credentialsDirWithKey(tmp.getRoot().toPath().resolve("credentials"));
        store = new AgentCredentialStore(dir);
        publicKey = SealedSecret.parsePublicKey(store.publicKey());
    }

    private CredentialRecord basic(String id, String name, int order, boolean active, String password) {
        return new CredentialRecord(id, name, "basic", order, active, Map.of("user_name", "scott"),
                password == null ? Map.of() : Map.of("password", SealedSecret.seal(publicKey, password)), null, null);
    }

    private CredentialSync sync(String revision, CredentialRecord... records) {
        return new CredentialSync(revision, List.of(records));
    }

    @Test
    public void anEmptyStoreHasNoRevisionAndItsPublicKeyIsTheKeyFiles() throws Exception {
        assertEquals("", store.revision());
        assertTrue(store.candidates(CredentialType.BASIC, "h").isEmpty());
        assertEquals(SealedSecret.publicKeyText(AgentKey.loadOrCreate(dir).publicKey()), store.publicKey());
    }

    @Test
    public void anUpdateIsPersistedOwnerOnlyAndReadBackByANewStore() throws Exception {
        store.update(sync("7", basic("c1", "lab", 100, true, SECRET), basic("c2", "other", 200, false, "x")));

        assertEquals("7", store.revision());
        Path file = dir.resolve("credentials.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        AgentCredentialStore reopened = new AgentCredentialStore(dir);
        assertEquals("7", reopened.revision());
        Credential lab = reopened.find("lab").orElseThrow();
        assertEquals("c1", lab.id());
        assertEquals(SECRET, lab.secret("password"));
        assertEquals("inactive credentials are found by id too", "other", reopened.find("c2").orElseThrow().name());
        assertTrue(reopened.find("nope").isEmpty());
    }

    @Test
    public void aRejectedUpdateKeepsWhatTheStoreHeld() throws Exception {
        store.update(sync("1", basic("c1", "lab", 100, true, SECRET)));
        try {
            store.update(sync("2", basic("c1", "a", 1, true, "x"), basic("c1", "b", 2, true, "y")));
            fail("a duplicate sys_id must be refused");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("sys_id c1 appears twice"));
        }
        assertEquals("1", store.revision());
        assertEquals("1", new AgentCredentialStore(dir).revision());
        assertEquals("lab", store.find("c1").orElseThrow().name());
    }

    @Test
    public void candidatesAreTheActiveOnesOfTheTypeByOrderThenName() throws Exception {
        store.update(sync("1",
                basic("c1", "zeta", 100, true, "a"),
                basic("c2", "alpha", 100, true, "b"),
                basic("c3", "first", 10, true, "c"),
                basic("c4", "off", 1, false, "d"),
                new CredentialRecord("c5", "snmp", "snmp_community", 0, true, Map.of(), Map.of(), null, null),
                new CredentialRecord("c6", "odd", "kerberos", 0, true, Map.of(), Map.of(), null, null)));

        assertEquals(List.of("first", "alpha", "zeta"), names(store.candidates(CredentialType.BASIC, null)));
        assertEquals(List.of("snmp"), names(store.candidates(CredentialType.SNMP_COMMUNITY, "10.0.0.1")));
        assertTrue(store.candidates(CredentialType.SSH_KEY, "10.0.0.1").isEmpty());
        assertEquals(List.of("odd (kerberos)"), store.unusable());
    }

    @Test
    public void theCredentialThatWorkedForATargetComesFirstAndThatIsPersisted() throws Exception {
        store.update(sync("1", basic("c1", "a", 1, true, "x"), basic("c2", "b", 2, true, SECRET)));
        Credential b = store.candidates(CredentialType.BASIC, "10.0.0.5").get(1);

        store.worked(b, "10.0.0.5");
        assertEquals(List.of("b", "a"), names(store.candidates(CredentialType.BASIC, "10.0.0.5")));
        assertEquals("other targets keep the order", List.of("a", "b"),
                names(store.candidates(CredentialType.BASIC, "10.0.0.6")));

        Path file = dir.resolve("affinity.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        AgentCredentialStore reopened = new AgentCredentialStore(dir);
        assertEquals(List.of("b", "a"), names(reopened.candidates(CredentialType.BASIC, "10.0.0.5")));
        assertEquals(Map.of("c2", List.of("10.0.0.5")), reopened.affinityTargets());

        // tryEach (the SPI's default) records what worked
        String result = reopened.tryEach(CredentialType.BASIC, "10.0.0.9", c -> {
            if (c.name().equals("a")) {
                throw new IOException("login refused");
            }
            return c.secret("password");
        });
        assertEquals(SECRET, result);
        assertEquals("b", reopened.candidates(CredentialType.BASIC, "10.0.0.9").get(0).name());

        // a new revision without c2 forgets its affinity
        reopened.update(sync("2", basic("c1", "a", 1, true, "x")));
        assertEquals(Map.of(), reopened.affinityTargets());
        assertEquals(Map.of(), new AgentCredentialStore(dir).affinityTargets());
    }

    @Test
    public void theAffinityVersionChangesExactlyWhenTheSetChanges() throws Exception {
        store.update(sync("1", basic("c1", "a", 1, true, "x"), basic("c2", "b", 2, true, SECRET),
                new CredentialRecord("c3", "snmp", "snmp_community", 0, true, Map.of(), Map.of(), null, null)));
        long start = store.affinityVersion();
        assertEquals(List.of(), store.affinity());
        assertEquals("an update that drops no affinity changes nothing", start, store.affinityVersion());
        List<Credential> basics = store.candidates(CredentialType.BASIC, "10.0.0.5");
        Credential a = basics.get(0);
        Credential b = basics.get(1);
        Credential snmp = store.candidates(CredentialType.SNMP_COMMUNITY, "10.0.0.5").get(0);

        store.worked(b, "10.0.0.5");
        long v1 = store.affinityVersion();
        assertNotEquals(start, v1);
        assertEquals(List.of(new AffinityEntry("basic", "10.0.0.5", "c2")), store.affinity());

        store.worked(b, "10.0.0.5");
        assertEquals("the same credential again is no change", v1, store.affinityVersion());

        store.worked(a, "10.0.0.5");
        store.worked(snmp, "10.0.0.5");
        store.worked(b, "host-b.example");
        long v2 = store.affinityVersion();
        assertNotEquals(v1, v2);
        assertEquals("by type, then target", List.of(new AffinityEntry("basic", "10.0.0.5", "c1"),
                new AffinityEntry("basic", "host-b.example", "c2"), new AffinityEntry("snmp_community", "10.0.0.5", "c3")),
                store.affinity());

        // a new store on the same files: the same set, another version
        AgentCredentialStore reopened = new AgentCredentialStore(dir);
        assertEquals(store.affinity(), reopened.affinity());
        assertNotEquals(v2, reopened.affinityVersion());

        // a revision without c2 drops its affinity: a change
        store.update(sync("2", basic("c1", "a", 1, true, "x"),
                new CredentialRecord("c3", "snmp", "snmp_community", 0, true, Map.of(), Map.of(), null, null)));
        assertNotEquals(v2, store.affinityVersion());
        assertEquals(List.of(new AffinityEntry("basic", "10.0.0.5", "c1"),
                new AffinityEntry("snmp_community", "10.0.0.5", "c3")), store.affinity());
        try {
            store.affinity().clear();
            fail("the set handed out is a copy that cannot be changed");
        } catch (UnsupportedOperationException expected) {
            // expected
        }
    }

    @Test
    public void aSecretOpensOnEachCallAndATamperedOneIsRefusedClearly() throws Exception {
        String sealed = SealedSecret.seal(publicKey, SECRET);
        char[] chars = sealed.toCharArray();
        int last = chars.length - 2;
        chars[last] = chars[last] == 'A' ? 'B' : 'A';
        String tampered = new String(chars);
        store.update(sync("1",
                new CredentialRecord("c1", "good", "basic", 1, true, Map.of("user_name", "scott"),
                        Map.of("password", sealed), null, null),
                new CredentialRecord("c2", "bad", "basic", 1, true, Map.of("user_name", "scott"),
                        Map.of("password", tampered), null, null)));

        Credential good = store.find("good").orElseThrow();
        assertEquals(SECRET, good.secret("password"));
        assertEquals(SECRET, good.secret("password"));
        assertEquals("scott", good.field("user_name").orElseThrow());
        assertTrue("a secret is no field", good.field("password").isEmpty());

        try {
            store.find("bad").orElseThrow().secret("password");
            fail("a tampered secret must not open");
        } catch (CredentialException e) {
            assertEquals("the secret password of credential 'bad' was altered or not sealed for this agent; "
                    + "it is not used", e.getMessage());
        }
        try {
            good.secret("user_name");
            fail("user_name is not a secret field");
        } catch (CredentialException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not a secret field"));
        }
    }

    @Test
    public void aSecretSealedForAnotherAgentIsRefused() throws Exception {
        PublicKey other = SealedSecret.newAgentKeyPair().getPublic();
        store.update(sync("1", new CredentialRecord("c1", "foreign", "basic", 1, true, Map.of(),
                Map.of("password", SealedSecret.seal(other, SECRET)), null, null)));
        try {
            store.find("c1").orElseThrow().secret("password");
            fail();
        } catch (CredentialException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("was altered or not sealed for this agent"));
        }
    }

    @Test
    public void externalCredentialsAskTheirResolverForTheTargetAndNameAMissingOne() throws Exception {
        store.update(sync("1", new CredentialRecord("c1", "vaulted", "basic", 1, true, Map.of(), Map.of(), "vault",
                "secret/lab")));
        Credential vaulted = store.candidates(CredentialType.BASIC, "10.0.0.7").get(0);
        try {
            vaulted.secret("password");
            fail("no resolver is installed");
        } catch (CredentialException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("resolver 'vault'"));
            assertTrue(e.getMessage(), e.getMessage().contains("'vaulted'"));
            assertTrue(e.getMessage(), e.getMessage().contains("not installed"));
        }

        List<CredentialRequest> asked = new ArrayList<>();
        CredentialResolver vault = request -> {
            asked.add(request);
            return Map.of("user_name", "svc", "password", SECRET);
        };
        store.addResolver(vault, Map.of(CredentialResolver.NAME_PROPERTY, "vault"));
        assertEquals(SECRET, vaulted.secret("password"));
        assertEquals("svc", vaulted.field("user_name").orElseThrow());
        assertEquals(new CredentialRequest("secret/lab", CredentialType.BASIC, "10.0.0.7", "vaulted"), asked.get(0));

        store.removeResolver(vault, Map.of(CredentialResolver.NAME_PROPERTY, "vault"));
        try {
            vaulted.secret("password");
            fail("the resolver went away");
        } catch (CredentialException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("resolver 'vault'"));
        }
    }

    @Test
    public void encryptedConfigValuesRoundTripAndTamperingIsRefused() throws Exception {
        String encrypted = store.encrypt(SECRET);
        assertTrue(encrypted, CredentialStore.isEncrypted(encrypted));
        assertFalse(encrypted.contains(SECRET));
        assertNotEquals("a fresh key per call", encrypted, store.encrypt(SECRET));
        assertEquals(SECRET, store.decrypt(encrypted));
        assertEquals("the prefix is optional", SECRET,
                store.decrypt(encrypted.substring(CredentialStore.ENCRYPTED_PREFIX.length())));
        assertEquals("another store over the same key opens it", SECRET, new AgentCredentialStore(dir).decrypt(encrypted));

        char[] chars = encrypted.toCharArray();
        chars[chars.length - 3] = chars[chars.length - 3] == 'x' ? 'y' : 'x';
        for (String bad : List.of(new String(chars), encrypted.substring(0, encrypted.length() - 5),
                "encrypted:" + SECRET)) {
            try {
                store.decrypt(bad);
                fail("an altered value must not decrypt");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("cannot be decrypted"));
                assertFalse(e.getMessage(), e.getMessage().contains(SECRET));
                assertFalse(e.getMessage(), e.getMessage().contains(bad.substring(bad.length() - 15)));
            }
        }
        assertFalse(CredentialStore.isEncrypted(SECRET));
        assertFalse(CredentialStore.isEncrypted(null));
    }

    @Test
    public void theSecretNeverAppearsInTheFilesToStringOrTheCommands() throws Exception {
        store.update(sync("3", basic("c1", "lab", 1, true, SECRET)));
        Credential lab = store.find("lab").orElseThrow();
        store.worked(lab, "10.0.0.5");
        assertEquals(SECRET, lab.secret("password"));

        for (String file : List.of("credentials.json", "affinity.json")) {
            String content = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
            assertFalse(file + " holds the secret", content.contains(SECRET));
        }
        assertTrue("the sealed value is stored as received",
                Files.readString(dir.resolve("credentials.json")).contains("\"v1."));
        assertFalse(lab.toString().contains(SECRET));
        assertFalse(lab.toString().contains("v1."));
        assertFalse(store.toString().contains(SECRET));

        CredentialCommands commands = new CredentialCommands(store);
        String table = commands.credentials();
        assertFalse(table, table.contains(SECRET));
        assertFalse(table, table.contains("v1."));
        String test = commands.test("lab", "10.0.0.5");
        assertFalse(test, test.contains(SECRET));
    }

    static List<String> names(List<Credential> credentials) {
        return credentials.stream().map(Credential::name).toList();
    }
}
