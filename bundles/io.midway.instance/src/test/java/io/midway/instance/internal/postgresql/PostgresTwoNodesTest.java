package io.midway.instance.internal.postgresql;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import io.midway.instance.internal.InstanceServices;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.store.TestPostgres;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.PollResult;

/**
 * Two instance nodes on one PostgreSQL database claim work without taking the same record
 * (issue 15 points 4 and 5): the polls of each agent go to both nodes at once, and every output
 * is still delivered once and answered by exactly one input. What holds it today: a poll updates
 * its agent's row first, which serialises one agent's polls across nodes, and the claim locks the
 * rows it takes ({@code FOR UPDATE SKIP LOCKED} in {@code postgresql.sql}).
 */
public class PostgresTwoNodesTest extends ServiceFixture {

    private static final int AGENTS = 40;
    private static final int EACH = 25;

    @Rule
    public final Timeout limit = Timeout.seconds(180);

    private InstanceServices other;

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }

    @After
    public void stopOther() {
        if (other != null) {
            other.close();
        }
    }

    @Test
    public void pollsOfOneAgentOnTwoNodesNeverTakeTheSameRecord() throws Exception {
        other = new InstanceServices(TestPostgres.open(false), settings(), clock);
        List<String> names = new ArrayList<>();
        List<OutputRequest> outputs = new ArrayList<>();
        for (int a = 0; a < AGENTS; a++) {
            String name = "node-agent-" + a;
            names.add(name);
            register(name);
            for (int i = 0; i < EACH; i++) {
                outputs.add(new OutputRequest(QueueRecord.agentField(name), "Echo", "item " + i, "127.0.0.1", null,
                        QueueRecord.STATE_READY, 2, null, null));
            }
        }
        service.outputs().insertOutputs(outputs);

        io.midway.instance.internal.Deliveries deliveries = new io.midway.instance.internal.Deliveries();
        InstanceServices[] nodes = {service, other};
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            InstanceServices node = nodes[t % 2];
            int first = (t / 2) % 8;
            work.add(pool.submit(() -> {
                for (int round = 0; round < 100; round++) {
                    boolean any = false;
                    for (int a = first; a < AGENTS; a += 8) {
                        any |= deliveries.pollAndAnswer(node, names.get(a), 4);
                    }
                    if (!any) {
                        return null;
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(150, TimeUnit.SECONDS);
        }
        pool.shutdown();

        int total = AGENTS * EACH;
        assertEquals("no record taken by both nodes", 0, deliveries.twice.get());
        assertEquals("every output delivered", total, deliveries.takenBy.size());
        assertEquals("one input per output", total, service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=input", null, null, null)));
        assertEquals("every output processed", total, other.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=output^state=processed", null, null, null)));
    }

    @Test
    public void workMadeReadyOnOneNodeWakesAPollWaitingOnTheOther() throws Exception {
        other = new InstanceServices(TestPostgres.open(false), settings(), clock);
        register("woken-agent");
        // Let the other node's listener connect, then wait there.
        Thread.sleep(1500);
        long started = System.nanoTime();
        java.util.concurrent.CompletableFuture<PollResult> waiting = other.polls().longPoll("woken-agent", 5, 20_000, null, null, null);
        Thread.sleep(300);
        assertEquals("nothing yet: it waits", false, waiting.isDone());
        QueueRecord made = insert("woken-agent", "Echo", 2);
        PollResult reply = waiting.get(15, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(1, reply.result().size());
        assertEquals(made.sysId(), reply.result().get(0).sysId());
        org.junit.Assert.assertTrue("woken by the other node, not by its 20 s timeout: " + ms + " ms", ms < 10_000);
    }

    @Test
    public void aRevisionChangedOnOneNodeReachesThePollsOfTheOther() throws Exception {
        other = new InstanceServices(TestPostgres.open(false), settings(), clock);
        register("synced-agent");
        Thread.sleep(1500);
        String before = other.core().syncRevision();
        java.util.concurrent.CompletableFuture<PollResult> waiting = other.polls().longPoll("synced-agent", 5, 20_000, before, null,
                null);
        Thread.sleep(300);
        assertEquals("nothing yet: it waits", false, waiting.isDone());
        long started = System.nanoTime();
        // A file-sync change on this node (as an upload makes one).
        service.core().changeSyncFiles(tx -> tx.nextRevision());
        PollResult reply = waiting.get(15, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals("the other node answers with the new revision", service.core().syncRevision(), reply.syncRevision());
        org.junit.Assert.assertNotEquals(before, reply.syncRevision());
        org.junit.Assert.assertTrue("at once, not at its 20 s timeout: " + ms + " ms", ms < 10_000);
        assertEquals(service.core().syncRevision(), other.core().syncRevision());
    }
}
