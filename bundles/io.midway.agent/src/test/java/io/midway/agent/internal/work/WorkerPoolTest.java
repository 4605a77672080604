package io.midway.agent.internal.work;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

public class WorkerPoolTest {

    @Test
    public void aWorkerWithoutWorkEndsSoonSoThatAnIdleAgentKeepsNone() throws Exception {
        WorkerPool pool = new WorkerPool("idletest", 2, 0);
        try {
            CountDownLatch ran = new CountDownLatch(1);
            assertTrue(pool.submit(ran::countDown));
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertTrue("the worker runs", workers("midway-idletest-") > 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WorkerPool.IDLE_SECONDS + 10);
            while (workers("midway-idletest-") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("no worker left " + WorkerPool.IDLE_SECONDS + " s after the last work", 0,
                    workers("midway-idletest-"));
            CountDownLatch again = new CountDownLatch(1);
            assertTrue(pool.submit(again::countDown));
            assertTrue("work after the idle time gets a new worker", again.await(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdown();
        }
    }

    private static long workers(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    @Test
    public void capacityIsThreadsPlusTheirQueueAndFreesWhenWorkEnds() throws Exception {
        WorkerPool pool = new WorkerPool("standard", 2, 3);
        try {
            assertEquals("2 threads and 3 queued each: room for 8", 8, pool.freeCapacity());
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger freed = new AtomicInteger();
            for (int i = 0; i < 8; i++) {
                assertTrue(pool.submit(() -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "item-" + i, freed::incrementAndGet));
            }
            assertEquals(0, pool.freeCapacity());
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (freed.get() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals("each item says when its place is free", 8, freed.get());
            assertEquals(8, pool.freeCapacity());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    public void noQueueMeansOnePlacePerThread() {
        WorkerPool pool = new WorkerPool("interactive", 3);
        try {
            assertEquals(3, pool.freeCapacity());
        } finally {
            pool.shutdown();
        }
    }
}
