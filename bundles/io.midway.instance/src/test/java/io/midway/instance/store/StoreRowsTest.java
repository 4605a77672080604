package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.ClusterType;
import io.midway.instance.store.PendingKey;
import io.midway.instance.store.StoredAffinity;
import io.midway.instance.store.StoredCore;
import io.midway.instance.store.StoredCredential;
import io.midway.instance.store.StoredSyncFile;
import io.midway.instance.api.UserRow;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceDescription;
import io.midway.instance.api.RepositoryFile;

/**
 * Round trips through the rows of each table on a real H2 database, for the statements whose SQL
 * is not the same text as before the SQL moved to {@code sql/common.sql}: the standard
 * {@code MERGE}s, the array parameters, the Table API pages and counts, the reads by name. Part of
 * the store's contract: {@link PostgresStoreRowsTest} runs the same on PostgreSQL.
 */
public class StoreRowsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private InstanceStore store;

    /** @return a store on an empty database of the engine under test */
    protected InstanceStore openStore() {
        return io.midway.instance.store.h2.H2Engine.open(tmp.getRoot().toPath().resolve("db"));
    }

    @Before
    public void open() {
        store = openStore();
    }

    @After
    public void close() {
        store.close();
    }

    private static Agent agent(String sysId, String name) {
        return new Agent(sysId, name, "Up", true, "1.0.0", "host-" + name, "10.0.0.1", "2026-01-01 00:00:00",
                List.of("TCPScan"), List.of("ALL"), List.of("10.0.0.0/8"), "", false, null, null, null, null,
                List.of(), List.of("TCPScan"));
    }

    private static QueueRecord output(String sysId, String agent, String topic, int priority) {
        return new QueueRecord(sysId, agent, topic, "n", "s", null, QueueRecord.QUEUE_OUTPUT, QueueRecord.STATE_READY, null,
                priority, null, "2026-01-01 00:00:00", null);
    }

    @Test
    public void syncFilesAndCoresAreReplacedByTheirKeyAndTheDownloadCountStartsAgain() {
        store.transaction(s -> {
            s.putSyncFile(new RepositoryFile("a.jar", "bundle", "io.a", "1.0.0", "aa", 10), "2026-01-01 00:00:00");
            s.putSyncFile(new RepositoryFile("a2.jar", "bundle", "io.a", "2.0.0", "bb", 20), "2026-01-02 00:00:00");
            s.putCore(new InstanceDescription.Core("io.midway.core", "1.0.0", "cc", 30), "2026-01-01 00:00:00");
            assertTrue(s.countCoreDownload("cc"));
            assertFalse(s.countCoreDownload("zz"));
            return null;
        });
        store.read(s -> {
            assertEquals(List.of(new StoredSyncFile(new RepositoryFile("a2.jar", "bundle", "io.a", "2.0.0", "bb", 20),
                    "2026-01-02 00:00:00")), s.syncFiles());
            assertEquals("a2.jar", s.findSyncFileBySha256("bb").orElseThrow().file().name());
            assertEquals(Optional.empty(), s.findSyncFileBySha256("aa"));
            assertEquals(1, s.findCoreBySha256("cc").orElseThrow().downloads());
            return null;
        });
        store.transaction(s -> {
            s.putCore(new InstanceDescription.Core("io.midway.core", "1.0.0", "dd", 31), "2026-01-03 00:00:00");
            return null;
        });
        assertEquals(List.of(new StoredCore(new InstanceDescription.Core("io.midway.core", "1.0.0", "dd", 31),
                "2026-01-03 00:00:00", 0)), store.read(StoreSession::cores));
    }

    @Test
    public void theInstanceVersionIsSetAndReplaced() {
        assertNull(store.read(StoreSession::instanceVersion));
        store.transaction(s -> {
            s.setInstanceVersion("1.0.0");
            s.setInstanceVersion("1.1.0");
            return null;
        });
        assertEquals("1.1.0", store.read(StoreSession::instanceVersion));
        // the same row keeps the credential revision
        assertEquals(1L, (long) store.transaction(StoreSession::incrementCredentialRevision));
        assertEquals("1.1.0", store.read(StoreSession::instanceVersion));
    }

    @Test
    public void readyForReadsEachFilterInDeliveryOrder() {
        store.transaction(s -> {
            s.insertRecords(List.of(output("a", "mid.server.m", "TCPScan", 2),
                    output("b", "mid.server.m", QueueRecord.TOPIC_HEARTBEAT, 2),
                    output("c", "mid.server.m", "TCPScan", QueueRecord.PRIORITY_INTERACTIVE),
                    output("d", "mid.server.m", QueueRecord.TOPIC_HEARTBEAT, QueueRecord.PRIORITY_INTERACTIVE),
                    output("e", "mid.server.other", "TCPScan", 0)), 1000);
            return null;
        });
        store.read(s -> {
            assertEquals(List.of("c", "d", "a", "b"), ids(s.readyFor("mid.server.m", false, false, 10)));
            assertEquals(List.of("c", "d"), ids(s.readyFor("mid.server.m", false, false, 2)));
            assertEquals(List.of("d", "b"), ids(s.readyFor("mid.server.m", true, false, 10)));
            assertEquals(List.of("c", "d"), ids(s.readyFor("mid.server.m", false, true, 10)));
            assertEquals(List.of("d"), ids(s.readyFor("mid.server.m", true, true, 10)));
            assertEquals(List.of(), s.readyFor("mid.server.none", false, false, 10));
            return null;
        });
    }

    private static List<String> ids(List<QueueRecord> records) {
        return records.stream().map(QueueRecord::sysId).toList();
    }

    @Test
    public void everyTableApiTableIsCountedAndPaged() {
        store.transaction(s -> {
            s.insertRecord(output("q1", "mid.server.m", "TCPScan", 2), 1);
            s.insertRecord(output("q2", "mid.server.m", "TCPScan", 2), 2);
            s.insertAgent(agent("a1", "m"), 1);
            s.insertCluster(new AgentCluster("k1", "c", ClusterType.FAILOVER, List.of("m"), 1, 1));
            s.insertCredential(new StoredCredential("c1", "cred", "basic", 100, true, Map.of("user", "u"),
                    Map.of("password", "cipher"), null, null, 1, 1));
            s.insertAffinity(new StoredAffinity("f1", "m", "c1", null, "basic", "10.0.0.2", 1));
            s.insertSetting(TableSchema.ECC_AGENT_PROPERTY, new AgentSetting("p1", "threads.standard", "8", "", 1, 1));
            s.insertSetting(TableSchema.ECC_AGENT_PROPERTY, new AgentSetting("p2", "threads.standard", "7", "m", 1, 1));
            s.insertSetting(TableSchema.ECC_AGENT_CONFIG, new AgentSetting("g1", "poll.wait.ms", "100", "m", 1, 1));
            return null;
        });
        Map<TableSchema, Long> expected = Map.of(TableSchema.ECC_QUEUE, 2L, TableSchema.ECC_AGENT, 1L,
                TableSchema.ECC_AGENT_CLUSTER, 1L, TableSchema.DISCOVERY_CREDENTIALS, 1L,
                TableSchema.DSCY_CREDENTIALS_AFFINITY, 1L, TableSchema.ECC_AGENT_PROPERTY, 2L,
                TableSchema.ECC_AGENT_CONFIG, 1L);
        for (TableSchema table : TableSchema.TABLES) {
            assertEquals(table.name(), expected.get(table), store.read(s -> s.count(TableQuery.all(table))));
        }
        store.read(s -> {
            assertEquals(1L, s.count(TableQuery.parse(TableSchema.ECC_QUEUE, "sys_id=q2", null, null, null)));
            assertEquals(List.of("q2"), ids(s.queryRecords(TableQuery.parse(TableSchema.ECC_QUEUE, null, null, "1", "1"))));
            assertEquals("m", s.queryAgents(TableQuery.all(TableSchema.ECC_AGENT)).get(0).name());
            assertEquals(List.of("m"), s.queryClusters(TableQuery.all(TableSchema.ECC_AGENT_CLUSTER)).get(0).members());
            assertEquals(Map.of("password", "cipher"),
                    s.queryCredentials(TableQuery.all(TableSchema.DISCOVERY_CREDENTIALS)).get(0).secrets());
            assertEquals(List.of(new StoredAffinity("f1", "m", "c1", "cred", "basic", "10.0.0.2", 1)),
                    s.queryAffinity(TableQuery.parse(TableSchema.DSCY_CREDENTIALS_AFFINITY, "type=basic", null, null,
                            null)));
            assertEquals(1L, s.credentialsWithSecrets());
            assertEquals(Set.of("c1"), s.existingCredentials(List.of("c1", "c2", "c1")));
            assertEquals(Set.of(), s.existingCredentials(List.of()));
            assertEquals(List.of("p2"), s.querySettings(TableQuery.parse(TableSchema.ECC_AGENT_PROPERTY, "agent=m", null,
                    null, null)).stream().map(AgentSetting::sysId).toList());
            assertEquals("100", s.querySettings(TableQuery.all(TableSchema.ECC_AGENT_CONFIG)).get(0).value());
            return null;
        });
    }

    @Test
    public void agentsKeepTheirFieldsKeysAndIdentities() {
        store.transaction(s -> {
            s.insertAgent(agent("a1", "m"), 5);
            s.setAgentPublicKey("m", "KEY", "fp1");
            s.insertUser(new UserRow("u1", "m", "mid_server", "m", true, "pbkdf2$x", "enrolled", "2026-01-01 00:00:00"));
            return null;
        });
        store.read(s -> {
            Agent read = s.findAgentByName("m").orElseThrow();
            assertEquals(new Agent("a1", "m", "Up", true, "1.0.0", "host-m", "10.0.0.1", "2026-01-01 00:00:00",
                    List.of("TCPScan"), List.of("ALL"), List.of("10.0.0.0/8"), "", false, null, null, null, "fp1",
                    List.of(), List.of("TCPScan")), read);
            assertEquals(Optional.of("KEY"), s.agentPublicKey("m"));
            assertEquals(Optional.empty(), s.agentPendingKey("m"));
            assertEquals(List.of(new UserRow("u1", "m", "mid_server", "m", true, "pbkdf2$x", "enrolled",
                    "2026-01-01 00:00:00")), s.users());
            return null;
        });
        store.transaction(s -> {
            s.setAgentPendingKey("m", "KEY2", "fp2");
            return null;
        });
        assertEquals(Optional.of(new PendingKey("KEY2", "fp2")), store.read(s -> s.agentPendingKey("m")));
        assertEquals(Optional.empty(), store.read(s -> s.agentPublicKey("nobody")));
    }
}
