package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Test;

import io.midway.instance.api.QueueRecord;

/**
 * A poll's lease on each engine (issue 15). On the embedded engine, which one node uses alone,
 * a claim is a read and the lease is kept in memory ({@link MemoryLeases}): the stored record
 * stays {@code ready} until it is answered, or until its lease has been held for ten seconds and is
 * written; reads show it {@code processing} meanwhile. On a database server every lease is a row
 * ({@code postgresql.PostgresLeaseTest}). On both: delivered once, answered once, delivered
 * again after its lease expires.
 */
public class LeaseTest extends ServiceFixture {

    private boolean inMemory() {
        boolean inMemory = service.core().memoryLeases() != null;
        assertEquals("leases in memory exactly when the database is not shared", !store.sharedByNodes(), inMemory);
        return inMemory;
    }



    @Test
    public void aClaimedRecordIsDeliveredOnceAndShownProcessing() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        QueueRecord b = insert("m1", "TCPScan", 2);
        QueueRecord c = insert("m1", "TCPScan", 2);
        List<QueueRecord> first = service.polls().poll("m1", 2).result();
        assertEquals(List.of(a.sysId(), b.sysId()), ids(first));
        assertTrue(first.stream().allMatch(r -> QueueRecord.STATE_PROCESSING.equals(r.state())));
        assertEquals("shown processing", QueueRecord.STATE_PROCESSING, record(a.sysId()).state());
        assertEquals("a query shows it processing too", QueueRecord.STATE_PROCESSING,
                service.outputs().records(io.midway.instance.api.TableQuery.parse(io.midway.instance.api.TableSchema.ECC_QUEUE,
                        "sys_id=" + a.sysId(), null, null, null)).get(0).state());
        assertEquals("a query for ready records leaves the leased ones out", List.of(c.sysId()),
                ids(service.outputs().records(io.midway.instance.api.TableQuery.parse(
                        io.midway.instance.api.TableSchema.ECC_QUEUE, "agent=mid.server.m1^state=ready", null, null, null))));
        assertEquals("the claim wrote the row only on a shared database",
                inMemory() ? QueueRecord.STATE_READY : QueueRecord.STATE_PROCESSING, stored(a.sysId()));
        assertEquals("not delivered twice", List.of(c.sysId()), ids(service.polls().poll("m1", 10).result()));
        assertEquals(List.of(), service.polls().poll("m1", 10).result());
    }

    @Test
    public void answeringEndsTheLeaseWithOneWriteOfTheRecord() {
        register("m1");
        insert("m1", "TCPScan", 2);
        insert("m1", "TCPScan", 2);
        List<QueueRecord> leased = service.polls().poll("m1", 10).result();
        service.polls().input(answers(leased));
        for (QueueRecord r : leased) {
            assertEquals(QueueRecord.STATE_PROCESSED, record(r.sysId()).state());
            assertEquals(QueueRecord.STATE_PROCESSED, stored(r.sysId()));
        }
        if (inMemory()) {
            assertEquals("no lease left in memory", 0, service.core().memoryLeases().size());
        }
        assertEquals(List.of(), service.polls().poll("m1", 10).result());
    }

    @Test
    public void aLeaseHeldForTenSecondsIsWrittenAndKeptInTheStore() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        clock.advance(Duration.ofSeconds(5));
        service.core().writeHeldLeases(false);
        assertEquals("held for 5 s: still in memory only", inMemory() ? QueueRecord.STATE_READY : QueueRecord.STATE_PROCESSING,
                stored(a.sysId()));
        clock.advance(Duration.ofSeconds(6));
        service.core().writeHeldLeases(false);
        assertEquals(QueueRecord.STATE_PROCESSING, stored(a.sysId()));
        if (inMemory()) {
            assertEquals("written: no longer held in memory", 0, service.core().memoryLeases().size());
        }
        assertEquals(QueueRecord.STATE_PROCESSING, record(a.sysId()).state());
        assertEquals("still not delivered again", List.of(), service.polls().poll("m1", 10).result());
        service.polls().input(answers(List.of(a)));
        assertEquals(QueueRecord.STATE_PROCESSED, stored(a.sysId()));
    }

    @Test
    public void anExpiredLeaseIsDeliveredAgain() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        assertEquals(List.of(a.sysId()), ids(service.polls().poll("m1", 10).result()));
        clock.advance(Duration.ofSeconds(121));
        assertEquals(1, service.leases().reapExpiredLeases());
        assertEquals(QueueRecord.STATE_READY, record(a.sysId()).state());
        assertEquals("delivered again", List.of(a.sysId()), ids(service.polls().poll("m1", 10).result()));
    }

    @Test
    public void aStoppingInstanceWritesTheLeasesItHolds() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        restartService();
        assertEquals("written as the instance stopped", QueueRecord.STATE_PROCESSING, stored(a.sysId()));
        assertEquals("not delivered again before its lease expires", List.of(), service.polls().poll("m1", 10).result());
        if (inMemory()) {
            assertNotNull(service.core().memoryLeases());
        } else {
            assertNull(service.core().memoryLeases());
        }
    }

    /** Polls of one agent at once (claims run outside the writer on the embedded engine) never take the same record. */
    @Test
    public void pollsOfOneAgentAtOnceNeverTakeTheSameRecord() throws Exception {
        register("m1");
        List<String> inserted = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            inserted.add(insert("m1", "TCPScan", 2).sysId());
        }
        List<String> delivered = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.ExecutorService pollers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pollers.submit(() -> {
                    for (List<QueueRecord> got = service.polls().poll("m1", 7).result(); !got.isEmpty();
                            got = service.polls().poll("m1", 7).result()) {
                        delivered.addAll(ids(got));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pollers.shutdownNow();
        }
        assertEquals("each record delivered once", delivered.size(), new java.util.HashSet<>(delivered).size());
        assertEquals("every record delivered", new java.util.HashSet<>(inserted), new java.util.HashSet<>(delivered));
    }
}
