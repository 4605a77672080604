package io.midway.instance.store;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import io.midway.testing.servers.PostgresServer;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

/**
 * The store on a real PostgreSQL server (issue 15): the numbered migrations make the same schema
 * version as on H2, reopening changes nothing, and the queue, agents and events work as on H2.
 */
public class PostgresStoreTest {

    @Rule
    public final Timeout perTestLimit = Timeout.seconds(120);

    private static PostgresServer pg;
    private InstanceStore store;

    @BeforeClass
    public static void startServer() {
        pg = PostgresServer.start();
    }

    @AfterClass
    public static void stopServer() {
        if (pg != null) {
            pg.close();
        }
    }

    @Before
    public void emptyDatabase() {
        pg.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
        store = io.midway.instance.store.postgresql.PostgresEngine.open(pg.jdbcUrl(), pg.user(), pg.password());
    }

    @After
    public void close() {
        if (store != null) {
            store.close();
        }
    }

    private static QueueRecord output(String sysId, String agent, int priority, String created) {
        com.fasterxml.jackson.databind.node.ObjectNode payload = Json.mapper().createObjectNode();
        payload.put("port", 22);
        payload.put("text", "{not json}");
        return new QueueRecord(sysId, agent, "TCPScan", "scan", "127.0.0.1", payload, "output", "ready", null, priority,
                null, created, null);
    }

    @Test
    public void theMigrationsMakeTheSchemaOfTodayOnceAndReopeningChangesNothing() {
        assertEquals("postgresql", store.engine());
        assertEquals(pg.jdbcUrl(), store.location());
        assertEquals(List.of(List.of(InstanceStore.SCHEMA_VERSION)), pg.query("SELECT version FROM midway_schema"));
        store.close();
        store = io.midway.instance.store.postgresql.PostgresEngine.open(pg.jdbcUrl(), pg.user(), pg.password());
        assertEquals("one row, still the current version", List.of(List.of(InstanceStore.SCHEMA_VERSION)),
                pg.query("SELECT version FROM midway_schema"));
        List<Object> tables = pg.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                + "ORDER BY table_name").stream().map(row -> row.get(0)).toList();
        assertEquals("the tables of every migration", List.of("agent_core", "discovery_credentials",
                "dscy_credentials_affinity", "ecc_agent", "ecc_agent_cluster", "ecc_agent_config", "ecc_agent_property", "ecc_event", "ecc_queue", "instance_node",
                "instance_state",
                "midway_schema", "stored_jar", "sync_file", "sync_revision", "sys_user"), tables);
    }

    @Test
    public void recordsAgentsAndEventsWorkAsOnTheEmbeddedEngine() throws Exception {
        store.transaction(s -> {
            s.insertRecord(output("late-standard", "mid.server.m1", 2, "2026-01-01 10:00:02"), 2000);
            s.insertRecord(output("early-standard", "mid.server.m1", 2, "2026-01-01 10:00:01"), 1000);
            s.insertRecord(output("interactive", "mid.server.m1", 0, "2026-01-01 10:00:03"), 3000);
            s.insertRecord(output("other-agent", "mid.server.m2", 0, "2026-01-01 10:00:00"), 500);
            return null;
        });
        List<QueueRecord> ready = store.read(s -> s.readyFor("mid.server.m1", false, false, 10));
        assertEquals(List.of("interactive", "early-standard", "late-standard"), ready.stream().map(QueueRecord::sysId).toList());
        assertEquals("payload kept as JSON", 22, ready.get(0).payload().path("port").asInt());

        Agent agent = new Agent("a1", "m1", "Up", true, "1.0.0", "m1.example", "127.0.0.1",
                "2026-01-01 10:00:00", List.of("tcp"), List.of("ALL"), List.of(), "", false, null, null, null, null,
                List.of(), List.of("tcp"));
        store.transaction(s -> {
            s.insertAgent(agent, 1000);
            return null;
        });
        Agent found = store.read(s -> s.findAgentByName("m1")).orElseThrow();
        assertEquals("Up", found.status());
        assertEquals(List.of("tcp"), found.capabilities());

        store.transaction(s -> s.insertEvent("mid_server.up", "m1", "2026-01-01 10:00:00", "registered"));
        assertEquals("mid_server.up", store.read(s -> s.eventsSince(0, 10)).get(0).name());
    }

    @Test
    public void aFailedTransactionWritesNothing() throws Exception {
        try {
            store.transaction(s -> {
                s.insertRecord(output("r1", "mid.server.m1", 2, "2026-01-01 10:00:00"), 1000);
                throw new IllegalStateException("boom");
            });
            fail("expected the work's exception");
        } catch (IllegalStateException expected) {
            // rolled back
        }
        assertTrue(store.read(s -> s.findRecord("r1")).isEmpty());
    }

    /**
     * The driver prepares a statement on the server from its fifth use; PostgreSQL then keeps one
     * generic plan for it, made from the statistics of the moment. A queue that starts empty got a
     * sequential scan for the batch read by sys_ids, which took 60-100 ms a batch once the queue
     * held 20,000 rows (the instance answered 450 items/s). The store's connections plan every
     * execution with its own values.
     */
    @Test
    public void everyStatementIsPlannedWithItsOwnValuesNotWithAPlanMadeWhenTheQueueWasEmpty() throws Exception {
        javax.sql.PooledConnection pooled = io.midway.instance.store.postgresql.PostgresEngine
                .setup(pg.jdbcUrl(), pg.user(), pg.password()).dataSource().getPooledConnection();
        try (java.sql.Connection c = pooled.getConnection();
                java.sql.ResultSet rs = c.createStatement().executeQuery("SHOW plan_cache_mode")) {
            assertTrue(rs.next());
            assertEquals("force_custom_plan", rs.getString(1));
        } finally {
            pooled.close();
        }
    }

    @Test
    public void aWrongPasswordIsAClearError() {
        try {
            io.midway.instance.store.postgresql.PostgresEngine.open(pg.jdbcUrl(), pg.user(), "not-the-password").close();
            fail("opened with a wrong password");
        } catch (StoreException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("cannot open the instance database " + pg.jdbcUrl() + " as "
                    + pg.user() + ": ") && !e.getMessage().contains("not-the-password"));
        }
    }

    @Test
    public void twoNodesStartingAtOnceOnAFreshDatabaseMigrateItOnce() throws Exception {
        store.close();
        store = null;
        pg.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<InstanceStore>> opened = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            opened.add(two.submit(() -> {
                go.await();
                return io.midway.instance.store.postgresql.PostgresEngine.open(pg.jdbcUrl(), pg.user(), pg.password());
            }));
        }
        go.countDown();
        for (java.util.concurrent.Future<InstanceStore> f : opened) {
            f.get(60, java.util.concurrent.TimeUnit.SECONDS).close();
        }
        two.shutdown();
        assertEquals("one schema row, at today's version", List.of(List.of(InstanceStore.SCHEMA_VERSION)),
                pg.query("SELECT version FROM midway_schema"));
    }

    @Test
    public void closingTheStoreEndsTheSessionOfItsWakeUpListener() throws Exception {
        store.close();
        store = null;
        long before = sessions();
        store = io.midway.instance.store.postgresql.PostgresEngine.open(pg.jdbcUrl(), pg.user(), pg.password());
        store.signals().orElseThrow().listen(agent -> { });
        awaitSessions("the listener's session", before + 1, true);
        store.close();
        store = null;
        awaitSessions("every session of the store ended once it is closed", before, false);
    }

    /** @return the database's client sessions other than the one asking */
    private static long sessions() {
        return ((Number) pg.query("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                + "AND pid <> pg_backend_pid()").get(0).get(0)).longValue();
    }

    private static void awaitSessions(String what, long expected, boolean atLeast) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        long found;
        do {
            found = sessions();
            if (atLeast ? found >= expected : found == expected) {
                return;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        fail(what + ": " + found + " session(s), expected " + expected);
    }
}
