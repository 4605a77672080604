package io.midway.logging.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RotatingLogFileTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void rotatesAtTheSizeAndKeepsTheNumberOfFiles() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("agent.log");
        String line = "x".repeat(99) + "\n"; // 100 bytes
        try (RotatingLogFile file = new RotatingLogFile(log, 1000, 3)) {
            for (int i = 0; i < 100; i++) {
                file.write(String.format("%03d", i) + line.substring(3));
            }
        }
        assertTrue(Files.exists(log));
        assertTrue(Files.exists(tmp.getRoot().toPath().resolve("agent.log.1")));
        assertTrue(Files.exists(tmp.getRoot().toPath().resolve("agent.log.2")));
        assertFalse("3 files in all", Files.exists(tmp.getRoot().toPath().resolve("agent.log.3")));
        for (String name : new String[] {"agent.log", "agent.log.1", "agent.log.2"}) {
            assertTrue(name, Files.size(tmp.getRoot().toPath().resolve(name)) <= 1000);
        }
        // the newest entries are in agent.log, the ones before in agent.log.1
        assertTrue(Files.readString(log).endsWith("099" + "x".repeat(96) + "\n"));
        String previous = Files.readString(tmp.getRoot().toPath().resolve("agent.log.1"), StandardCharsets.UTF_8);
        assertTrue(previous, previous.startsWith("080"));
        assertTrue(previous, previous.contains("089"));
    }

    @Test
    public void appendsToAnExistingFileAcrossRestarts() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("instance.log");
        try (RotatingLogFile file = new RotatingLogFile(log, 1000, 2)) {
            file.write("first\n");
        }
        try (RotatingLogFile file = new RotatingLogFile(log, 1000, 2)) {
            file.write("second\n");
        }
        assertEquals("first\nsecond\n", Files.readString(log));
    }

    @Test
    public void oneFileOnlyStartsAfresh() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("one.log");
        try (RotatingLogFile file = new RotatingLogFile(log, 1024, 1)) {
            for (int i = 0; i < 50; i++) {
                file.write("entry " + i + " " + "y".repeat(80) + "\n");
            }
        }
        assertTrue(Files.size(log) <= 1024);
        assertFalse(Files.exists(tmp.getRoot().toPath().resolve("one.log.1")));
        assertTrue(Files.readString(log).contains("entry 49 "));
    }

    @Test
    public void anEntryLargerThanTheFileIsCut() throws Exception {
        Path log = tmp.getRoot().toPath().resolve("big.log");
        try (RotatingLogFile file = new RotatingLogFile(log, 2048, 2)) {
            file.write("z".repeat(100_000) + "\n");
        }
        assertTrue(Files.size(log) <= 2048);
        assertTrue(Files.readString(log).endsWith("[entry cut to the log file size]\n"));
    }
}
