package io.midway.instance.internal.postgresql;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import io.midway.instance.internal.InstanceServices;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.internal.SingletonJobs;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/**
 * The singleton jobs on a real PostgreSQL server with two instance nodes (issue 15 point 4): one
 * node holds them (a session-level advisory lock on a connection of its own), the other does not;
 * when the holder's session ends — its connection killed on the server, or the node closed — the
 * other takes them over within seconds, and the two never hold them at the same moment.
 */
public class PostgresSingletonJobsTest extends ServiceFixture {

    @Rule
    public final Timeout limit = Timeout.seconds(120);

    private InstanceServices other;
    private SingletonJobs jobs;
    private SingletonJobs otherJobs;

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }

    @After
    public void stopNodes() {
        if (otherJobs != null) {
            otherJobs.stop();
        }
        if (jobs != null) {
            jobs.stop();
        }
        if (other != null) {
            other.close();
        }
    }

    /** Starts two nodes; the first one is started first and takes the jobs. */
    private void startTwoNodes() throws Exception {
        jobs = new SingletonJobs(service.core());
        io.midway.instance.internal.SingletonJobsTest.await("the first node runs the jobs", 10_000, jobs::held);
        other = new InstanceServices(TestPostgres.open(false), settings(), clock);
        otherJobs = new SingletonJobs(other.core());
    }

    /** Watches both nodes every few milliseconds and counts the moments both would run the jobs. */
    private final class Watch extends Thread {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger both = new AtomicInteger();

        Watch() {
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            while (running.get()) {
                if (jobs.held() && otherJobs.held()) {
                    both.incrementAndGet();
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int end() throws InterruptedException {
            running.set(false);
            join(2000);
            return both.get();
        }
    }

    @Test
    public void oneNodeHoldsTheJobsAndTheOtherTakesThemOverWhenTheHoldersSessionIsKilled() throws Exception {
        startTwoNodes();
        Watch watch = new Watch();
        // the second node tries every second and does not get them while the first holds them
        Thread.sleep(4000);
        assertTrue(jobs.held());
        assertFalse(otherJobs.held());
        io.midway.instance.internal.SingletonJobsTest.await("both nodes listed", 10_000, () -> jobs.nodes().size() == 2);
        List<SingletonJobs.Node> seen = otherJobs.nodes();
        assertTrue(seen.toString(), seen.stream().allMatch(SingletonJobs.Node::alive));
        assertEquals("the holder is marked, seen from the other node", List.of(jobs.nodeId()),
                seen.stream().filter(n -> n.row().holdsJobs()).map(n -> n.row().id()).toList());

        // the holder's session ends on the server (as when its connection breaks)
        List<List<Object>> killed = TestPostgres.server().query("SELECT pg_terminate_backend(pid) FROM pg_locks "
                + "WHERE locktype = 'advisory' AND objid = 7245002 AND granted");
        assertEquals("one session held the lock", 1, killed.size());
        long started = System.nanoTime();
        io.midway.instance.internal.SingletonJobsTest.await("the holder stops running the jobs", 5_000,
                () -> !jobs.held());
        io.midway.instance.internal.SingletonJobsTest.await("the other node takes them over", 15_000, otherJobs::held);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue("taken over within seconds: " + ms + " ms", ms < 10_000);
        Thread.sleep(2500);
        assertFalse("the former holder does not get them back", jobs.held());
        assertTrue(otherJobs.held());
        assertEquals("never both at once", 0, watch.end());
        io.midway.instance.internal.SingletonJobsTest.await("the new holder is marked", 10_000, () -> jobs.nodes().stream()
                .filter(n -> n.row().holdsJobs()).map(n -> n.row().id()).toList().equals(List.of(otherJobs.nodeId())));
    }

    @Test
    public void whenTheHoldingNodeStopsTheOtherTakesOverWithinSeconds() throws Exception {
        startTwoNodes();
        Watch watch = new Watch();
        Thread.sleep(1500);
        assertFalse(otherJobs.held());
        long started = System.nanoTime();
        // the node stops as a process that ends: its store closes, its session ends
        jobs.stop();
        service.close();
        io.midway.instance.internal.SingletonJobsTest.await("the other node takes them over", 15_000, otherJobs::held);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue("taken over within seconds: " + ms + " ms", ms < 10_000);
        assertEquals("never both at once", 0, watch.end());
        jobs = null;
        service = null;
    }
}
