package io.midway.instance.internal.postgresql;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

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
            CompletableFuture<PollResult> waiting = other.polls().longPoll("m1", 10, 20_000, null, null, null, "0");
            assertFalse("the other node's poll waits", waiting.isDone());
            service.agentSettings().put(TableSchema.ECC_AGENT_PROPERTY, "threads.standard", "", "8");
            assertEquals("1", waiting.get(15, TimeUnit.SECONDS).configRevision());
            assertEquals("the other node knows the revision", "1", other.agentSettings().revision());
        }
    }
}
