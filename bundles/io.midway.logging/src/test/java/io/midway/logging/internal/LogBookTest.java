package io.midway.logging.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.service.log.LogEntry;

public class LogBookTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private LogSettings settings(Path file, long maxBytes, int files) {
        return new LogSettings(file, maxBytes, files, LogLevel.INFO, LogSettings.defaultLoggerLevels(), 100, 20, 60_000);
    }

    @Test
    public void aFloodOfOneWarningStaysSmallAndIsSummarised() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("instance.log");
        LogBook book = new LogBook();
        book.configure(settings(file, 10L * 1024 * 1024, 5), null);
        for (int i = 0; i < 200_000; i++) {
            book.log(LogLevel.WARN, "java.util.jar", "Duplicate name in Manifest: X", "Duplicate name in Manifest: X",
                    null, null, null);
        }
        book.close();
        String log = Files.readString(file);
        assertTrue("under 10 KB: " + Files.size(file), Files.size(file) < 10_000);
        assertEquals(20, log.lines().filter(l -> l.endsWith("java.util.jar - Duplicate name in Manifest: X")).count());
        assertTrue(log, log.contains("suppressed 199980 similar messages from java.util.jar: Duplicate name in Manifest: X"));
    }

    @Test
    public void anErrorIsOneShortLineOnTheConsoleAndTheWholeTraceInTheFile() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("agent.log");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LogBook book = new LogBook();
        book.configure(settings(file, 1024 * 1024, 2), new PrintStream(console, true, StandardCharsets.UTF_8));
        IllegalStateException failure = new IllegalStateException("boom");
        book.log(LogLevel.ERROR, "io.midway.agent.internal.EccPoller", "Poll failed", "Poll failed", failure, null, null);
        book.log(LogLevel.ERROR, "io.midway.agent.internal.EccPoller", "Again {}", "Again 2", null, null, null);
        book.log(LogLevel.INFO, "io.midway.agent.internal.EccPoller", "fine", "fine", null, null, null);
        book.close();
        String out = console.toString(StandardCharsets.UTF_8);
        assertEquals("midway: error in EccPoller: Poll failed (see " + file + ")\n", out);
        String log = Files.readString(file);
        assertTrue(log, log.contains("ERROR [main] EccPoller - Poll failed\njava.lang.IllegalStateException: boom\n\tat "));
        assertTrue(log, log.contains("EccPoller - Again 2"));
        assertTrue(log, log.contains("INFO  [main] EccPoller - fine"));
    }

    @Test
    public void levelsFilterAndTheRingServesTheNewestFirst() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("agent.log");
        LogBook book = new LogBook();
        book.configure(settings(file, 1024 * 1024, 2), null);
        book.log(LogLevel.DEBUG, "a", "hidden", "hidden", null, null, null);
        book.log(LogLevel.INFO, "org.eclipse.jetty.server.Server", "jetty info", "jetty info", null, null, null);
        book.log(LogLevel.WARN, "org.eclipse.jetty.server.Server", "jetty warn", "jetty warn", null, null, null);
        for (int i = 0; i < 150; i++) {
            book.log(LogLevel.INFO, "a", "n " + i, "n " + i, null, null, null);
        }
        List<LogEntry> recent = book.recent();
        assertEquals("the ring holds 100", 100, recent.size());
        assertEquals("n 149", recent.get(0).getMessage());
        book.close();
        String log = Files.readString(file);
        assertFalse(log.contains("hidden"));
        assertFalse(log.contains("jetty info"));
        assertTrue(log.contains("jetty warn"));
    }

    @Test
    public void entriesBeforeTheFileOpensAreWrittenWhenItDoes() throws Exception {
        LogBook book = new LogBook();
        book.log(LogLevel.INFO, "early", "before {}", "before the file", null, null, null);
        Path file = tmp.getRoot().toPath().resolve("x").resolve("agent.log");
        book.configure(settings(file, 1024 * 1024, 2), null);
        book.close();
        assertTrue(Files.readString(file).contains("early - before the file"));
    }

    @Test
    public void settingsComeFromTheFrameworkProperties() {
        Map<String, String> p = Map.of("midway.data", "/tmp/d", "midway.role", "agent", "midway.log.max.size", "2MB",
                "midway.log.max.files", "3", "midway.log.level", "debug");
        LogSettings s = LogSettings.from(p::get);
        assertEquals(Path.of("/tmp/d/agent.log"), s.file());
        assertEquals(2L * 1024 * 1024, s.maxBytes());
        assertEquals(3, s.files());
        assertEquals(LogLevel.DEBUG, s.level());
        assertEquals(LogLevel.WARN, s.levelOf("org.eclipse.jetty.server.Server"));
        assertEquals(LogLevel.DEBUG, s.levelOf("org.eclipse.jettyx"));
        LogSettings d = LogSettings.from(Map.of("midway.data", "/tmp/i", "midway.role", "instance")::get);
        assertEquals(10L * 1024 * 1024, d.maxBytes());
        assertEquals(5, d.files());
        assertEquals(Path.of("/tmp/i/instance.log"), d.file());
        try {
            LogSettings.from(Map.of("midway.log.max.size", "lots")::get);
            org.junit.Assert.fail("a size that is no size");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'lots'"));
        }
    }
}
