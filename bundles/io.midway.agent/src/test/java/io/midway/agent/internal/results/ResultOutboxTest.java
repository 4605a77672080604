package io.midway.agent.internal.results;

import io.midway.agent.internal.Await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.wire.InputRecord;

public class ResultOutboxTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static InputRecord result(String id) {
        return new InputRecord(id, "Echo", "n", "s", null, "processed", null);
    }

    @Test
    public void resultsFromManyWorkersLandInFewerFilesAndNoneIsLost() throws Exception {
        ResultSpool spool = new ResultSpool(tmp.newFolder("spool").toPath());
        AtomicInteger wakes = new AtomicInteger();
        ResultOutbox writer = new ResultOutbox(spool, 50, wakes::incrementAndGet, (r, e) -> { });
        writer.start();
        ExecutorService workers = Executors.newFixedThreadPool(16);
        for (int w = 0; w < 16; w++) {
            int worker = w;
            workers.execute(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        writer.submit(result("w" + worker + "-" + i));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        workers.shutdown();
        assertTrue(workers.awaitTermination(60, TimeUnit.SECONDS));
        writer.stop();
        assertEquals("stop writes everything handed over", 3200, spool.count());
        assertEquals(0, writer.pending());
        List<String> ids = new ArrayList<>();
        List<Path> files = spool.oldest(Integer.MAX_VALUE);
        for (Path file : files) {
            assertTrue("at most 50 results a file", ResultSpool.records(file) <= 50);
            spool.readAll(file).forEach(r -> ids.add(r.responseTo()));
        }
        assertEquals(3200, ids.size());
        assertEquals(3200, new java.util.HashSet<>(ids).size());
        assertTrue("grouped: " + files.size() + " files for 3200 results", files.size() < 3200);
        assertEquals("the sender is woken once per file", files.size(), wakes.get());
        // each worker's results stay in the order it made them
        for (int w = 0; w < 16; w++) {
            String prefix = "w" + w + "-";
            List<String> mine = ids.stream().filter(id -> id.startsWith(prefix)).toList();
            for (int i = 0; i < mine.size(); i++) {
                assertEquals(prefix + i, mine.get(i));
            }
        }
    }

    @Test
    public void aGroupThatCannotBeWrittenIsReportedWithItsResults() throws Exception {
        Path dir = tmp.newFolder("spool").toPath();
        ResultSpool spool = new ResultSpool(dir);
        Files.delete(dir);
        Files.writeString(dir, "not a directory");
        List<String> failed = new CopyOnWriteArrayList<>();
        List<IOException> why = new CopyOnWriteArrayList<>();
        ResultOutbox writer = new ResultOutbox(spool, 10, () -> { }, (results, e) -> {
            results.forEach(r -> failed.add(r.responseTo()));
            why.add(e);
        });
        writer.start();
        writer.submit(result("lost-1"));
        writer.submit(result("lost-2"));
        writer.stop();
        assertEquals(List.of("lost-1", "lost-2"), failed.stream().sorted().toList());
        assertTrue(why.get(0).toString(), why.get(0) instanceof IOException);
    }

    @Test
    public void groupsTheInstanceTakesNeverTouchTheDiskAndRefusedGroupsAreSpooled() throws Exception {
        ResultSpool spool = new ResultSpool(tmp.newFolder("spool").toPath());
        List<String> delivered = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean instanceUp = new java.util.concurrent.atomic.AtomicBoolean(true);
        ResultOutbox outbox = new ResultOutbox(spool, group -> {
            if (!instanceUp.get()) {
                return false;
            }
            group.forEach(r -> delivered.add(r.responseTo()));
            return true;
        }, 10, () -> { }, (r, e) -> { });
        outbox.start();
        for (int i = 0; i < 25; i++) {
            outbox.submit(result("up-" + i));
        }
        Await.until("all 25 delivered", () -> delivered.size() == 25);
        assertEquals("nothing was spooled", 0, spool.count());
        try (var files = Files.list(spool.directory())) {
            assertEquals(0, files.count());
        }

        instanceUp.set(false);
        for (int i = 0; i < 5; i++) {
            outbox.submit(result("down-" + i));
        }
        outbox.stop();
        assertEquals(25, delivered.size());
        assertEquals("what the instance did not take is on disk", 5, spool.count());
        List<String> spooled = new ArrayList<>();
        for (Path file : spool.oldest(100)) {
            spool.readAll(file).forEach(r -> spooled.add(r.responseTo()));
        }
        assertEquals(List.of("down-0", "down-1", "down-2", "down-3", "down-4"), spooled);
    }
}
