package io.midway.agent.internal.cleaner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.cleaner.CleanerRunDTO;
import io.midway.api.cleaner.CleanerStatusDTO;

/** The File Cleaner component: its schedule, its switch, its settings and what it reports. */
public class FileCleanerServiceTest {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private FileCleanerService service;

    @After
    public void stop() {
        if (service != null) {
            service.stop();
        }
    }

    static CleanerConfiguration config(boolean enabled, int days, int hours) {
        return new CleanerConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return CleanerConfiguration.class;
            }

            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public int max_age_days() {
                return days;
            }

            @Override
            public int interval_hours() {
                return hours;
            }
        };
    }

    private static Path old(Path path, int days) throws IOException {
        Files.createDirectories(path.getParent());
        Files.write(path, new byte[42]);
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minus(Duration.ofDays(days))));
        return path;
    }

    private FileCleanerService start(Path data, CleanerConfiguration config, long delaySeconds) {
        Map<String, String> props = Map.of("midway.data", data.toString(), "midway.role", "agent",
                "midway.log.max.files", "3");
        service = new FileCleanerService(config, props::get, Clock.systemUTC(), delaySeconds);
        return service;
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 10 s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    public void runsAtStartRemovesOldUnusedFilesAndShowsTheRun() throws Exception {
        Path data = temp.newFolder("data").toPath();
        Path beyond = old(data.resolve("agent.log.3"), 10);
        Path within = old(data.resolve("agent.log.2"), 10);
        Path recent = old(data.resolve("agent.log.4"), 1);
        FileCleanerService s = start(data, config(true, 7, 24), 0);

        await(() -> s.status().lastRun != null);
        CleanerStatusDTO status = s.status();
        assertTrue(status.enabled);
        assertEquals(7, status.maxAgeDays);
        assertEquals(24, status.intervalHours);
        assertEquals("start", status.lastRun.trigger);
        assertEquals(1, status.lastRun.filesRemoved);
        assertEquals(42, status.lastRun.bytesFreed);
        assertEquals("agent.log.3", status.lastRun.removed[0].path);
        assertFalse(Files.exists(beyond));
        assertTrue(Files.exists(within));
        assertTrue(Files.exists(recent));
        await(() -> s.status().nextRun != null);
        Duration untilNext = Duration.between(Instant.now(), Instant.parse(s.status().nextRun));
        assertTrue(untilNext + " until the next run", untilNext.compareTo(Duration.ofHours(23)) > 0
                && untilNext.compareTo(Duration.ofHours(24)) <= 0);
        // without the core, the spool and the jar cache are left alone, and the run says so
        assertEquals("spool and jar cache: the agent core is not running", status.lastRun.skipped[0]);
        String shown = String.join("\n", CleanerText.statusLines(s.status()));
        assertTrue(shown, shown.contains("File cleaner  on (removes unused files older than 7 days, every 24 h)"));
        assertTrue(shown, shown.contains("(start): 1 files removed, 42 bytes freed"));
    }

    @Test
    public void switchedOffItDoesNothingButMidCleanStillRuns() throws Exception {
        Path data = temp.newFolder("data").toPath();
        Path beyond = old(data.resolve("agent.log.5"), 10);
        FileCleanerService s = start(data, config(false, 7, 24), 0);

        Thread.sleep(500);
        assertTrue(Files.exists(beyond));
        assertNull(s.status().lastRun);
        assertNull(s.status().nextRun);
        assertTrue(String.join("\n", CleanerText.statusLines(s.status())).contains("Next clean    off"));

        CleanerRunDTO run = s.runNow();
        assertEquals("command", run.trigger);
        assertEquals(1, run.filesRemoved);
        assertFalse(Files.exists(beyond));
        assertTrue(CleanerText.run(run), CleanerText.run(run).contains("removed agent.log.5 (42 bytes, log)"));
    }

    @Test
    public void aChangedConfigurationAppliesWithoutARestart() throws Exception {
        Path data = temp.newFolder("data").toPath();
        FileCleanerService s = start(data, config(true, 7, 24), 0);
        await(() -> s.status().lastRun != null && s.status().nextRun != null);

        s.modified(config(false, 7, 24));
        assertNull(s.status().nextRun);
        assertFalse(s.status().enabled);

        // on again with a shorter age: a file 3 days old now counts as old, and the next run is one
        // new interval after the last
        Path threeDays = old(data.resolve("agent.log.9"), 3);
        s.modified(config(true, 2, 48));
        CleanerStatusDTO status = s.status();
        assertEquals(2, status.maxAgeDays);
        assertEquals(48, status.intervalHours);
        assertNotNull(status.nextRun);
        Duration untilNext = Duration.between(Instant.parse(status.lastRun.started), Instant.parse(status.nextRun));
        assertTrue(untilNext.toString(), untilNext.compareTo(Duration.ofHours(47)) > 0);
        assertEquals(1, s.runNow().filesRemoved);
        assertFalse(Files.exists(threeDays));
    }

    @Test
    public void withTheCoreItCleansTheSpoolAndTheJarCacheItNames() throws Exception {
        Path data = temp.newFolder("data").toPath();
        String keep = "a".repeat(64);
        String drop = "d".repeat(64);
        Path kept = old(data.resolve("sync/files/" + keep + ".jar"), 30);
        Path dropped = old(data.resolve("sync/files/" + drop + ".jar"), 30);
        Path waiting = old(data.resolve("spool/0000000000001-000001-x.json"), 30);
        Path rejected = old(data.resolve("spool/rejected/0000000000001-000001-y.json"), 30);
        FileCleanerService s = start(data, config(true, 7, 24), 3600);
        s.filesInUse = new FilesInUse() {
            @Override
            public Path spoolDirectory() {
                return data.resolve("spool");
            }

            @Override
            public Path jarCacheDirectory() {
                return data.resolve("sync/files");
            }

            @Override
            public Optional<Set<String>> cachedJarsInUse() {
                return Optional.of(Set.of(keep));
            }
        };

        CleanerRunDTO run = s.runNow();

        assertEquals(2, run.filesRemoved);
        assertTrue(Files.exists(kept));
        assertTrue(Files.exists(waiting));
        assertFalse(Files.exists(dropped));
        assertFalse(Files.exists(rejected));
        assertEquals(0, run.skipped.length);
    }
}
