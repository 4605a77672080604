package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.midway.instance.api.AgentRegistration;
import io.midway.instance.api.InputResult;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.QueueRecord;

/**
 * Crash recovery (issue 18 point 5): an agent that starts again names, at its first registration,
 * the records leased to it that it still holds; every other record leased to it is ready again at
 * once, not after its lease — on the embedded engine (leases in memory, and written after ten
 * seconds) and on PostgreSQL ({@code postgresql.PostgresLeaseRecoveryTest}).
 */
public class LeaseRecoveryTest extends ServiceFixture {

    private void registerAgain(String name, List<String> held) {
        service.agents().register(new AgentRegistration(name, "1.0.0", name + ".example", "127.0.0.1", List.of("tcp"),
                null, held));
    }

    private List<InstanceEvent> released() {
        return service.events().events(0, 1000).stream()
                .filter(e -> LeaseRecovery.MID_SERVER_LEASES_RELEASED.equals(e.name())).toList();
    }

    @Test
    public void recordsTheAgentNoLongerHoldsAreReadyAtOnceAndOnlyThose() {
        register("m1");
        register("m2");
        QueueRecord old = insert("m1", "TCPScan", 2);
        assertEquals(List.of(old.sysId()), ids(service.polls().poll("m1", 10).result()));
        // held long enough to be written to the store on the embedded engine too
        clock.advance(Duration.ofSeconds(11));
        service.core().writeHeldLeases(false);
        QueueRecord running = insert("m1", "TCPScan", 2);
        QueueRecord spooled = insert("m1", "TCPScan", 2);
        QueueRecord peers = insert("m2", "TCPScan", 2);
        assertEquals(List.of(running.sysId(), spooled.sysId()), ids(service.polls().poll("m1", 10).result()));
        assertEquals(List.of(peers.sysId()), ids(service.polls().poll("m2", 10).result()));

        // m1 is killed and starts again: its spool holds the answer to one record
        registerAgain("m1", List.of(spooled.sysId()));

        assertEquals(QueueRecord.STATE_READY, record(old.sysId()).state());
        assertEquals(QueueRecord.STATE_READY, record(running.sysId()).state());
        assertEquals("the record whose answer is in the spool keeps its lease", QueueRecord.STATE_PROCESSING,
                record(spooled.sysId()).state());
        assertEquals("another agent's lease is not touched", QueueRecord.STATE_PROCESSING, record(peers.sysId()).state());
        List<InstanceEvent> events = released();
        assertEquals(1, events.size());
        assertEquals("m1", events.get(0).agent());
        assertTrue(events.get(0).detail(), events.get(0).detail().startsWith("2 output record(s)"));
        assertTrue(events.get(0).detail(), events.get(0).detail().contains("no longer holds them"));

        assertEquals("handed out again at once, the held one not", Set.of(old.sysId(), running.sysId()),
                new HashSet<>(ids(service.polls().poll("m1", 10).result())));
        assertEquals(List.of(), service.polls().poll("m1", 10).result());
        assertEquals("the spooled answer is taken", InputResult.INSERTED,
                service.polls().input(answers(List.of(spooled))).get(0).status());
        assertEquals(QueueRecord.STATE_PROCESSED, record(spooled.sysId()).state());
    }

    @Test
    public void aRegistrationThatSaysNothingChangesNoLease() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        registerAgain("m1", null); // an agent before 1.9, or a registration that is not the first after a start
        register("m1");
        assertEquals(QueueRecord.STATE_PROCESSING, record(a.sysId()).state());
        assertEquals(List.of(), service.polls().poll("m1", 10).result());
        assertEquals(List.of(), released());
    }

    @Test
    public void anAgentThatHoldsEverythingKeepsEveryLeaseAndNoEvent() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        registerAgain("m1", List.of(a.sysId()));
        assertEquals(QueueRecord.STATE_PROCESSING, record(a.sysId()).state());
        assertEquals(List.of(), released());
    }

    /**
     * The dead process's long poll still waits on the instance: it is answered empty first, so the
     * records made ready go to the agent's next poll, not to a connection nobody reads.
     */
    @Test
    public void theDeadProcesssWaitingPollDoesNotTakeTheReleasedRecords() throws Exception {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        CompletableFuture<PollResult> stale = service.polls().longPoll("m1", 10, 60_000);
        assertEquals(1, service.polls().waitingPolls("m1"));
        registerAgain("m1", List.of());
        assertEquals("answered empty", List.of(), stale.get(5, TimeUnit.SECONDS).result());
        assertEquals(List.of(a.sysId()), ids(service.polls().poll("m1", 10).result()));
    }

    /**
     * A result posted late for a record handed out again is still one result: the first answer is
     * stored and ends the record, the second is a duplicate (inputs are idempotent on response_to).
     */
    @Test
    public void aLateResultForARecordHandedOutAgainIsRecordedOnce() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        registerAgain("m1", List.of());
        assertEquals(List.of(a.sysId()), ids(service.polls().poll("m1", 10).result()));
        assertEquals(InputResult.INSERTED, service.polls().input(answers(List.of(a))).get(0).status());
        assertEquals(InputResult.DUPLICATE, service.polls().input(answers(List.of(a))).get(0).status());
        assertEquals("one input", 1, service.outputs().records(io.midway.instance.api.TableQuery.parse(
                io.midway.instance.api.TableSchema.ECC_QUEUE, "response_to=" + a.sysId(), null, null, null)).size());
    }
}
