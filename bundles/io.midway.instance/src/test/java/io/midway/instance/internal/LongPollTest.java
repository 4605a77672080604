package io.midway.instance.internal;

import io.midway.instance.api.AgentChange;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.PollResult;

/**
 * The long-poll signal: a waiting poll completes right after work is written for its agent. The
 * contract is 50 ms; these tests use a generous 500 ms bound so they never flake on a busy machine.
 */
public class LongPollTest extends ServiceFixture {

    private static final long BOUND_MS = 500;

    @Override
    protected InstanceSettings settings() {
        return new InstanceSettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(120), true,
                Duration.ofSeconds(10), "1.2.3");
    }

    private static PollResult within(CompletableFuture<PollResult> future, long ms) throws Exception {
        return future.get(ms, TimeUnit.MILLISECONDS);
    }

    @Test
    public void waitingPollCompletesWithinTheBoundOfAnInsert() throws Exception {
        register("m1");
        long worst = 0;
        for (int i = 0; i < 20; i++) {
            CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
            assertFalse("nothing is ready yet", poll.isDone());
            assertEquals(1, service.polls().waitingPolls("m1"));
            long start = System.nanoTime();
            QueueRecord r = insert("m1", "TCPScan", 2);
            PollResult reply = within(poll, BOUND_MS);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            worst = Math.max(worst, elapsed);
            assertEquals(List.of(r.sysId()), ids(reply.result()));
            assertEquals("processing", reply.result().get(0).state());
            assertEquals(0, service.polls().waitingPolls("m1"));
        }
        assertTrue("worst wake-up " + worst + " ms", worst < BOUND_MS);
    }

    @Test
    public void readyWorkAnswersAtOnceAndZeroWaitNeverWaits() throws Exception {
        register("m1");
        CompletableFuture<PollResult> empty = service.polls().longPoll("m1", 10, 0);
        assertTrue(empty.isDone());
        assertEquals(List.of(), empty.get().result());
        QueueRecord r = insert("m1", "TCPScan", 2);
        CompletableFuture<PollResult> ready = service.polls().longPoll("m1", 10, 10_000);
        assertTrue(ready.isDone());
        assertEquals(List.of(r.sysId()), ids(ready.get().result()));
    }

    @Test
    public void waitEndsWithAnEmptyReplyAfterWaitMs() throws Exception {
        register("m1");
        long start = System.nanoTime();
        PollResult reply = within(service.polls().longPoll("m1", 10, 300), 5000);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(List.of(), reply.result());
        assertEquals("Up", reply.agentStatus());
        assertTrue("waited " + elapsed + " ms", elapsed >= 290);
        assertEquals(0, service.polls().waitingPolls("m1"));
    }

    @Test
    public void waitIsCappedByPollMaxWait() throws Exception {
        service.close();
        store = io.midway.instance.store.h2.H2Engine.open(tmp.getRoot().toPath().resolve("db2"));
        service = new InstanceServices(store, new InstanceSettings(Duration.ofSeconds(60), Duration.ofSeconds(30),
                Duration.ofSeconds(120), true, Duration.ofMillis(200), "1.2.3"), clock);
        register("m1");
        long start = System.nanoTime();
        PollResult reply = within(service.polls().longPoll("m1", 10, 600_000), 5000);
        assertEquals(List.of(), reply.result());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
    }

    @Test
    public void badArgumentsFailAtOnce() {
        try {
            service.polls().longPoll("ghost", 10, 1000);
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
        }
        register("m1");
        try {
            service.polls().longPoll("m1", 10, -1);
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.INVALID, e.reason());
        }
    }

    @Test
    public void workForAnotherAgentDoesNotAnswer() throws Exception {
        register("m1");
        register("m2");
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 400);
        QueueRecord forM2 = insert("m2", "TCPScan", 2);
        assertEquals(List.of(), within(poll, 5000).result());
        assertEquals("ready", record(forM2.sysId()).state());
    }

    @Test
    public void pausedAgentWakesOnlyForPriorityZero() throws Exception {
        register("m1");
        service.agents().changeStatus("m1", "Paused");
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
        insert("m1", "TCPScan", 2);
        // the wake-up runs and finds nothing eligible: the poll keeps waiting
        long deadline = System.currentTimeMillis() + 200;
        while (System.currentTimeMillis() < deadline) {
            assertFalse(poll.isDone());
            Thread.onSpinWait();
        }
        QueueRecord system = insert("m1", "SystemCommand", 0);
        assertEquals(List.of(system.sysId()), ids(within(poll, BOUND_MS).result()));
    }

    @Test
    public void validationWakesAWaitingPoll() throws Exception {
        Agent a = register("m1");
        service.agents().updateAgent(a.sysId(), new AgentChange(null, false, null, null, null, null));
        QueueRecord work = insert("m1", "TCPScan", 2);
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
        assertFalse(poll.isDone());
        service.agents().updateAgent(a.sysId(), new AgentChange(null, true, null, null, null, null));
        assertEquals(List.of(work.sysId()), ids(within(poll, BOUND_MS).result()));
    }

    @Test
    public void expiredLeaseWakesAWaitingPoll() throws Exception {
        register("m1");
        QueueRecord r = insert("m1", "TCPScan", 2);
        assertEquals(1, service.polls().poll("m1", 10).result().size());
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
        assertFalse(poll.isDone());
        clock.advance(Duration.ofSeconds(121));
        assertEquals(1, service.leases().reapExpiredLeases());
        assertEquals(List.of(r.sysId()), ids(within(poll, BOUND_MS).result()));
    }

    @Test
    public void twoWaitersShareOneRecordExactlyOnce() throws Exception {
        register("m1");
        CompletableFuture<PollResult> a = service.polls().longPoll("m1", 10, 600);
        CompletableFuture<PollResult> b = service.polls().longPoll("m1", 10, 600);
        QueueRecord r = insert("m1", "TCPScan", 2);
        List<String> leased = new ArrayList<>();
        leased.addAll(ids(within(a, 5000).result()));
        leased.addAll(ids(within(b, 5000).result()));
        assertEquals(List.of(r.sysId()), leased);
    }

    @Test
    public void stoppingAnswersWaitingPollsWith503() throws Exception {
        register("m1");
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
        service.close();
        try {
            poll.get(BOUND_MS, TimeUnit.MILLISECONDS);
            fail();
        } catch (ExecutionException e) {
            assertEquals(InstanceException.Reason.UNAVAILABLE, ((InstanceException) e.getCause()).reason());
        }
        service = null;
    }

    @Test
    public void abandonedPollLeasesNothing() throws Exception {
        register("m1");
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
        poll.cancel(false);
        QueueRecord r = insert("m1", "TCPScan", 2);
        long deadline = System.currentTimeMillis() + 5000;
        while (service.polls().waitingPolls("m1") > 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, service.polls().waitingPolls("m1"));
        assertEquals("ready", record(r.sysId()).state());
    }

    @Test
    public void aNewerPollOfTheSameAgentEndsTheOlderOneSoNoRecordIsLeasedToAGoneConnection() throws Exception {
        register("m1");
        CompletableFuture<PollResult> stale = service.polls().longPoll("m1", 10, 10_000);
        assertFalse(stale.isDone());
        CompletableFuture<PollResult> current = service.polls().longPoll("m1", 10, 10_000);
        PollResult ended = within(stale, BOUND_MS);
        assertTrue("the older poll is answered empty", ended.result().isEmpty());
        assertEquals(1, service.polls().waitingPolls("m1"));
        QueueRecord r = insert("m1", "TCPScan", 2);
        assertEquals("the record goes to the current poll", List.of(r.sysId()), ids(within(current, BOUND_MS).result()));
    }

    @Test
    public void aStoppingAgentReleasesItsWaitingPollSoWorkWrittenMeanwhileWaitsForItsNextStart() throws Exception {
        register("m1");
        CompletableFuture<PollResult> leftBehind = service.polls().longPoll("m1", 10, 10_000);
        assertFalse(leftBehind.isDone());
        assertEquals(1, service.polls().releasePolls("m1"));
        assertTrue("the released poll is answered empty", within(leftBehind, BOUND_MS).result().isEmpty());
        assertEquals(0, service.polls().waitingPolls("m1"));

        QueueRecord r = insert("m1", "TCPScan", 2);
        assertEquals("nobody took the record while the agent was away", "ready", record(r.sysId()).state());
        assertEquals("the next start's first poll gets it", List.of(r.sysId()),
                ids(within(service.polls().longPoll("m1", 10, 10_000), BOUND_MS).result()));
        assertEquals("nothing to release when no poll waits", 0, service.polls().releasePolls("m1"));
    }
}
