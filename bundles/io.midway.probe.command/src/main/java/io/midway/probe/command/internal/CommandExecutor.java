package io.midway.probe.command.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.probe.ProbeException;

/**
 * Runs one executable with an argument list (no shell), a minimal environment, a time limit and
 * capped output. Standard output and standard error are read concurrently to their end, so a
 * process filling one pipe never blocks; standard input is written from its own thread.
 */
final class CommandExecutor {

    /** The only environment variable a command gets on Unix-like systems. */
    static final String UNIX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Logger LOG = LoggerFactory.getLogger(CommandExecutor.class);

    /** How long to wait for the output pipes to close after a process was killed. */
    private static final long KILL_GRACE_MS = 2000;

    /** The least time given to the pipe readers after the process exited. */
    private static final long OUTPUT_GRACE_MS = 200;

    /** What a finished process left. */
    record Outcome(int exitCode, String stdout, String stderr, boolean stdoutTruncated, boolean stderrTruncated,
            long durationMs) {
    }

    private final int maxOutputBytes;
    private final Path workingDir;

    /**
     * @param maxOutputBytes the most bytes kept of each of standard output and standard error
     * @param workingDir the directory commands run in
     */
    CommandExecutor(int maxOutputBytes, Path workingDir) {
        this.maxOutputBytes = maxOutputBytes;
        this.workingDir = workingDir;
    }

    /**
     * The environment commands run with: {@code PATH} only on Unix-like systems; on Windows
     * also {@code SystemRoot}, {@code SystemDrive}, {@code ComSpec} and {@code PATHEXT} from
     * the agent, without which many Windows programs do not start.
     *
     * @return the variables
     */
    static Map<String, String> minimalEnvironment() {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            Map<String, String> agent = System.getenv();
            return agent.entrySet().stream()
                    .filter(e -> List.of("path", "systemroot", "systemdrive", "comspec", "pathext")
                            .contains(e.getKey().toLowerCase(Locale.ROOT)))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
        return Map.of("PATH", UNIX_PATH);
    }

    /**
     * Runs the executable and waits for it and for the end of its output.
     *
     * @param name the allow-list name, for messages
     * @param executable the absolute path of the executable
     * @param args the arguments, passed as they are
     * @param stdin text for standard input (UTF-8), or {@code null} to close it at once
     * @param timeoutMs how long the process and its output may take
     * @param threadPrefix prefix for the names of the threads that handle the pipes
     * @return the exit code and the output
     * @throws ProbeException when the process cannot start or does not finish in time (it is
     *     then killed with its descendants)
     * @throws InterruptedException when the calling thread is interrupted (the process is killed
     *     with its descendants)
     */
    Outcome run(String name, Path executable, List<String> args, String stdin, long timeoutMs, String threadPrefix)
            throws ProbeException, InterruptedException {
        List<String> commandLine = new ArrayList<>(args.size() + 1);
        commandLine.add(executable.toString());
        commandLine.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(commandLine).directory(workingDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(minimalEnvironment());

        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ProbeException("Command '" + name + "' (" + executable + ") could not be started: " + e.getMessage(), e);
        }
        OutputCapture stdout = OutputCapture.start(process.getInputStream(), maxOutputBytes, threadPrefix + "-stdout");
        OutputCapture stderr = OutputCapture.start(process.getErrorStream(), maxOutputBytes, threadPrefix + "-stderr");
        feed(process, stdin, threadPrefix + "-stdin");

        try {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                destroyTree(process);
                awaitQuietly(stdout, stderr);
                throw new ProbeException("Command '" + name + "' did not finish within " + timeoutMs
                        + " ms and was stopped (with any processes it started). Give a larger payload.timeout_ms "
                        + "(at most the agent's timeout.ms) or check why the command hangs.");
            }
            long deadline = started + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            if (!stdout.awaitEnd(millisLeft(deadline)) || !stderr.awaitEnd(millisLeft(deadline))) {
                throw new ProbeException("Command '" + name + "' exited with code " + process.exitValue()
                        + ", but its output did not finish within " + timeoutMs
                        + " ms: a background process it started still holds standard output or standard error open. "
                        + "Such a process cannot be found and is not stopped; redirect its output to a file.");
            }
        } catch (InterruptedException e) {
            destroyTree(process);
            throw e;
        }
        long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (stdout.failure() != null || stderr.failure() != null) {
            IOException failure = stdout.failure() != null ? stdout.failure() : stderr.failure();
            throw new ProbeException("Command '" + name + "' exited with code " + process.exitValue()
                    + ", but reading its output failed: " + failure.getMessage(), failure);
        }
        return new Outcome(process.exitValue(), stdout.text(), stderr.text(), stdout.truncated(), stderr.truncated(), durationMs);
    }

    /**
     * @return the milliseconds left until {@code deadline}, at least {@link #OUTPUT_GRACE_MS} so that
     *     output a process wrote just before the deadline is still read
     */
    private static long millisLeft(long deadline) {
        return Math.max(OUTPUT_GRACE_MS, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static void feed(Process process, String stdin, String threadName) {
        OutputStream in = process.getOutputStream();
        if (stdin == null || stdin.isEmpty()) {
            closeQuietly(in);
            return;
        }
        byte[] bytes = stdin.getBytes(StandardCharsets.UTF_8);
        Thread writer = new Thread(() -> {
            try (OutputStream out = in) {
                out.write(bytes);
            } catch (IOException e) {
                // The process closed its input or exited without reading it all: not an error of the run.
                LOG.debug("Standard input not fully written ({} bytes): {}", bytes.length, e.getMessage());
            }
        }, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            LOG.debug("Closing standard input failed: {}", e.getMessage());
        }
    }

    /**
     * Kills the process and every descendant it has now. The descendants are listed before the
     * process is killed, while they are still linked to it (an orphan can no longer be found).
     */
    static void destroyTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        process.destroyForcibly();
        for (ProcessHandle descendant : descendants) {
            descendant.destroyForcibly();
        }
        LOG.debug("Killed process {} and {} descendant(s)", process.pid(), descendants.size());
    }

    /** After a kill: gives the pipe readers a moment to see the end, without reacting to interruption. */
    private static void awaitQuietly(OutputCapture... captures) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_GRACE_MS);
        boolean interrupted = false;
        for (OutputCapture capture : captures) {
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                try {
                    capture.awaitEnd(left);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
