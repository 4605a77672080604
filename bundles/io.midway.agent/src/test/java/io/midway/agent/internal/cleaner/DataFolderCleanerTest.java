package io.midway.agent.internal.cleaner;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.cleaner.CleanerRunDTO;

/** Each rule of the File Cleaner over a real data folder in a temporary directory. */
public class DataFolderCleanerTest {

    private static final Duration WEEK = Duration.ofDays(7);
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path data() throws IOException {
        return temp.newFolder("data").toPath();
    }

    /** A file of {@code size} bytes last modified {@code days} ago. */
    private static Path file(Path path, int size, int days) throws IOException {
        Files.createDirectories(path.getParent());
        Files.write(path, new byte[size]);
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minus(Duration.ofDays(days))));
        return path;
    }

    private static CleanerRunDTO run(Path data, CleanupRule... rules) {
        return new DataFolderCleaner(data, Clock.systemUTC(), OpenFiles::ofThisProcess)
                .run("command", List.of(rules), WEEK, List.of());
    }

    private static List<String> removed(CleanerRunDTO run) {
        List<String> out = new ArrayList<>();
        Arrays.stream(run.removed).forEach(r -> out.add(r.path.replace('\\', '/')));
        out.sort(null);
        return out;
    }

    @Test
    public void rotatedLogsBeyondTheCountAndOldAreRemovedTheRestKept() throws IOException {
        Path data = data();
        Path current = file(data.resolve("agent.log"), 10, 30);
        Path kept1 = file(data.resolve("agent.log.1"), 11, 30);
        Path kept4 = file(data.resolve("agent.log.4"), 12, 30);
        Path old5 = file(data.resolve("agent.log.5"), 100, 30);
        Path old12 = file(data.resolve("agent.log.12"), 200, 8);
        Path recent6 = file(data.resolve("agent.log.6"), 300, 2);
        Path other = file(data.resolve("agent.log.bak"), 5, 30);

        CleanerRunDTO run = run(data, new RotatedLogs(data.resolve("agent.log"), 5));

        assertEquals(List.of("agent.log.12", "agent.log.5"), removed(run));
        assertEquals(2, run.filesRemoved);
        assertEquals(300, run.bytesFreed);
        assertFalse(Files.exists(old5));
        assertFalse(Files.exists(old12));
        for (Path p : List.of(current, kept1, kept4, recent6, other)) {
            assertTrue(p + " is kept", Files.exists(p));
        }
        assertEquals("log", run.removed[0].rule);
    }

    @Test
    public void spoolLeftoversAreRemovedButNoResultWaitingToBeSent() throws IOException {
        Path data = data();
        Path spool = data.resolve("spool");
        Path waiting = file(spool.resolve("0000000000001-000001-abc.json"), 40, 30);
        Path waitingGroup = file(spool.resolve("0000000000002-000002-batch.3.json"), 40, 30);
        Path tmp = file(spool.resolve(".0000000000003-000003-x.json.tmp"), 7, 30);
        Path freshTmp = file(spool.resolve(".0000000000004-000004-y.json.tmp"), 7, 0);
        Path rejected = file(spool.resolve("rejected").resolve("0000000000005-000005-z.json"), 20, 30);
        Path reason = file(spool.resolve("rejected").resolve("0000000000005-000005-z.json.reason.txt"), 9, 30);

        CleanerRunDTO run = run(data, new SpoolLeftovers(spool));

        assertEquals(List.of("spool/.0000000000003-000003-x.json.tmp", "spool/rejected/0000000000005-000005-z.json",
                "spool/rejected/0000000000005-000005-z.json.reason.txt"), removed(run));
        assertEquals(36, run.bytesFreed);
        assertTrue(Files.exists(waiting));
        assertTrue(Files.exists(waitingGroup));
        assertTrue(Files.exists(freshTmp));
        assertFalse(Files.exists(tmp));
        assertFalse(Files.exists(rejected));
        assertFalse(Files.exists(reason));
    }

    @Test
    public void cachedJarsNoLongerNeededAreRemovedInstalledAndSnapshotOnesKept() throws IOException {
        Path data = data();
        Path cache = data.resolve("sync").resolve("files");
        Path installed = file(cache.resolve(A + ".jar"), 1000, 30);
        Path inSnapshot = file(cache.resolve(B + ".jar"), 1000, 30);
        Path unused = file(cache.resolve(C + ".jar"), 1234, 30);
        Path part = file(cache.resolve("." + C + ".part"), 66, 30);
        Path state = file(data.resolve("sync").resolve("state.json"), 10, 30);

        CleanerRunDTO run = run(data, new UnusedCachedJars(cache, Set.of(A, B)));

        assertEquals(List.of("sync/files/." + C + ".part", "sync/files/" + C + ".jar"), removed(run));
        assertEquals(1300, run.bytesFreed);
        assertTrue(Files.exists(installed));
        assertTrue(Files.exists(inSnapshot));
        assertTrue(Files.exists(state));
        assertFalse(Files.exists(unused));
        assertFalse(Files.exists(part));
    }

    @Test
    public void coresOlderThanTheLastGoodOneAreRemovedTheKeptAndTheRunningUpgradeNot() throws IOException {
        Path data = data();
        Path upgrader = data.resolve("upgrader");
        Path current = file(upgrader.resolve("current.jar"), 500, 30);
        Files.writeString(upgrader.resolve("current.json"), "{\"version\":\"1.2.0\",\"sha256\":\"" + A + "\"}");
        Files.writeString(upgrader.resolve("history.json"), "[{\"from_version\":\"1.2.0\",\"to_version\":\"1.3.0\","
                + "\"sha256\":\"" + B + "\",\"outcome\":\"running\"},{\"from_version\":\"1.1.0\",\"to_version\":\"1.2.0\","
                + "\"sha256\":\"" + A + "\",\"outcome\":\"upgraded\"}]");
        Path running = file(upgrader.resolve("incoming").resolve(B + ".jar"), 500, 30);
        Path leftover = file(upgrader.resolve("incoming").resolve(C + ".jar"), 400, 30);
        Path download = file(data.resolve("upgrade").resolve("download").resolve(C + ".jar"), 300, 30);
        Path downloadGood = file(data.resolve("upgrade").resolve("download").resolve(A + ".jar"), 300, 30);
        Path tmp = file(upgrader.resolve(".current.jar.tmp"), 50, 30);

        CleanerRunDTO run = run(data, new OldCores(data));

        assertEquals(List.of("upgrade/download/" + C + ".jar", "upgrader/.current.jar.tmp", "upgrader/incoming/" + C + ".jar"),
                removed(run));
        assertTrue(Files.exists(current));
        assertTrue(Files.exists(running));
        assertTrue(Files.exists(downloadGood));
        assertTrue(Files.exists(upgrader.resolve("current.json")));
        assertTrue(Files.exists(upgrader.resolve("history.json")));
        assertFalse(Files.exists(leftover));
        assertFalse(Files.exists(download));
        assertFalse(Files.exists(tmp));
    }

    @Test
    public void anUnreadableUpgradeHistoryLeavesIncomingCoresAlone() throws IOException {
        Path data = data();
        Path upgrader = data.resolve("upgrader");
        Files.createDirectories(upgrader);
        Files.writeString(upgrader.resolve("history.json"), "[{not json");
        Path incoming = file(upgrader.resolve("incoming").resolve(C + ".jar"), 400, 30);

        CleanerRunDTO run = run(data, new OldCores(data));

        assertEquals(0, run.filesRemoved);
        assertTrue(Files.exists(incoming));
    }

    @Test
    public void aFileThisProcessHasOpenIsKept() throws IOException {
        Path data = data();
        Path open = file(data.resolve("agent.log.7"), 10, 30);
        Path closed = file(data.resolve("agent.log.8"), 10, 30);
        try (FileChannel channel = FileChannel.open(open, StandardOpenOption.READ)) {
            CleanerRunDTO run = run(data, new RotatedLogs(data.resolve("agent.log"), 5));
            if (Files.isDirectory(Path.of("/proc/self/fd"))) {
                assertEquals(List.of("agent.log.8"), removed(run));
                assertTrue(Files.exists(open));
            }
            assertFalse(Files.exists(closed));
            assertTrue(channel.isOpen());
        }
    }

    @Test
    public void symbolicLinksAndFilesOutsideTheDataFolderAreNeverTouched() throws IOException {
        Path data = data();
        Path outside = temp.newFolder("outside").toPath();
        Path target = file(outside.resolve("precious.log.9"), 10, 30);
        Path link = data.resolve("agent.log.9");
        Files.createSymbolicLink(link, target);
        Files.setLastModifiedTime(data, FileTime.from(Instant.now()));
        // a folder of the data folder that is a link to a folder outside it
        Path outsideSpool = temp.newFolder("elsewhere").toPath();
        Path foreign = file(outsideSpool.resolve("rejected").resolve("r.json"), 10, 30);
        Path foreignTmp = file(outsideSpool.resolve(".x.tmp"), 10, 30);
        Files.createSymbolicLink(data.resolve("spool"), outsideSpool);
        // a log whose rotated files live outside the data folder
        Path outsideLog = file(outside.resolve("agent.log.6"), 10, 30);

        CleanerRunDTO run = run(data, new RotatedLogs(data.resolve("agent.log"), 5), new SpoolLeftovers(data.resolve("spool")),
                new RotatedLogs(outside.resolve("agent.log"), 5));

        assertEquals(List.of(), removed(run));
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.exists(target));
        assertTrue(Files.exists(foreign));
        assertTrue(Files.exists(foreignTmp));
        assertTrue(Files.exists(outsideLog));
    }

    @Test
    public void aFailureIsCountedAndTheRunGoesOn() throws IOException {
        Path data = data();
        Path gone = file(data.resolve("agent.log.6"), 10, 30);
        Path plain = file(data.resolve("plain"), 10, 30);
        CleanupRule failing = new CleanupRule() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public List<Path> unused() throws IOException {
                throw new IOException("cannot read the folder");
            }
        };
        CleanupRule impossible = new CleanupRule() {
            @Override
            public String name() {
                return "impossible";
            }

            @Override
            public List<Path> unused() {
                // a "file" inside a plain file: every operation on it fails (not a directory)
                return List.of(plain.resolve("inside"));
            }
        };

        CleanerRunDTO run = run(data, failing, impossible, new RotatedLogs(data.resolve("agent.log"), 5));

        assertEquals(List.of("agent.log.6"), removed(run));
        assertEquals(1, run.failures);
        assertFalse(Files.exists(gone));
        assertTrue(Files.exists(plain));
        assertArrayEquals(new String[] {"broken: cannot read the folder"}, run.skipped);
    }

    @Test
    public void theRulesSkippedAreReported() throws IOException {
        Path data = data();
        CleanerRunDTO run = new DataFolderCleaner(data, Clock.systemUTC(), Set::of)
                .run("start", List.of(), WEEK, List.of("jar cache: not known yet"));
        assertEquals("start", run.trigger);
        assertArrayEquals(new String[] {"jar cache: not known yet"}, run.skipped);
        assertEquals(0, run.removed.length);
        assertEquals(0, run.filesRemoved);
    }
}
