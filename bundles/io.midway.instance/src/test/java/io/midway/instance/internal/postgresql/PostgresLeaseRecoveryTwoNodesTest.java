package io.midway.instance.internal.postgresql;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import io.midway.instance.api.AgentRegistration;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.internal.InstanceServices;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/**
 * Crash recovery with two instance nodes on one PostgreSQL database: the long poll the dead agent
 * process left waiting on one node is answered empty before the records released by the agent's
 * registration on the other node are woken there, so they go to the new process's poll, not to a
 * connection nobody reads.
 */
public class PostgresLeaseRecoveryTwoNodesTest extends ServiceFixture {

    @Rule
    public final Timeout limit = Timeout.seconds(120);

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
    public void theDeadProcesssPollOnAnotherNodeDoesNotTakeTheReleasedRecords() throws Exception {
        other = new InstanceServices(TestPostgres.open(false), settings(), clock);
        register("m1");
        // the dead process polled the other node: work written on this node reached it there (a wake-up
        // between nodes, which also shows the other node listens)
        java.util.Set<String> leased = new java.util.HashSet<>();
        for (int attempt = 0; attempt < 20 && leased.isEmpty(); attempt++) {
            CompletableFuture<PollResult> waiting = other.polls().longPoll("m1", 10, 60_000);
            insert("m1", "TCPScan", 2);
            leased.addAll(ids(waiting.get(10, TimeUnit.SECONDS).result()));
        }
        assertEquals("woken on the other node", false, leased.isEmpty());
        List<QueueRecord> rest = service.polls().poll("m1", 10).result();
        // ... then polled again, and was killed while that poll waited there
        CompletableFuture<PollResult> stale = other.polls().longPoll("m1", 10, 60_000);
        assertEquals(1, other.polls().waitingPolls("m1"));

        // the agent starts again and registers on this node, holding nothing
        service.agents().register(new AgentRegistration("m1", "1.0.0", "m1.example", "127.0.0.1", List.of("tcp"), null,
                List.of()));

        assertEquals("the stale poll is answered empty", List.of(), stale.get(3, TimeUnit.SECONDS).result());
        Thread.sleep(500); // a wake-up of the release reaching the other node finds no poll there
        List<String> again = ids(service.polls().poll("m1", 10).result());
        leased.addAll(ids(rest));
        assertEquals("the new process's poll gets every record released", leased, new java.util.HashSet<>(again));
    }
}
