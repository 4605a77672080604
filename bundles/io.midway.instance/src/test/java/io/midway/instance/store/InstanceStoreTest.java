package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceEvent;
import io.midway.wire.Json;

/** The store on a real H2 file database in a temporary folder. */
public class InstanceStoreTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path dir;
    private InstanceStore store;

    @Before
    public void open() {
        dir = tmp.getRoot().toPath().resolve("data").resolve("db");
        store = io.midway.instance.store.h2.H2Engine.open(dir);
    }

    @After
    public void close() {
        if (store != null) {
            store.close();
        }
    }

    private static QueueRecord output(String sysId, String agent, int priority, String created) throws Exception {
        return new QueueRecord(sysId, agent, "TCPScan", "scan", "127.0.0.1",
                Json.mapper().readTree("{\"port\":22,\"text\":\"{not json}\"}"), "output", "ready", null, priority,
                null, created, null);
    }

    @Test
    public void createsTheDatabaseFileAndSchema() {
        assertTrue(Files.exists(dir.resolve("instance.mv.db")));
        assertEquals(List.of(), store.read(s -> s.agents()));
    }

    /** A piece of a group that inserts one record and then, if told to, throws. */
    private static final class Insert implements InstanceStore.GroupWork {
        final QueueRecord record;
        final boolean fail;
        Throwable failure;

        Insert(QueueRecord record, boolean fail) {
            this.record = record;
            this.fail = fail;
        }

        @Override
        public void run(StoreSession session) throws java.sql.SQLException {
            session.insertRecord(record, 1000);
            if (fail) {
                throw new IllegalStateException("refused after writing");
            }
        }

        @Override
        public void failed(Throwable e) {
            failure = e;
        }
    }

    @Test
    public void aGroupCommitsTogetherAndRollsBackOnlyThePieceThatFailed() throws Exception {
        Insert first = new Insert(output("g1", "mid.server.m1", 2, "2026-01-01 10:00:00"), false);
        Insert failing = new Insert(output("g2", "mid.server.m1", 2, "2026-01-01 10:00:00"), true);
        Insert third = new Insert(output("g3", "mid.server.m1", 2, "2026-01-01 10:00:00"), false);
        Insert duplicate = new Insert(output("g1", "mid.server.m1", 2, "2026-01-01 10:00:00"), false);
        store.group(List.of(first, failing, third, duplicate));
        assertEquals(null, first.failure);
        assertEquals("refused after writing", failing.failure.getMessage());
        assertEquals(null, third.failure);
        assertTrue("the database refuses a second g1: " + duplicate.failure,
                duplicate.failure instanceof java.sql.SQLException);
        store.close();
        store = io.midway.instance.store.h2.H2Engine.open(dir);
        assertTrue(store.read(s -> s.findRecord("g1")).isPresent());
        assertTrue("rolled back to its savepoint", store.read(s -> s.findRecord("g2")).isEmpty());
        assertTrue(store.read(s -> s.findRecord("g3")).isPresent());
        assertEquals(2L, (long) store.read(s -> s.count(TableQuery.parse(TableSchema.ECC_QUEUE, null, null, null,
                null))));
    }

    @Test
    public void recordsRoundTripWithPayloadKeptAsJson() throws Exception {
        QueueRecord r = output("a1", "mid.server.m1", 2, "2026-01-01 10:00:00");
        store.transaction(s -> {
            s.insertRecord(r, 1000);
            return null;
        });
        assertEquals(r, store.read(s -> s.findRecord("a1")).orElseThrow());
        QueueRecord text = new QueueRecord("a2", "mid.server.m1", "T", null, null,
                Json.mapper().getNodeFactory().textNode("{\"a\":1}"), "output", "ready", null, 1, null,
                "2026-01-01 10:00:00", null);
        store.transaction(s -> {
            s.insertRecord(text, 1001);
            return null;
        });
        QueueRecord back = store.read(s -> s.findRecord("a2")).orElseThrow();
        assertTrue("a string holding JSON stays a string", back.payload().isTextual());
        assertEquals("{\"a\":1}", back.payload().textValue());
    }

    @Test
    public void failedTransactionWritesNothing() throws Exception {
        QueueRecord r = output("a1", "mid.server.m1", 2, "2026-01-01 10:00:00");
        try {
            store.transaction(s -> {
                s.insertRecord(r, 1000);
                throw new IllegalStateException("boom");
            });
            fail();
        } catch (IllegalStateException e) {
            assertEquals("boom", e.getMessage());
        }
        assertTrue(store.read(s -> s.findRecord("a1")).isEmpty());
    }

    @Test
    public void readyRecordsComeByPriorityThenCreation() throws Exception {
        store.transaction(s -> {
            try {
                s.insertRecord(output("late-standard", "mid.server.m1", 2, "2026-01-01 10:00:02"), 2000);
                s.insertRecord(output("early-standard", "mid.server.m1", 2, "2026-01-01 10:00:01"), 1000);
                s.insertRecord(output("interactive", "mid.server.m1", 0, "2026-01-01 10:00:03"), 3000);
                s.insertRecord(output("other-agent", "mid.server.m2", 0, "2026-01-01 10:00:00"), 500);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            return null;
        });
        List<QueueRecord> ready = store.read(s -> s.readyFor("mid.server.m1", false, false, 10));
        assertEquals(List.of("interactive", "early-standard", "late-standard"),
                ready.stream().map(QueueRecord::sysId).toList());
        assertEquals(1, store.read(s -> s.readyFor("mid.server.m1", false, false, 1)).size());
        assertEquals(List.of("interactive"), store.read(s -> s.readyFor("mid.server.m1", false, true, 10))
                .stream().map(QueueRecord::sysId).toList());
    }

    @Test
    public void leasesExpire() throws Exception {
        store.transaction(s -> {
            try {
                s.insertRecord(output("a1", "mid.server.m1", 2, "2026-01-01 10:00:00"), 1000);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            s.lease(List.of("a1"), 5000);
            return null;
        });
        assertEquals("processing", store.read(s -> s.findRecord("a1")).orElseThrow().state());
        assertEquals(List.of(), store.transaction(s -> s.expireLeases(4999)));
        assertEquals(List.of("mid.server.m1"), store.transaction(s -> s.expireLeases(5000)));
        assertEquals("ready", store.read(s -> s.findRecord("a1")).orElseThrow().state());
    }

    @Test
    public void agentsRoundTripAndQueryLists() {
        Agent a = new Agent("s1", "m1", "Up", true, "1.0.0", "host1", "10.0.0.1", "2026-01-01 10:00:00",
                List.of("http", "snmp"), List.of("ALL"), List.of("10.0.0.0/8"), "", false, null, null, null, null,
                List.of("snmp"), List.of("http"));
        // a record of the older shape: its capabilities are stored as advertised, none set by hand
        Agent oldShape = new Agent("s2", "m2", "Paused", false, "1.0.0", "host2", "10.0.0.2", null,
                List.of("tcp"), List.of(), List.of(), "c1", true);
        Agent b = new Agent("s2", "m2", "Paused", false, "1.0.0", "host2", "10.0.0.2", null,
                List.of("tcp"), List.of(), List.of(), "c1", true, null, null, null, null, List.of(), List.of("tcp"));
        store.transaction(s -> {
            s.insertAgent(oldShape, 2000);
            s.insertAgent(a, 1000);
            return null;
        });
        assertEquals(List.of(a), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "manual_capabilities=snmp", null, null, null))));
        assertEquals(List.of(b), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "advertised_capabilities=tcp", null, null, null))));
        assertEquals(a, store.read(s -> s.findAgent("s1")).orElseThrow());
        assertEquals(b, store.read(s -> s.findAgentByName("m2")).orElseThrow());
        assertEquals(List.of(a, b), store.read(s -> s.agents()));
        assertEquals(List.of(a), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "capabilities=snmp", null, null, null))));
        assertEquals(List.of(b), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "capabilities!=snmp^is_default=true", null, null, null))));
        assertEquals(List.of(b), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "applications=", null, null, null))));
        assertEquals(List.of(b, a), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "ORDERBYDESCname", null, null, null))));
        assertEquals(List.of(b), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "", null, "1", "1"))));
        assertEquals(List.of(a), store.read(s -> s.queryAgents(TableQuery.parse(TableSchema.ECC_AGENT,
                "last_refreshed!=", null, null, null))));
    }

    @Test
    public void recordsQueryWithTextFieldsAndErrorString() throws Exception {
        store.transaction(s -> {
            try {
                s.insertRecord(output("a1", "mid.server.m1", 2, "2026-01-01 10:00:00"), 1000);
                s.insertRecord(output("a2", "mid.server.m1", 1, "2026-01-01 10:00:01"), 2000);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            s.completeOutput("a2", "error", "refused", "2026-01-01 10:00:05");
            return null;
        });
        List<QueueRecord> errors = store.read(s -> s.queryRecords(TableQuery.parse(TableSchema.ECC_QUEUE,
                "error_string=refused^state=error", null, null, null)));
        assertEquals(1, errors.size());
        assertEquals("2026-01-01 10:00:05", errors.get(0).processed());
        assertEquals(List.of("a2", "a1"), store.read(s -> s.queryRecords(TableQuery.parse(TableSchema.ECC_QUEUE,
                "ORDERBYDESCsys_created_on", null, null, null))).stream().map(QueueRecord::sysId).toList());
        assertEquals(List.of("a1"), store.read(s -> s.queryRecords(TableQuery.parse(TableSchema.ECC_QUEUE,
                "processed=", null, null, null))).stream().map(QueueRecord::sysId).toList());
    }

    @Test
    public void eventsGetIncreasingSequenceNumbers() {
        InstanceEvent first = store.transaction(s -> s.insertEvent("mid_server.up", "m1", "2026-01-01 10:00:00", "hi"));
        InstanceEvent second = store.transaction(s -> s.insertEvent("mid_server.down", null, "2026-01-01 10:00:01", "x"));
        assertTrue(second.seq() > first.seq());
        assertEquals(List.of(first, second), store.read(s -> s.eventsSince(0, 100)));
        assertEquals(List.of(second), store.read(s -> s.eventsSince(first.seq(), 100)));
        assertEquals("", second.agent());
        assertEquals(List.of(first), store.read(s -> s.eventsSince(0, 1)));
    }

    @Test
    public void everythingSurvivesCloseAndReopen() throws Exception {
        Agent a = new Agent("s1", "m1", "Up", true, "1.0.0", "host1", "10.0.0.1", "2026-01-01 10:00:00",
                List.of("http", "ssh"), List.of(), List.of(), "", false, null, null, null, null, List.of("ssh"),
                List.of("http"));
        QueueRecord r = output("a1", "mid.server.m1", 2, "2026-01-01 10:00:00");
        store.transaction(s -> {
            s.insertAgent(a, 1000);
            s.insertRecord(r, 1000);
            s.insertEvent("mid_server.up", "m1", "2026-01-01 10:00:00", "registered");
            return null;
        });
        store.close();
        store = null;
        store = io.midway.instance.store.h2.H2Engine.open(dir);
        assertEquals(a, store.read(s -> s.findAgent("s1")).orElseThrow());
        assertEquals(r, store.read(s -> s.findRecord("a1")).orElseThrow());
        assertEquals(1, store.read(s -> s.eventsSince(0, 10)).size());
    }

    @Test
    public void anotherProcessCannotOpenTheSameDirectory() throws Exception {
        // The surefire class path (a manifest jar) holds H2 and these classes.
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OpenStoreMain.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(output, 3, process.exitValue());
        assertTrue(output, output.contains("cannot open the instance database in " + dir.toAbsolutePath()));
    }

    @Test
    public void heartbeatDueOnlyWithoutPendingOne() throws Exception {
        Agent a = new Agent("s1", "m1", "Up", true, null, null, null, null, List.of(), List.of(),
                List.of(), "", false);
        store.transaction(s -> {
            s.insertAgent(a, 1000);
            return null;
        });
        assertEquals(List.of(), store.read(s -> s.agentsDueForHeartbeat(999)));
        assertEquals(List.of("m1"), store.read(s -> s.agentsDueForHeartbeat(1000)));
        QueueRecord hb = new QueueRecord("h1", "mid.server.m1", "HeartbeatProbe", "HeartbeatProbe", null, null, "output",
                "ready", null, 0, null, "2026-01-01 10:00:00", null);
        store.transaction(s -> {
            s.insertRecord(hb, 1500);
            return null;
        });
        assertEquals(List.of(), store.read(s -> s.agentsDueForHeartbeat(5000)));
        PendingHeartbeat pending = store.read(s -> s.pendingHeartbeat("mid.server.m1")).orElseThrow();
        assertEquals(1500, pending.createdMs());
        assertNull(store.read(s -> s.findRecord("h1")).orElseThrow().payload());
        store.transaction(s -> {
            s.completeOutput("h1", "processed", null, "2026-01-01 10:00:01");
            return null;
        });
        assertFalse(store.read(s -> s.pendingHeartbeat("mid.server.m1")).isPresent());
        assertEquals(List.of("m1"), store.read(s -> s.agentsDueForHeartbeat(5000)));
    }

    @Test
    public void aClosedStoreSaysItIsStoppingNotADatabaseError() throws Exception {
        store.close();
        for (Runnable use : List.<Runnable>of(() -> store.read(s -> s.findRecord("x")),
                () -> store.transaction(s -> s.findRecord("x")), () -> store.group(List.of()))) {
            try {
                use.run();
                org.junit.Assert.fail("a closed store answered");
            } catch (StoreClosedException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("the instance is stopping"));
            }
        }
    }
}
