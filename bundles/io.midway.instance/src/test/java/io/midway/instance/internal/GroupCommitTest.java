package io.midway.instance.internal;

import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

/**
 * Writes that arrive together share one commit: each still gets its own answer, and a write that
 * fails (here: a poll of an agent that is not registered) fails alone.
 */
public class GroupCommitTest extends ServiceFixture {

    private static OutputRequest output(int i) {
        ObjectNode record = Json.mapper().createObjectNode();
        record.put("agent", "mid.server.m1");
        record.put("topic", "Echo");
        record.put("name", "item-" + i);
        return OutputRequest.parse(record);
    }

    @Test
    public void concurrentWritesEachGetTheirOwnResultAndAFailureStaysAlone() throws Exception {
        register("m1");
        int writers = 16;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> inserts = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int first = w * each;
                Callable<List<String>> writer = () -> {
                    start.await();
                    List<String> names = new ArrayList<>();
                    for (int i = first; i < first + each; i++) {
                        QueueRecord stored = service.outputs().insertOutput(output(i));
                        assertEquals("item-" + i, stored.name());
                        names.add(stored.name());
                    }
                    return names;
                };
                inserts.add(pool.submit(writer));
            }
            Future<?> bad = pool.submit(() -> {
                start.await();
                return service.polls().poll("nobody", 10);
            });
            start.countDown();
            Set<String> names = new HashSet<>();
            for (Future<List<String>> f : inserts) {
                names.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(writers * each, names.size());
            try {
                bad.get(60, TimeUnit.SECONDS);
                throw new AssertionError("a poll of an unknown agent must fail");
            } catch (ExecutionException e) {
                assertTrue(e.getCause().toString(), e.getCause() instanceof InstanceException);
                assertEquals(InstanceException.Reason.NOT_FOUND, ((InstanceException) e.getCause()).reason());
            }
        } finally {
            pool.shutdownNow();
        }
        long stored = service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE, "queue=output^topic=Echo", null, null,
                null));
        assertEquals("every insert committed, once", writers * each, stored);
        restartService();
        assertEquals("and still there after a restart", writers * each, service.outputs().count(TableQuery.parse(
                TableSchema.ECC_QUEUE, "queue=output^topic=Echo", null, null, null)));
    }
}
