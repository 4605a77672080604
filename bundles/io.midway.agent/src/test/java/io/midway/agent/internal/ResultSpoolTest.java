package io.midway.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.wire.InputRecord;
import io.midway.wire.Json;

public class ResultSpoolTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void writesOneFilePerResultAndListsThemInOrder() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("a/b/spool");
        ResultSpool spool = new ResultSpool(dir);
        for (int i = 0; i < 30; i++) {
            spool.write(new InputRecord("id/" + i, "Echo", "n", "s", Json.mapper().readTree("{\"i\":" + i + "}"),
                    "processed", null));
        }
        assertEquals(30, spool.count());
        List<Path> oldest = spool.oldest(10);
        assertEquals(10, oldest.size());
        for (int i = 0; i < 10; i++) {
            InputRecord record = spool.read(oldest.get(i));
            assertEquals("id/" + i, record.responseTo());
            assertEquals(i, record.payload().path("i").asInt());
            assertFalse(oldest.get(i).getFileName().toString().contains("/"));
        }
        spool.delete(oldest.get(0));
        assertEquals(29, spool.count());
        try (var stream = Files.list(dir)) {
            assertTrue("no temporary files are left", stream.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    public void removesTemporaryFilesACrashLeftAndIgnoresThemMeanwhile() throws Exception {
        Path dir = tmp.newFolder("spool").toPath();
        Path leftover = dir.resolve(".1700000000000-000001-x.json.tmp");
        Files.writeString(leftover, "{\"response_to\":");
        ResultSpool spool = new ResultSpool(dir);
        assertFalse(Files.exists(leftover));
        assertEquals(0, spool.count());
    }

    @Test
    public void rejectMovesTheFileAndWritesTheReason() throws Exception {
        ResultSpool spool = new ResultSpool(tmp.newFolder("spool").toPath());
        Path file = spool.write(new InputRecord("x", "T", null, null, null, "error", "e"));
        Path moved = spool.reject(file, "the instance said no");
        assertFalse(Files.exists(file));
        assertTrue(Files.exists(moved));
        assertEquals(0, spool.count());
        assertEquals("the instance said no", Files.readString(
                moved.resolveSibling(moved.getFileName() + ".reason.txt")).trim());
    }
}
