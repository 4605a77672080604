package io.midway.agent.internal.work;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

public class WorkerPoolTest {

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
