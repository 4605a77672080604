package io.midway.instance.store;

import io.midway.instance.api.UserRow;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceEvent;
import io.midway.wire.SealedSecret;

/**
 * Databases written by real releases (not by hand-made SQL) open with today's store without
 * losing or altering anything: {@code legacy-db/schema9} was written by the schema-9 release
 * (commit 64f32df~1), {@code legacy-db/schema10} by the main branch at schema 10, both filled
 * through the HTTP API by {@code legacy-db/fill.py}, which also wrote down in
 * {@code expected.json} what the API read back before the instance stopped. Each fixture is
 * copied, opened (brought up to date), checked through {@link StoreSession}'s read methods,
 * closed and opened a second time and checked again. See {@code legacy-db/README.md}.
 */
public class LegacyDatabaseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The store returns domain records, whose components are the wire fields in camel case: this
     * mapper names them as {@code expected.json} (the HTTP API's JSON) does.
     */
    private static final ObjectMapper WIRE_NAMES = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    /** Numbers compare by value (an int read from expected.json equals a long of a record). */
    private static final Comparator<JsonNode> SAME = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText()));
        }
        return a.equals(b) ? 0 : 1;
    };
    private static final Pattern REKEY = Pattern.compile("registered another public key (SHA256:[0-9a-f]{64})");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aSchema9DatabaseOfTheReleaseMigratesWithoutLoss() throws Exception {
        Path dir = copyFixture("schema9");
        assertEquals("the fixture is a schema-9 database", List.of(9), schemaRows(dir));
        JsonNode expected = expected("schema9");

        try (InstanceStore store = io.midway.instance.store.h2.H2Engine.open(dir)) {
            checkEverything(store, expected, dir.getParent());
        }
        assertEquals(List.of(InstanceStore.SCHEMA_VERSION), schemaRows(dir));

        try (InstanceStore store = io.midway.instance.store.h2.H2Engine.open(dir)) {
            checkEverything(store, expected, dir.getParent());
            expireLeasesOfProcessing(store, expected);
            // schema 10 on the migrated data: no identities yet, no pending key; both can be written and read
            assertEquals(List.of(), store.read(StoreSession::users));
            for (JsonNode agent : expected.get("ecc_agent")) {
                String name = agent.get("name").asText();
                assertTrue(name + " has no pending key", store.read(s -> s.agentPendingKey(name)).isEmpty());
            }
            String alpha = "alpha";
            UserRow user = new UserRow("u1", "mid.server.alpha", "mid_server", alpha, true,
                    "pbkdf2$fixture", "enrolled", "2026-12-07 10:00:00");
            store.transaction(s -> {
                s.insertUser(user);
                s.setAgentPendingKey(alpha, "KEY-TEXT", "SHA256:00");
                return null;
            });
            assertEquals(List.of(user), store.read(StoreSession::users));
            PendingKey pending = store.read(s -> s.agentPendingKey(alpha)).orElseThrow();
            assertEquals("KEY-TEXT", pending.text());
            assertEquals("SHA256:00", pending.fingerprint());
            assertEquals("the validated key stays", agent(expected, alpha).get("public_key_fingerprint").asText(),
                    fingerprintOfStoredKey(store, alpha));
        }
        assertEquals("opening again changes nothing", List.of(InstanceStore.SCHEMA_VERSION), schemaRows(dir));
    }

    @Test
    public void aSchema10DatabaseOfTheReleaseOpensWithoutLoss() throws Exception {
        Path dir = copyFixture("schema10");
        assertEquals("the fixture is a schema-10 database", List.of(10), schemaRows(dir));
        JsonNode expected = expected("schema10");

        for (int open = 1; open <= 2; open++) {
            try (InstanceStore store = io.midway.instance.store.h2.H2Engine.open(dir)) {
                checkEverything(store, expected, dir.getParent());
                checkUsers(store, expected.get("sys_user"), expected.at("/counts/sys_user").asInt());
                // delta registered a second key after it was validated: pending, the validated one kept
                String rekey = events(expected, "mid_server.rekey").get(0).get("detail").asText();
                Matcher m = REKEY.matcher(rekey);
                assertTrue(rekey, m.find());
                PendingKey pending = store.read(s -> s.agentPendingKey("delta")).orElseThrow();
                assertEquals(m.group(1), pending.fingerprint());
                assertEquals(m.group(1), SealedSecret.fingerprint(SealedSecret.parsePublicKey(pending.text())));
                assertEquals(agent(expected, "delta").get("public_key_fingerprint").asText(),
                        fingerprintOfStoredKey(store, "delta"));
                for (String name : List.of("alpha", "bravo", "charlie")) {
                    assertTrue(name + " has no pending key", store.read(s -> s.agentPendingKey(name)).isEmpty());
                }
                if (open == 2) {
                    expireLeasesOfProcessing(store, expected);
                }
            }
            assertEquals("open " + open, List.of(InstanceStore.SCHEMA_VERSION), schemaRows(dir));
        }
    }

    /** Everything both fixtures hold, compared with what the API read back before the instance stopped. */
    /**
     * A release before migration 12 kept the bytes of synced files and agent cores only in
     * {@code <data>/files} and {@code <data>/cores}: at the first start of this one they move into
     * the database, so the folder is only a cache (and other nodes serve them). The schema-10
     * fixture's probe jar is rebuilt by {@code fill.py}'s {@code bundle_jar} byte for byte
     * ({@code schema10/files/}); its agent core jar was not kept, and is reported missing.
     */
    @Test
    public void jarsOfASchema10DataFolderMoveIntoTheDatabase() throws Exception {
        Path dir = copyFixture("schema10");
        Path files = Files.createDirectories(dir.getParent().resolve("files"));
        JsonNode synced = expected("schema10").get("sync_file").get(0);
        String sha = synced.get("sha256").asText();
        Path fixtureJar = resource("schema10/files/" + sha + ".jar");
        Files.copy(fixtureJar, files.resolve(sha + ".jar"));
        String coreSha = expected("schema10").get("agent_core").get(0).get("sha256").asText();

        io.midway.instance.internal.InstanceServices service = new io.midway.instance.internal.InstanceServices(
                io.midway.instance.store.h2.H2Engine.open(dir), new io.midway.instance.internal.InstanceSettings(java.time.Duration.ofSeconds(60),
                        java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(120), true,
                        java.time.Duration.ofSeconds(5), "1.2.3"), java.time.Clock.systemUTC());
        try {
            io.midway.instance.internal.FileSyncService sync = new io.midway.instance.internal.FileSyncService(service.core(),
                    files, io.midway.instance.internal.FileSyncService.MAX_FILE_BYTES);
            io.midway.instance.internal.AgentCoreRepository cores = new io.midway.instance.internal.AgentCoreRepository(
                    service.core(), dir.getParent().resolve("cores"), io.midway.instance.internal.AgentCoreRepository.MAX_CORE_BYTES);
            assertEquals("the probe's bytes are in the database", List.of(sha), service.core().read(s -> s.jars().all()));

            // The folder lost (or another node without it): the file is still served, the same bytes.
            Files.delete(files.resolve(sha + ".jar"));
            try (InputStream in = sync.open(sha).bytes()) {
                assertTrue(java.util.Arrays.equals(Files.readAllBytes(fixtureJar), in.readAllBytes()));
            }
            assertTrue("cached again", Files.exists(files.resolve(sha + ".jar")));
            assertEquals(synced.get("symbolic_name").asText(), sync.snapshot().files().get(0).symbolicName());

            // The core's bytes were never kept: still listed, its download says they are lost.
            assertEquals(1, cores.cores().size());
            try {
                cores.open(coreSha).bytes().close();
                fail("served bytes it does not have");
            } catch (io.midway.instance.api.InstanceException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("lost the bytes of agent core 0.1.0"));
            }
        } finally {
            service.close();
        }
    }

    private void checkEverything(InstanceStore store, JsonNode expected, Path fixture) throws Exception {
        JsonNode counts = expected.get("counts");
        checkAgents(store, expected.get("ecc_agent"), counts.get("ecc_agent").asInt());
        checkRecords(store, expected.get("ecc_queue"), counts.get("ecc_queue").asInt());
        checkEvents(store, expected.get("events"), counts.get("ecc_event").asInt());
        checkClusters(store, expected.get("ecc_agent_cluster"), counts.get("ecc_agent_cluster").asInt());
        checkCredentials(store, expected, fixture, counts.get("discovery_credentials").asInt());
        checkAffinity(store, expected.get("dscy_credentials_affinity"), counts.get("dscy_credentials_affinity").asInt());
        checkFilesAndCores(store, expected, counts);
    }

    private void checkAgents(InstanceStore store, JsonNode expected, int count) throws Exception {
        List<Agent> agents = store.read(StoreSession::agents);
        assertEquals("ecc_agent rows", count, agents.size());
        assertEquals(count, store.read(s -> s.count(TableQuery.all(TableSchema.ECC_AGENT))).intValue());
        Map<String, Agent> byName = index(agents, Agent::name);
        for (JsonNode row : expected) {
            String name = row.get("name").asText();
            Agent agent = byName.get(name);
            assertNotNull("agent " + name, agent);
            assertFieldsEqual("ecc_agent " + name, row, WIRE_NAMES.valueToTree(agent));
            assertEquals(agent, store.read(s -> s.findAgent(agent.sysId())).orElseThrow());
            String fingerprint = row.get("public_key_fingerprint").isNull() ? null
                    : row.get("public_key_fingerprint").asText();
            if (fingerprint == null) {
                assertTrue(name + " has no key", store.read(s -> s.agentPublicKey(name)).isEmpty());
            } else {
                assertEquals("the stored key of " + name + " is the one registered", fingerprint,
                        fingerprintOfStoredKey(store, name));
            }
        }
        // a few values written down by name, so a wrong expected.json cannot hide a loss
        Agent alpha = byName.get("alpha");
        assertEquals("Up", alpha.status());
        assertTrue(alpha.validated());
        assertEquals(List.of("ssh", "tcp"), alpha.advertisedCapabilities());
        assertEquals(List.of("powershell", "Windows"), alpha.manualCapabilities());
        assertEquals(List.of("ssh", "tcp", "powershell", "Windows"), alpha.capabilities());
        assertEquals(List.of("Discovery", "Orchestration"), alpha.applications());
        assertEquals(List.of("10.0.0.0/24", "192.168.7.1-192.168.7.20"), alpha.ipRanges());
        assertEquals("0.1.0", alpha.pinnedVersion());
        assertEquals("dc-east", alpha.cluster());
        assertEquals("applied", alpha.syncState());
        assertFalse(byName.get("bravo").validated());
        assertEquals("Paused", byName.get("charlie").status());
        assertTrue(byName.get("charlie").isDefault());
    }

    private void checkRecords(InstanceStore store, JsonNode expected, int count) throws Exception {
        List<QueueRecord> records = store.read(s -> s.queryRecords(TableQuery.all(TableSchema.ECC_QUEUE)));
        assertEquals("ecc_queue rows", count, records.size());
        assertEquals(count, store.read(s -> s.count(TableQuery.all(TableSchema.ECC_QUEUE))).intValue());
        Map<String, QueueRecord> bySysId = index(records, QueueRecord::sysId);
        Set<String> states = new TreeSet<>();
        for (JsonNode row : expected) {
            String sysId = row.get("sys_id").asText();
            QueueRecord record = bySysId.get(sysId);
            assertNotNull("record " + sysId + " (" + row.get("name") + ")", record);
            assertFieldsEqual("ecc_queue " + sysId, row, WIRE_NAMES.valueToTree(record));
            assertEquals(record, store.read(s -> s.findRecord(sysId)).orElseThrow());
            states.add(row.get("queue").asText() + "/" + row.get("state").asText());
            if (!row.get("response_to").isNull()) {
                assertEquals("the input answering " + row.get("response_to"), record,
                        store.read(s -> s.findInputFor(row.get("response_to").asText())).orElseThrow());
            }
        }
        assertEquals(Set.of("input/error", "input/processed", "output/error", "output/processed",
                "output/processing", "output/ready"), states);
        QueueRecord failed = records.stream().filter(r -> "input".equals(r.queue()) && "error".equals(r.state()))
                .findFirst().orElseThrow();
        assertEquals("exit status 127: uname: not found", failed.errorString());
        assertEquals(JSON.getNodeFactory().textNode("sh: uname: not found"), failed.payload());
        // the per-agent copies of the mid.server.* record keep their broadcast mark (failover leaves them)
        Map<String, Boolean> broadcast = new HashMap<>();
        for (Agent agent : store.read(StoreSession::agents)) {
            for (WaitingOutput w : store.read(s -> s.waitingOutputs(QueueRecord.agentField(agent.name())))) {
                broadcast.put(w.sysId(), w.broadcast());
            }
        }
        int copies = 0;
        for (QueueRecord r : records) {
            if ("everyone".equals(r.name()) && !QueueRecord.AGENT_ALL.equals(r.agent())) {
                assertEquals("broadcast copy " + r.sysId() + " for " + r.agent(), Boolean.TRUE, broadcast.get(r.sysId()));
                copies++;
            } else if (broadcast.containsKey(r.sysId())) {
                assertEquals("not a broadcast copy: " + r.sysId(), Boolean.FALSE, broadcast.get(r.sysId()));
            }
        }
        assertEquals("one copy per agent registered when it was written", 3, copies);
    }

    private void checkEvents(InstanceStore store, JsonNode expected, int count) throws Exception {
        List<InstanceEvent> events = store.read(s -> s.eventsSince(0, 10000));
        assertEquals("ecc_event rows", count, events.size());
        for (int i = 0; i < count; i++) {
            assertFieldsEqual("event " + i, expected.get(i), WIRE_NAMES.valueToTree(events.get(i)));
        }
    }

    private void checkClusters(InstanceStore store, JsonNode expected, int count) throws Exception {
        List<AgentCluster> clusters = store.read(StoreSession::clusters);
        assertEquals("ecc_agent_cluster rows", count, clusters.size());
        for (JsonNode row : expected) {
            AgentCluster cluster = store.read(s -> s.findClusterByName(row.get("name").asText())).orElseThrow();
            assertEquals(row.get("sys_id").asText(), cluster.sysId());
            assertEquals(row.get("type").asText(), cluster.type().label());
            assertEquals(strings(row.get("members")), cluster.members());
        }
    }

    private void checkCredentials(InstanceStore store, JsonNode expected, Path fixture, int count) throws Exception {
        List<StoredCredential> credentials = store.read(
                s -> s.queryCredentials(TableQuery.all(TableSchema.DISCOVERY_CREDENTIALS)));
        assertEquals("discovery_credentials rows", count, credentials.size());
        Set<String> common = Set.of("sys_id", "name", "type", "order", "active", "resolver", "external_id",
                "secrets_set", "sys_created_on", "sys_updated_on");
        for (JsonNode row : expected.get("discovery_credentials")) {
            String name = row.get("name").asText();
            StoredCredential c = store.read(s -> s.findCredentialByName(name)).orElseThrow();
            assertEquals(name, row.get("sys_id").asText(), c.sysId());
            assertEquals(name, row.get("type").asText(), c.type());
            assertEquals(name, row.get("order").asInt(), c.order());
            assertEquals(name, row.get("active").asBoolean(), c.active());
            assertEquals(name, row.get("resolver").asText(), c.resolver() == null ? "" : c.resolver());
            assertEquals(name, row.get("external_id").asText(), c.externalId() == null ? "" : c.externalId());
            assertEquals(name + " secrets", new TreeSet<>(strings(row.get("secrets_set"))), c.secrets().keySet());
            for (Iterator<String> it = row.fieldNames(); it.hasNext();) {
                String field = it.next();
                if (!common.contains(field)) {
                    assertEquals(name + "." + field, row.get(field).asText(), c.fields().getOrDefault(field, ""));
                }
            }
        }
        // the secrets still decrypt with the instance's master key, which still matches the database
        CredentialCipher cipher = CredentialCipher.open(fixture.resolve(CredentialCipher.KEY_FILE), false);
        assertTrue("the key check in instance_state matches the key file",
                cipher.matches(store.read(StoreSession::credentialKeyCheck)));
        JsonNode secret = expected.get("credential_secret");
        StoredCredential c = store.read(s -> s.findCredentialByName(secret.get("credential").asText()))
                .orElseThrow();
        String field = secret.get("field").asText();
        assertTrue("the secret decrypts to what was stored",
                secret.get("value").asText().equals(cipher.decrypt(c.sysId(), field, c.secrets().get(field))));
        for (StoredCredential any : credentials) {
            any.secrets().forEach((f, ciphertext) -> cipher.decrypt(any.sysId(), f, ciphertext));
        }
        assertEquals(3, (long) store.read(StoreSession::credentialsWithSecrets));
        assertEquals("one revision per credential written", count, (long) store.read(StoreSession::credentialRevision));
    }

    private void checkAffinity(InstanceStore store, JsonNode expected, int count) throws Exception {
        List<StoredAffinity> rows = store.read(
                s -> s.queryAffinity(TableQuery.all(TableSchema.DSCY_CREDENTIALS_AFFINITY)));
        assertEquals("dscy_credentials_affinity rows", count, rows.size());
        for (JsonNode row : expected) {
            StoredAffinity a = store.read(s -> s.findAffinity(row.get("sys_id").asText())).orElseThrow();
            assertEquals(row.get("agent").asText(), a.agent());
            assertEquals(row.get("credential").asText(), a.credential());
            assertEquals(row.get("credential_name").asText(), a.credentialName());
            assertEquals(row.get("type").asText(), a.type());
            assertEquals(row.get("target").asText(), a.target());
        }
        assertEquals(count, store.read(s -> s.affinityOf("alpha")).size());
    }

    private void checkFilesAndCores(InstanceStore store, JsonNode expected, JsonNode counts) throws Exception {
        assertEquals(expected.get("sync_revision").asLong(), (long) store.read(StoreSession::syncRevision));
        List<StoredSyncFile> files = store.read(StoreSession::syncFiles);
        assertEquals("sync_file rows", counts.get("sync_file").asInt(), files.size());
        for (JsonNode row : expected.get("sync_file")) {
            StoredSyncFile f = store.read(s -> s.findSyncFile(row.get("symbolic_name").asText()))
                    .orElseThrow();
            assertFieldsEqual("sync_file", row, WIRE_NAMES.valueToTree(f.file()), "uploaded_on", "downloads");
            assertEquals(row.get("uploaded_on").asText(), f.uploadedOn());
            assertEquals(f, store.read(s -> s.findSyncFileBySha256(row.get("sha256").asText())).orElseThrow());
        }
        assertEquals(expected.get("instance_version").asText(), store.read(StoreSession::instanceVersion));
        List<StoredCore> cores = store.read(StoreSession::cores);
        assertEquals("agent_core rows", counts.get("agent_core").asInt(), cores.size());
        for (JsonNode row : expected.get("agent_core")) {
            StoredCore core = store.read(s -> s.findCore(row.get("version").asText())).orElseThrow();
            assertFieldsEqual("agent_core", row, WIRE_NAMES.valueToTree(core.core()), "uploaded_on", "downloads");
            assertEquals(row.get("uploaded_on").asText(), core.uploadedOn());
            assertEquals(row.get("downloads").asLong(), core.downloads());
        }
    }

    private void checkUsers(InstanceStore store, JsonNode expected, int count) throws Exception {
        List<UserRow> users = store.read(StoreSession::users);
        assertEquals("sys_user rows", count, users.size());
        assertEquals(count, expected.size());
        Map<String, UserRow> byName = index(users, UserRow::userName);
        for (JsonNode row : expected) {
            UserRow u = byName.get(row.get("user_name").asText());
            assertNotNull(row.toString(), u);
            assertEquals(row.get("sys_id").asText(), u.sysId());
            assertEquals(row.get("roles").asText(), u.roles());
            assertEquals(row.get("agent").asText(), u.agent() == null ? "" : u.agent());
            assertEquals(row.get("active").asBoolean(), u.active());
            assertEquals(row.get("source").asText(), u.source());
            assertEquals(row.get("sys_created_on").asText(), u.createdOn());
            assertTrue("a password hash is kept", u.passwordHash().startsWith("pbkdf2"));
        }
        assertFalse("bravo's identity stays disabled", byName.get("mid.server.bravo").active());
        assertEquals("enrolled", byName.get("mid.server.alpha").source());
        assertEquals("admin", byName.get("svc-echo").source());
        assertEquals("echo", byName.get("svc-echo").agent());
    }

    /** The processing record's lease survived: expiring every lease puts exactly it back to ready. */
    private void expireLeasesOfProcessing(InstanceStore store, JsonNode expected) {
        List<JsonNode> processing = new ArrayList<>();
        for (JsonNode row : expected.get("ecc_queue")) {
            if ("processing".equals(row.get("state").asText())) {
                processing.add(row);
            }
        }
        assertEquals(1, processing.size());
        String sysId = processing.get(0).get("sys_id").asText();
        assertEquals("the agents whose leases expired", List.of(processing.get(0).get("agent").asText()),
                store.transaction(s -> s.expireLeases(Long.MAX_VALUE)));
        assertEquals("ready", store.read(s -> s.findRecord(sysId)).orElseThrow().state());
    }

    private static String fingerprintOfStoredKey(InstanceStore store, String agent) {
        String text = store.read(s -> s.agentPublicKey(agent)).orElseThrow();
        return SealedSecret.fingerprint(SealedSecret.parsePublicKey(text));
    }

    /** Every field of the expected row (but those skipped) has the same value in the actual one. */
    private static void assertFieldsEqual(String what, JsonNode expected, JsonNode actual, String... skip) {
        Set<String> skipped = Set.of(skip);
        for (Iterator<String> it = expected.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (skipped.contains(field)) {
                continue;
            }
            JsonNode want = expected.get(field);
            JsonNode got = actual.has(field) ? actual.get(field) : NullNode.getInstance();
            if (!want.equals(SAME, got)) {
                fail(what + "." + field + ": expected " + want + " but the store has " + got);
            }
        }
    }

    private static JsonNode agent(JsonNode expected, String name) {
        for (JsonNode row : expected.get("ecc_agent")) {
            if (name.equals(row.get("name").asText())) {
                return row;
            }
        }
        throw new AssertionError("no agent " + name + " in expected.json");
    }

    private static List<JsonNode> events(JsonNode expected, String name) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode e : expected.get("events")) {
            if (name.equals(e.get("name").asText())) {
                found.add(e);
            }
        }
        return found;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    private static <T> Map<String, T> index(List<T> rows, Function<T, String> key) {
        Map<String, T> map = new HashMap<>();
        for (T row : rows) {
            assertEquals("unique " + key.apply(row), null, map.put(key.apply(row), row));
        }
        return map;
    }

    /** Copies a fixture's database and key file to {@code <tmp>/<name>/db/instance.mv.db} and {@code <tmp>/<name>/credentials.key}. */
    private Path copyFixture(String name) throws IOException, URISyntaxException {
        Path data = tmp.newFolder(name).toPath();
        Path db = Files.createDirectories(data.resolve("db"));
        Files.copy(resource(name + "/instance.mv.db"), db.resolve("instance.mv.db"));
        Files.copy(resource(name + "/" + CredentialCipher.KEY_FILE), data.resolve(CredentialCipher.KEY_FILE));
        return db;
    }

    private static JsonNode expected(String name) throws IOException, URISyntaxException {
        try (InputStream in = Files.newInputStream(resource(name + "/expected.json"))) {
            return JSON.readTree(in);
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        URL url = LegacyDatabaseTest.class.getResource("/legacy-db/" + name);
        assertNotNull("test resource legacy-db/" + name, url);
        return Paths.get(url.toURI());
    }

    /** @return the rows of midway_schema, read over plain JDBC with the store closed */
    private static List<Integer> schemaRows(Path dir) throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("instance") + ";IFEXISTS=TRUE");
        ds.setUser("sa");
        ds.setPassword("");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM midway_schema")) {
            List<Integer> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getInt(1));
            }
            return rows;
        }
    }
}
