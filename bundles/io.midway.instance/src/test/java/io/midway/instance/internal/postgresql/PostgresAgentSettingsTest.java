package io.midway.instance.internal.postgresql;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.midway.instance.api.PollResult;
import io.midway.instance.api.TableSchema;
import io.midway.instance.internal.InstanceServices;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/**
 * {@link io.midway.instance.internal.AgentSettingsTest} on a real PostgreSQL server: the same
 * behaviour on both engines; and a change on one instance node answers a poll waiting on another.
 */
public class PostgresAgentSettingsTest extends io.midway.instance.internal.AgentSettingsTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }

    @Test
    public void aChangeOnOneNodeAnswersAPollWaitingOnAnother() throws Exception {
        register("m1");
        try (InstanceServices other = new InstanceServices(TestPostgres.open(false), settings(), clock)) {
            // The other node starts listening on its own thread: a change made before its LISTEN
            // runs is not heard (its polls answer at their timeout), so try until one is heard.
            boolean heard = false;
            for (int attempt = 1; attempt <= 10 && !heard; attempt++) {
                String known = other.agentSettings().revision();
                CompletableFuture<PollResult> waiting = other.polls().longPoll("m1", 10, 20_000, null, null, null, known);
                assertFalse("the other node's poll waits", waiting.isDone());
                long start = System.nanoTime();
                service.agentSettings().put(TableSchema.ECC_AGENT_PROPERTY, "threads.standard", "", "" + attempt);
                PollResult reply = waiting.get(15, TimeUnit.SECONDS);
                if (!known.equals(reply.configRevision())) {
                    heard = true;
                    assertEquals(service.agentSettings().revision(), reply.configRevision());
                    assertTrue("answered by the change, not at the poll's timeout",
                            System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4));
                    assertEquals("the other node knows the revision", service.agentSettings().revision(),
                            other.agentSettings().revision());
                }
            }
            assertTrue("a change on one node reached a poll waiting on the other", heard);
        }
    }
}
