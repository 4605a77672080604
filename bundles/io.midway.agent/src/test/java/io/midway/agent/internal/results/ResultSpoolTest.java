package io.midway.agent.internal.results;

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

    @Test
    public void aGroupIsOneFileThatCountsAsItsResults() throws Exception {
        Path dir = tmp.newFolder("spool").toPath();
        ResultSpool spool = new ResultSpool(dir);
        spool.write(new InputRecord("single", "T", null, null, null, "processed", null));
        List<InputRecord> group = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            group.add(new InputRecord("g" + i, "T", null, null, Json.mapper().readTree("{\"i\":" + i + "}"), "processed", null));
        }
        Path file = spool.write(group);
        assertEquals(6, spool.count());
        assertEquals(5, ResultSpool.records(file));
        try (var stream = Files.list(dir)) {
            assertEquals("one file per write, not per result", 2, stream.count());
        }
        List<InputRecord> back = spool.readAll(file);
        assertEquals(List.of("g0", "g1", "g2", "g3", "g4"), back.stream().map(InputRecord::responseTo).toList());
        assertEquals(3, back.get(3).payload().path("i").asInt());
        assertEquals("single", spool.readAll(spool.oldest(1).get(0)).get(0).responseTo());

        Path aside = spool.reject(file, 2, back.get(2), "not this one");
        assertEquals("g2", spool.read(aside).responseTo());
        assertTrue(Files.readString(aside.resolveSibling(aside.getFileName() + ".reason.txt")).contains("not this one"));
        spool.delete(file);
        assertEquals(1, spool.count());
    }

    @Test
    public void aGroupFileWhoseContentDisagreesWithItsNameIsNotRead() throws Exception {
        Path dir = tmp.newFolder("spool").toPath();
        ResultSpool spool = new ResultSpool(dir);
        Path file = spool.write(List.of(new InputRecord("a", "T", null, null, null, "processed", null),
                new InputRecord("b", "T", null, null, null, "processed", null)));
        Path lying = file.resolveSibling(file.getFileName().toString().replace("batch.2", "batch.3"));
        Files.move(file, lying);
        try {
            spool.readAll(lying);
            org.junit.Assert.fail("a group file with 2 results named for 3 was read");
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("holds 2 results where its name says 3"));
        }
    }
}
