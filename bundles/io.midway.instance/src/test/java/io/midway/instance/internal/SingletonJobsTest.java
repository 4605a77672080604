package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Test;

import io.midway.instance.api.NodeRow;
import io.midway.instance.store.StoreSession;

/**
 * The singleton jobs on the embedded H2 database (issue 15 point 4): the one node holds them from
 * its start, writes its row in {@code instance_node}, lists a node not seen for a while as gone,
 * and removes its row when it stops.
 */
public class SingletonJobsTest extends ServiceFixture {

    private SingletonJobs jobs;

    @After
    public void stopJobs() {
        if (jobs != null) {
            jobs.stop();
        }
    }

    public static void await(String what, long ms, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + ms * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + ms + " ms waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private List<NodeRow> rows() {
        return service.core().read(StoreSession::nodes);
    }

    @Test
    public void theOneNodeOnH2HoldsTheJobsFromItsStartAndWritesItsRow() throws Exception {
        jobs = new SingletonJobs(service.core());
        assertTrue("held at once on the embedded database", jobs.held());
        await("its row is written", 5000, () -> rows().stream().anyMatch(r -> r.id().equals(jobs.nodeId())));
        NodeRow row = rows().get(0);
        assertEquals(1, rows().size());
        assertEquals(ProcessHandle.current().pid(), row.pid());
        assertEquals("1.2.3", row.version());
        assertTrue("marked as the jobs' holder", row.holdsJobs());
        assertTrue(row.lastSeenMs() >= row.startedMs());
        // it keeps them: no check ever loses them on the embedded engine
        Thread.sleep(1500);
        assertTrue(jobs.held());
    }

    @Test
    public void aNodeNotSeenForAWhileIsGoneAndListedAfterTheAliveOnes() throws Exception {
        jobs = new SingletonJobs(service.core());
        long now = System.currentTimeMillis();
        service.core().writeStore(s -> {
            // a node that held the jobs and then died 20 s ago (its row still says it held them)
            s.putNode(new NodeRow("deadbeef", "old-host", 42, "1.0.0", now - 3_600_000, now - 20_000, true));
            return null;
        });
        List<SingletonJobs.Node> nodes = jobs.nodes();
        assertEquals(2, nodes.size());
        assertEquals(jobs.nodeId(), nodes.get(0).row().id());
        assertTrue(nodes.get(0).alive() && nodes.get(0).self() && nodes.get(0).row().holdsJobs());
        assertEquals("deadbeef", nodes.get(1).row().id());
        assertFalse("gone: not seen for 20 s", nodes.get(1).alive());
        // the holder's next row unmarks the dead one
        await("the dead node's row is unmarked", 5000, () -> rows().stream()
                .anyMatch(r -> r.id().equals("deadbeef") && !r.holdsJobs()));
    }

    @Test
    public void aNodeGoneForLongerThanAnHourIsRemovedAndAStoppedNodeRemovesItsRow() throws Exception {
        long now = System.currentTimeMillis();
        service.core().writeStore(s -> {
            s.putNode(new NodeRow("longgone", "old-host", 42, "1.0.0", now - 7_200_000, now - 3_700_000, false));
            return null;
        });
        jobs = new SingletonJobs(service.core());
        await("the long-gone row is removed", 5000, () -> rows().stream().noneMatch(r -> r.id().equals("longgone")));
        await("its own row is written", 5000, () -> rows().stream().anyMatch(r -> r.id().equals(jobs.nodeId())));
        jobs.stop();
        assertEquals(List.of(), rows());
        jobs = null;
    }
}
