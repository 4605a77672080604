package io.midway.probe.command.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.testing.servers.TestPrograms;

/**
 * Runs real processes through the probe: the programs of .ci/test-programs.txt (sh, echo, cat, ...);
 * a machine without one fails naming its Debian package.
 */
public class CommandProbeTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static final int MIB = 1024 * 1024;

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    // ---------------------------------------------------------------- helpers

    /**
     * @param program a program of .ci/test-programs.txt, e.g. {@code echo}
     * @return its allow-list entry, {@code echo=/usr/bin/echo}; fails naming the Debian package when it is missing
     */
    private static String allow(String program) {
        return program + "=" + TestPrograms.path(program);
    }

    private static CommandProbe probe(String... allowed) {
        return probe(60_000, MIB, "", allowed);
    }

    private static CommandProbe probe(long timeoutMs, int maxOutputBytes, String workingDir, String... allowed) {
        return new CommandProbe(new CommandProbe.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return CommandProbe.Config.class;
            }

            @Override
            public String[] allowed() {
                return allowed;
            }

            @Override
            public long timeout_ms() {
                return timeoutMs;
            }

            @Override
            public int max_output_bytes() {
                return maxOutputBytes;
            }

            @Override
            public String working_dir() {
                return workingDir;
            }
        });
    }

    private static ProbeRequest request(Map<String, Object> payload) {
        return request("", payload);
    }

    private static ProbeRequest request(String name, Map<String, Object> payload) {
        return new ProbeRequest("0123456789abcdef0123456789abcdef", CommandProbe.TOPIC, name, "", payload);
    }

    private static Map<String, Object> payload(String command, Object... args) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("command", command);
        payload.put("args", List.of(args));
        return payload;
    }

    private static Map<String, Object> run(CommandProbe probe, Map<String, Object> payload) throws Exception {
        return probe.run(request(payload)).payload();
    }

    private static String refusal(CommandProbe probe, ProbeRequest request) {
        ProbeException e = assertThrows(ProbeException.class, () -> probe.run(request));
        assertTrue("a message for the operator", e.getMessage() != null && !e.getMessage().isBlank());
        return e.getMessage();
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("expected <" + part + "> in: " + text, text.contains(part));
        }
    }

    /** Whether a process exists and is not a zombie (a killed orphan may stay a zombie in a container). */
    private static boolean running(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String text = Files.readString(stat);
                char state = text.charAt(text.lastIndexOf(')') + 2);
                return state != 'Z' && state != 'X';
            } catch (IOException e) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void assertStopsRunning(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (running(pid)) {
            if (System.nanoTime() > deadline) {
                fail("process " + pid + " still runs");
            }
            Thread.sleep(20);
        }
    }

    /** The process ids a shell script wrote to a file, waiting for both lines to appear. */
    private static List<Long> pidsFrom(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (lines.size() >= count) {
                    List<Long> pids = new ArrayList<>();
                    for (String line : lines.subList(0, count)) {
                        pids.add(Long.parseLong(line.trim()));
                    }
                    return pids;
                }
            }
            if (System.nanoTime() > deadline) {
                fail("the script did not write " + count + " process ids to " + file);
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------- running

    @Test
    public void allowedCommandRunsWithItsArguments() throws Exception {
        Map<String, Object> result = run(probe(allow("echo")), payload("echo", "hello", "world"));

        assertEquals(0, result.get("exit_code"));
        assertEquals("hello world\n", result.get("stdout"));
        assertEquals("", result.get("stderr"));
        assertEquals(false, result.get("stdout_truncated"));
        assertEquals(false, result.get("stderr_truncated"));
        assertTrue(result.get("duration_ms") instanceof Long && (Long) result.get("duration_ms") >= 0);
        assertEquals(List.of("exit_code", "stdout", "stderr", "stdout_truncated", "stderr_truncated", "duration_ms"),
                new ArrayList<>(result.keySet()));
    }

    @Test
    public void recordNameIsTheCommandWhenThePayloadHasNone() throws Exception {
        Map<String, Object> payload = new HashMap<>();
        payload.put("args", List.of("from", "name"));

        Map<String, Object> result = probe(allow("echo")).run(request("echo", payload)).payload();

        assertEquals("from name\n", result.get("stdout"));
    }

    @Test
    public void shellMetacharactersArePassedLiterally() throws Exception {
        Path marker = temp.getRoot().toPath().resolve("pwned");
        Map<String, Object> result = run(probe(allow("echo")),
                payload("echo", "$(id)", ";", "x", "`id`", "|", "touch " + marker, "&&", "$HOME", "*"));

        assertEquals("$(id) ; x `id` | touch " + marker + " && $HOME *\n", result.get("stdout"));
        assertFalse("nothing was run by a shell", Files.exists(marker));
    }

    @Test
    public void nonZeroExitIsAResultNotAnError() throws Exception {
        Map<String, Object> result = run(probe(allow("false")), payload("false"));
        assertEquals(1, result.get("exit_code"));

        result = run(probe(allow("sh")), payload("sh", "-c", "echo out; echo oops >&2; exit 3"));
        assertEquals(3, result.get("exit_code"));
        assertEquals("out\n", result.get("stdout"));
        assertEquals("oops\n", result.get("stderr"));
    }

    @Test
    public void stdinIsPassedAndClosed() throws Exception {
        Map<String, Object> payload = payload("cat");
        payload.put("stdin", "line 1\nzwei – ü\n");

        Map<String, Object> result = run(probe(allow("cat")), payload);

        assertEquals(0, result.get("exit_code"));
        assertEquals("line 1\nzwei – ü\n", result.get("stdout"));
    }

    @Test
    public void withoutStdinTheCommandSeesEndOfInput() throws Exception {
        Map<String, Object> payload = payload("cat");
        payload.put("timeout_ms", 10_000);

        Map<String, Object> result = run(probe(allow("cat")), payload);

        assertEquals(0, result.get("exit_code"));
        assertEquals("", result.get("stdout"));
    }

    @Test
    public void largeStdinIsWrittenWhileOutputIsRead() throws Exception {
        String big = "x".repeat(3 * MIB);
        Map<String, Object> payload = payload("cat");
        payload.put("stdin", big);
        payload.put("timeout_ms", 20_000);

        Map<String, Object> result = run(probe(allow("cat")), payload);

        assertEquals(0, result.get("exit_code"));
        assertEquals(MIB, ((String) result.get("stdout")).length());
        assertEquals(true, result.get("stdout_truncated"));
    }

    @Test
    public void outputOverTheLimitIsTruncatedWithoutDeadlock() throws Exception {
        // 2 MiB on each stream, far more than a pipe holds: the process only finishes when both are drained.
        TestPrograms.path("head");
        TestPrograms.path("tr");
        Map<String, Object> payload = payload("sh", "-c",
                "head -c 2097152 /dev/zero | tr '\\0' a; head -c 2097152 /dev/zero | tr '\\0' b >&2; echo done >&2; exit 4");
        payload.put("timeout_ms", 20_000);

        Map<String, Object> result = run(probe(30_000, MIB, "", allow("sh")), payload);

        assertEquals("the process ran to its end", 4, result.get("exit_code"));
        String stdout = (String) result.get("stdout");
        String stderr = (String) result.get("stderr");
        assertEquals(MIB, stdout.length());
        assertTrue(stdout.chars().allMatch(c -> c == 'a'));
        assertEquals(MIB, stderr.length());
        assertTrue(stderr.chars().allMatch(c -> c == 'b'));
        assertEquals(true, result.get("stdout_truncated"));
        assertEquals(true, result.get("stderr_truncated"));
    }

    @Test
    public void outputAtTheLimitIsNotTruncated() throws Exception {
        Map<String, Object> result = run(probe(30_000, 6, "", allow("echo")), payload("echo", "12345"));
        assertEquals("12345\n", result.get("stdout"));
        assertEquals(false, result.get("stdout_truncated"));

        result = run(probe(30_000, 5, "", allow("echo")), payload("echo", "12345"));
        assertEquals("12345", result.get("stdout"));
        assertEquals(true, result.get("stdout_truncated"));
    }

    @Test
    public void environmentHoldsOnlyPath() throws Exception {
        assertNotNull("the test JVM itself has more than PATH", System.getenv("PATH"));

        Map<String, Object> result = run(probe(allow("env")), payload("env"));

        assertEquals(0, result.get("exit_code"));
        assertEquals("PATH=" + CommandExecutor.UNIX_PATH + "\n", result.get("stdout"));
    }

    @Test
    public void runsInTheTempDirectoryOrTheConfiguredOne() throws Exception {
        Map<String, Object> result = run(probe(allow("pwd")), payload("pwd"));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toRealPath() + "\n", result.get("stdout"));

        Path dir = temp.newFolder("work").toPath();
        result = run(probe(60_000, MIB, dir.toString(), allow("pwd")), payload("pwd"));
        assertEquals(dir.toRealPath() + "\n", result.get("stdout"));
    }

    // ---------------------------------------------------------------- timeout and interruption

    @Test
    public void timeoutKillsTheProcessAndItsDescendants() throws Exception {
        Path pids = temp.getRoot().toPath().resolve("pids");
        // The shell starts a background sleep, writes its pid and its own, then waits: two processes to kill.
        TestPrograms.path("sleep");
        Map<String, Object> payload = payload("sh", "-c", "sleep 30 & echo $! > \"$1\"; echo $$ >> \"$1\"; wait", "sh", pids.toString());
        payload.put("timeout_ms", 700);
        CommandProbe probe = probe(allow("sh"));

        long started = System.nanoTime();
        String message = refusal(probe, request(payload));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertContains(message, "'sh'", "did not finish within 700 ms");
        assertTrue("gave up after about the timeout, not after the sleep: " + tookMs + " ms", tookMs < 10_000);
        for (long pid : pidsFrom(pids, 2)) {
            assertStopsRunning(pid);
        }
    }

    @Test
    public void configuredTimeoutIsTheDefault() throws Exception {
        String message = refusal(probe(300, MIB, "", allow("sleep")), request(payload("sleep", "30")));
        assertContains(message, "did not finish within 300 ms");
    }

    @Test
    public void interruptionKillsTheProcessAndPropagates() throws Exception {
        Path pids = temp.getRoot().toPath().resolve("pids");
        TestPrograms.path("sleep");
        Map<String, Object> payload = payload("sh", "-c", "sleep 30 & echo $! > \"$1\"; echo $$ >> \"$1\"; wait", "sh", pids.toString());
        CommandProbe probe = probe(allow("sh"));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                probe.run(request(payload));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        worker.start();

        List<Long> started = pidsFrom(pids, 2);
        worker.interrupt();
        worker.join(10_000);

        assertFalse("the probe returned", worker.isAlive());
        assertTrue("InterruptedException, not " + thrown.get(), thrown.get() instanceof InterruptedException);
        for (long pid : started) {
            assertStopsRunning(pid);
        }
    }

    // ---------------------------------------------------------------- refusals

    @Test
    public void commandNotListedIsRefused() {
        String message = refusal(probe(allow("echo"), "uptime=/usr/bin/uptime"), request(payload("rm", "-rf", "/")));
        assertEquals("command 'rm' is not allowed on this agent; allowed: echo, uptime", message);
    }

    @Test
    public void pathsAndCommandLinesAreNotNames() {
        CommandProbe probe = probe(allow("echo"));
        assertContains(refusal(probe, request(payload("/bin/echo"))), "command '/bin/echo' is not allowed");
        assertContains(refusal(probe, request("echo hi", Map.of())), "command 'echo hi' is not allowed");
    }

    @Test
    public void emptyAllowListRefusesEverything() {
        String message = refusal(probe(), request(payload("echo", "x")));
        assertContains(message, "command 'echo' is not allowed on this agent; allowed: none", "'allowed'", CommandProbe.PID);
    }

    @Test
    public void ignoredEntryIsExplainedInTheRefusal() {
        String message = refusal(probe("echo=bin/echo"), request(payload("echo")));
        assertContains(message, "not allowed", "'echo=bin/echo'", "absolute path", "ignored");
    }

    @Test
    public void missingExecutableIsReported() {
        String message = refusal(probe("ghost=/nonexistent/bin/ghost"), request(payload("ghost")));
        assertContains(message, "'ghost'", "/nonexistent/bin/ghost", "does not exist");
    }

    @Test
    public void nonExecutableFileIsReported() throws Exception {
        Path file = temp.newFile("script").toPath();
        Files.writeString(file, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        String message = refusal(probe("script=" + file), request(payload("script")));
        assertContains(message, "'script'", file.toString(), "may not execute");

        message = refusal(probe("dir=" + temp.getRoot()), request(payload("dir")));
        assertContains(message, "is a directory");
    }

    @Test
    public void executableThatCannotStartIsReported() throws Exception {
        // A script whose interpreter does not exist: the file is there and executable, execve fails.
        Path file = temp.newFile("broken").toPath();
        Files.writeString(file, "#!/nonexistent/interpreter\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));

        String message = refusal(probe("broken=" + file), request(payload("broken")));
        assertContains(message, "'broken'", file.toString(), "could not be started");
    }

    @Test
    public void argumentsMustBeStrings() {
        CommandProbe probe = probe(allow("echo"));
        assertContains(refusal(probe, request(payload("echo", "-n", 5))), "payload.args[1] is the number 5, not a string");
        assertContains(refusal(probe, request(payload("echo", "a", Map.of("b", 1)))), "payload.args[1] is an object");

        Map<String, Object> payload = new HashMap<>();
        payload.put("command", "echo");
        payload.put("args", "-n hello");
        assertContains(refusal(probe, request(payload)), "payload.args must be a list, not the string \"-n hello\"");

        assertContains(refusal(probe, request(payload("echo", "a\0b"))), "payload.args[0] contains a NUL");
    }

    @Test
    public void otherPayloadMistakesAreExplained() {
        CommandProbe probe = probe(5000, MIB, "", allow("echo"));
        assertContains(refusal(probe, request(Map.of())), "No command", "'command'", "'name'");
        assertContains(refusal(probe, request(Map.of("command", 7))), "payload.command must be a string");
        assertContains(refusal(probe, request(Map.of("command", "echo", "timeout_ms", 5001))),
                "payload.timeout_ms is the number 5001", "from 1 to 5000");
        assertContains(refusal(probe, request(Map.of("command", "echo", "timeout_ms", 0))), "payload.timeout_ms");
        assertContains(refusal(probe, request(Map.of("command", "echo", "timeout_ms", 1.5))), "payload.timeout_ms");
        assertContains(refusal(probe, request(Map.of("command", "echo", "stdin", List.of()))), "payload.stdin must be a string");
    }

    @Test
    public void missingWorkingDirectoryIsReported() {
        String message = refusal(probe(60_000, MIB, "/nonexistent/work", allow("echo")), request(payload("echo")));
        assertContains(message, "working.dir '/nonexistent/work'", "does not exist");
    }

    @Test
    public void outOfRangeConfigurationFallsBackOrIsCapped() throws Exception {
        // A negative limit falls back to 1 MiB; a huge one is capped at 20 MiB: both still run.
        Map<String, Object> result = run(probe(-5, -1, "", allow("echo")), payload("echo", "ok"));
        assertEquals("ok\n", result.get("stdout"));
        result = run(probe(60_000, Integer.MAX_VALUE, "", allow("echo")), payload("echo", "ok"));
        assertEquals("ok\n", result.get("stdout"));
    }

    @Test
    public void utf8OutputIsDecoded() throws Exception {
        Map<String, Object> result = run(probe(allow("echo")), payload("echo", "grüße €"));
        assertEquals("grüße €\n", result.get("stdout"));
        assertEquals("grüße €\n".getBytes(StandardCharsets.UTF_8).length, ((String) result.get("stdout")).getBytes(StandardCharsets.UTF_8).length);
    }
}
