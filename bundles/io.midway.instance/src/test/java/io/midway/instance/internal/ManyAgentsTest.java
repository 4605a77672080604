package io.midway.instance.internal;

import io.midway.instance.api.OutputRequest;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.QueueRecord;

/**
 * Hundreds of agents polling and answering at once (issue 15 point 8): every output is delivered
 * to its own agent and answered exactly once, whatever the interleaving of polls, leases and
 * result batches on one instance. Runs on every engine ({@code PostgresManyAgentsTest}).
 */
public class ManyAgentsTest extends ServiceFixture {

    private static final int AGENTS = 200;
    private static final int EACH = 5;
    private static final int THREADS = 24;

    @Rule
    public final Timeout limit = Timeout.seconds(180);

    @Test
    public void everyOutputOfEveryAgentIsAnsweredExactlyOnce() throws Exception {
        List<String> names = new ArrayList<>();
        List<OutputRequest> outputs = new ArrayList<>();
        for (int a = 0; a < AGENTS; a++) {
            String name = "agent-" + a;
            names.add(name);
            register(name);
            for (int i = 0; i < EACH; i++) {
                outputs.add(new OutputRequest(QueueRecord.agentField(name), "Echo", "item " + i, "127.0.0.1", null,
                        QueueRecord.STATE_READY, 2, null, null));
            }
        }
        service.outputs().insertOutputs(outputs);

        Deliveries deliveries = new Deliveries();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            work.add(pool.submit(() -> {
                // Two threads play each agent (as an agent's pools poll side by side), and each
                // thread several agents, so polls of one agent race for its records and polls and
                // result batches of different agents interleave on the store.
                int stride = THREADS / 2;
                for (int round = 0; round < 50; round++) {
                    boolean any = false;
                    for (int a = first % stride; a < AGENTS; a += stride) {
                        any |= deliveries.pollAndAnswer(service, names.get(a), 3);
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
        assertEquals("no record went to another agent", 0, deliveries.foreign.get());
        assertEquals("no record was delivered twice", 0, deliveries.twice.get());
        assertEquals("every output was delivered", total, deliveries.takenBy.size());
        assertEquals("every output processed", total, service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=output^state=processed", null, null, null)));
        assertEquals("one input per output", total, service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=input", null, null, null)));
        List<QueueRecord> inputs = service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, "queue=input", "response_to",
                Integer.toString(total + 10), null));
        assertEquals("each answers a different output", total, inputs.stream().map(QueueRecord::responseTo).distinct().count());
        assertTrue(service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE, "queue=output^state!=processed", null, null,
                null)) == 0);
    }
}
