package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.EccChange;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

/**
 * An admin's changes and deletes of ECC records ({@link io.midway.instance.api.EccQueue#updateRecord},
 * {@link io.midway.instance.api.EccQueue#deleteRecord}): each rule, and against polls racing them.
 * On the embedded H2 here (leases in memory); {@code PostgresRecordEditTest} runs it on PostgreSQL.
 */
public class RecordEditTest extends ServiceFixture {

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private QueueRecord patch(String sysId, String body) {
        return service.outputs().updateRecord(sysId, EccChange.parse(json(body)));
    }

    private static InstanceException fails(InstanceException.Reason kind, Runnable action) {
        try {
            action.run();
        } catch (InstanceException e) {
            assertEquals(e.getMessage() + " / " + e.detail(), kind, e.reason());
            return e;
        }
        fail("expected " + kind);
        return null;
    }

    private List<String> events(String name) {
        return service.events().events(0, 1000).stream().filter(e -> e.name().equals(name))
                .map(e -> e.agent() + ":" + e.detail()).toList();
    }

    @Test
    public void readyOutputChangesItsFieldsAndIsDeliveredSo() {
        register("m1");
        register("m2");
        QueueRecord r = insert("m1", "TCPScan", 2);
        QueueRecord changed = patch(r.sysId(), "{\"priority\":0,\"name\":\"n2\",\"source\":\"10.0.0.9\","
                + "\"payload\":{\"port\":22},\"topic\":\"SSHCommand\",\"agent\":\"mid.server.m2\"}");
        assertEquals(Integer.valueOf(0), changed.priority());
        assertEquals("n2", changed.name());
        assertEquals("10.0.0.9", changed.source());
        assertEquals(22, changed.payload().get("port").asInt());
        assertEquals("SSHCommand", changed.topic());
        assertEquals("mid.server.m2", changed.agent());
        assertEquals(QueueRecord.STATE_READY, changed.state());
        assertEquals(changed, record(r.sysId()));
        assertTrue("m1 no longer gets it", service.polls().poll("m1", 10).result().isEmpty());
        List<QueueRecord> m2 = service.polls().poll("m2", 10).result();
        assertEquals(List.of(r.sysId()), ids(m2));
        assertEquals("SSHCommand", m2.get(0).topic());
        List<String> updated = events(InstanceEvent.ECC_RECORD_UPDATED);
        assertEquals(1, updated.size());
        assertTrue(updated.get(0), updated.get(0).startsWith("m2:output " + r.sysId()));
        assertTrue(updated.get(0), updated.get(0).contains("agent mid.server.m1 -> mid.server.m2"));
    }

    @Test
    public void cancelledOutputIsNeverDeliveredAndKeepsItsTime() {
        register("m1");
        QueueRecord r = insert("m1", "TCPScan", 2);
        QueueRecord cancelled = patch(r.sysId(), "{\"state\":\"processed\"}");
        assertEquals(QueueRecord.STATE_PROCESSED, cancelled.state());
        assertEquals("2026-03-01 10:00:00", cancelled.processed());
        assertTrue(service.polls().poll("m1", 10).result().isEmpty());
        assertEquals(QueueRecord.STATE_PROCESSED, stored(r.sysId()));
    }

    @Test
    public void failedByAdminCarriesItsErrorString() {
        register("m1");
        QueueRecord r = insert("m1", "TCPScan", 2);
        QueueRecord failed = patch(r.sysId(), "{\"state\":\"error\",\"error_string\":\"target retired\"}");
        assertEquals(QueueRecord.STATE_ERROR, failed.state());
        assertEquals("target retired", failed.errorString());
        assertNotNull(failed.processed());
        assertTrue(service.polls().poll("m1", 10).result().isEmpty());
    }

    @Test
    public void badChangesAre400NamingTheFieldOrRule() {
        register("m1");
        QueueRecord r = insert("m1", "TCPScan", 2);
        assertEquals("field 'queue' cannot be changed",
                fails(InstanceException.Reason.INVALID, () -> patch(r.sysId(), "{\"queue\":\"input\"}")).getMessage());
        assertEquals("field 'sys_id' cannot be changed",
                fails(InstanceException.Reason.INVALID, () -> patch(r.sysId(), "{\"sys_id\":\"x\"}")).getMessage());
        assertTrue(fails(InstanceException.Reason.INVALID, () -> patch(r.sysId(), "{\"colour\":\"red\"}"))
                .getMessage().contains("'colour'"));
        assertEquals("field 'priority' must be 0, 1 or 2",
                fails(InstanceException.Reason.INVALID, () -> patch(r.sysId(), "{\"priority\":7}")).getMessage());
        assertTrue(fails(InstanceException.Reason.INVALID, () -> patch(r.sysId(), "{\"state\":\"processing\"}"))
                .getMessage().contains("'state'"));
        assertTrue(fails(InstanceException.Reason.INVALID, () -> patch(r.sysId(), "{\"agent\":\"mid.server.*\"}"))
                .getMessage().contains("'agent'"));
        assertTrue(fails(InstanceException.Reason.INVALID, () -> patch(r.sysId(), "{\"error_string\":\"x\"}"))
                .getMessage().contains("'error_string'"));
        // a record read and sent back whole: the read-only fields are unchanged, so accepted
        QueueRecord now = record(r.sysId());
        QueueRecord same = patch(r.sysId(), "{\"sys_id\":\"" + now.sysId() + "\",\"queue\":\"output\",\"sys_created_on\":\""
                + now.sysCreatedOn() + "\",\"processed\":\"\",\"priority\":1}");
        assertEquals(Integer.valueOf(1), same.priority());
        assertEquals(QueueRecord.STATE_READY, record(r.sysId()).state());
    }

    @Test
    public void unknownRecordIs404() {
        assertEquals("No Record found", fails(InstanceException.Reason.NOT_FOUND,
                () -> patch("0123456789abcdef0123456789abcdef", "{\"state\":\"processed\"}")).getMessage());
        assertEquals("No Record found", fails(InstanceException.Reason.NOT_FOUND,
                () -> service.outputs().deleteRecord("0123456789abcdef0123456789abcdef")).getMessage());
    }

    @Test
    public void leasedOutputIs409NamingTheAgentAndIsNotLost() {
        register("m1");
        QueueRecord r = insert("m1", "TCPScan", 2);
        assertEquals(1, service.polls().poll("m1", 10).result().size());
        InstanceException e = fails(InstanceException.Reason.CONFLICT, () -> patch(r.sysId(), "{\"state\":\"processed\"}"));
        assertTrue(e.getMessage(), e.getMessage().contains("mid.server.m1"));
        assertTrue(e.detail(), e.detail().contains("once the agent answers or the lease ends"));
        InstanceException d = fails(InstanceException.Reason.CONFLICT, () -> service.outputs().deleteRecord(r.sysId()));
        assertTrue(d.getMessage(), d.getMessage().contains("mid.server.m1"));
        assertEquals(QueueRecord.STATE_PROCESSING, record(r.sysId()).state());
        // the agent's answer still ends it
        service.polls().input(answers(List.of(r)));
        assertEquals(QueueRecord.STATE_PROCESSED, record(r.sysId()).state());
        assertEquals("already processed once answered", "the record is already processed",
                fails(InstanceException.Reason.CONFLICT, () -> patch(r.sysId(), "{\"priority\":1}")).getMessage());
        assertTrue(fails(InstanceException.Reason.CONFLICT, () -> patch(r.sysId(), "{\"state\":\"ready\"}"))
                .detail().contains("nor made ready again"));
    }

    @Test
    public void inputsChangeNothingButAReadyState() {
        register("m1");
        QueueRecord r = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        String input = service.polls().input(answers(List.of(r))).get(0).sysId();
        assertEquals("field 'priority' of an input cannot be changed",
                fails(InstanceException.Reason.INVALID, () -> patch(input, "{\"priority\":1}")).getMessage());
        // inputs are stored processed or error (as the agent posts them): already processed
        assertEquals("the record is already processed",
                fails(InstanceException.Reason.CONFLICT, () -> patch(input, "{\"state\":\"error\"}")).getMessage());
        // a ready input (e.g. from an older database) may be ended by hand
        service.core().writeStore(s -> s.updateRecordIf(record(input).withState(QueueRecord.STATE_READY),
                QueueRecord.STATE_PROCESSED));
        assertEquals(QueueRecord.STATE_ERROR, patch(input, "{\"state\":\"error\",\"error_string\":\"bad\"}").state());
        service.outputs().deleteRecord(input);
        assertTrue(service.outputs().record(input).isEmpty());
        assertEquals("the output stays", QueueRecord.STATE_PROCESSED, record(r.sysId()).state());
    }

    @Test
    public void deleteReadyProcessedAndErrorOutputs() {
        register("m1");
        QueueRecord ready = insert("m1", "TCPScan", 2);
        QueueRecord cancelled = insert("m1", "TCPScan", 2);
        patch(cancelled.sysId(), "{\"state\":\"processed\"}");
        QueueRecord failed = insert("m1", "TCPScan", 2);
        patch(failed.sysId(), "{\"state\":\"error\",\"error_string\":\"x\"}");
        for (QueueRecord r : List.of(ready, cancelled, failed)) {
            service.outputs().deleteRecord(r.sysId());
            assertTrue(service.outputs().record(r.sysId()).isEmpty());
        }
        assertTrue(service.polls().poll("m1", 10).result().isEmpty());
        assertEquals(3, events(InstanceEvent.ECC_RECORD_DELETED).size());
        assertTrue(events(InstanceEvent.ECC_RECORD_DELETED).get(0).startsWith("m1:output " + ready.sysId()));
    }

    /**
     * Many polls of one agent race cancels (PATCH state=processed) and deletes of its ready outputs:
     * every record ends either delivered exactly once (and then the cancel or delete was refused
     * with 409) or cancelled/deleted (and never delivered) — never both, never neither.
     */
    @Test
    public void pollsRacingCancelsAndDeletesNeverBoth() throws Exception {
        register("m1");
        int n = 300;
        List<QueueRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(insert("m1", "TCPScan", 2));
        }
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        List<String> deliveredTwice = Collections.synchronizedList(new ArrayList<>());
        Set<String> removed = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            work.add(pool.submit(() -> {
                start.await();
                // polls are quicker than the admins' commits: start once the admins have begun, and
                // take a little at a time, so that the two really overlap
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (removed.isEmpty() && refused.isEmpty() && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                for (int round = 0; round < 2000 && delivered.size() + removed.size() < n; round++) {
                    for (QueueRecord got : service.polls().poll("m1", 2).result()) {
                        if (!delivered.add(got.sysId())) {
                            deliveredTwice.add(got.sysId());
                        }
                    }
                    Thread.sleep(1);
                }
                return null;
            }));
        }
        for (int a = 0; a < 4; a++) {
            int admin = a;
            work.add(pool.submit(() -> {
                start.await();
                for (int i = admin; i < n; i += 4) {
                    String sysId = records.get(i).sysId();
                    try {
                        if (i % 2 == 0) {
                            patch(sysId, "{\"state\":\"processed\"}");
                        } else {
                            service.outputs().deleteRecord(sysId);
                        }
                        removed.add(sysId);
                    } catch (InstanceException e) {
                        assertEquals(e.getMessage(), InstanceException.Reason.CONFLICT, e.reason());
                        assertTrue(e.getMessage(), e.getMessage().contains("mid.server.m1"));
                        refused.add(sysId);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : work) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        // what no poll took before the admins finished is taken now, if it is still there
        for (int round = 0; round < 200; round++) {
            List<QueueRecord> more = service.polls().poll("m1", 100).result();
            if (more.isEmpty()) {
                break;
            }
            for (QueueRecord got : more) {
                if (!delivered.add(got.sysId())) {
                    deliveredTwice.add(got.sysId());
                }
            }
        }
        assertEquals("delivered twice", List.of(), deliveredTwice);
        Set<String> both = new HashSet<>(delivered);
        both.retainAll(removed);
        assertEquals("delivered and cancelled/deleted", Set.of(), both);
        for (QueueRecord r : records) {
            String id = r.sysId();
            assertTrue(id + " neither delivered nor removed", delivered.contains(id) || removed.contains(id));
            assertEquals(id + " refused exactly when delivered", delivered.contains(id), refused.contains(id));
        }
        assertFalse("the race took both paths", removed.isEmpty());
        assertFalse("the race took both paths", delivered.isEmpty());
        // every removed record is gone or cancelled; every delivered one is still processing
        for (QueueRecord r : records) {
            var now = service.outputs().record(r.sysId());
            if (removed.contains(r.sysId())) {
                assertTrue(now.isEmpty() || QueueRecord.STATE_PROCESSED.equals(now.get().state()));
                assertNull(now.isEmpty() ? null : now.get().errorString());
            } else {
                assertEquals(QueueRecord.STATE_PROCESSING, now.orElseThrow().state());
            }
        }
    }
}
