package io.midway.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.midway.testing.servers.TestPrograms;

/**
 * One bin/instance or bin/agent process of a distribution folder, as a user starts it, with its
 * output captured to a log file the test can read.
 */
final class MidwayProcess implements AutoCloseable {

    final String role;
    final Path log;
    private final Process process;

    private MidwayProcess(String role, Path log, Process process) {
        this.role = role;
        this.log = log;
        this.process = process;
    }

    /**
     * @param dist the distribution folder
     * @param role instance or agent
     * @param env environment additions
     * @param log where stdout and stderr go
     * @param terminal run under script(1) so the process has a terminal and Gogo offers a prompt
     */
    static MidwayProcess start(Path dist, String role, Map<String, String> env, Path log, boolean terminal)
            throws IOException {
        List<String> command = new ArrayList<>();
        String bin = dist.resolve("bin").resolve(role).toString();
        if (terminal) {
            command.addAll(List.of(TestPrograms.path("script").toString(), "-qfec", bin, "/dev/null"));
        } else {
            command.add(bin);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (!terminal) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        pb.environment().keySet().removeIf(k -> k.startsWith("MIDWAY_"));
        // A test run by systemd must not make its agents look supervised (SystemCommand restart mode process).
        pb.environment().remove("INVOCATION_ID");
        pb.environment().putAll(env);
        if ("instance".equals(role) && env.containsKey("MIDWAY_HTTP_PORT") && !env.containsKey("MIDWAY_HTTPS_PORT")) {
            // Tests that talk plain HTTP on loopback (which MIDWAY_HTTP_PORT turns on) do not need
            // the HTTPS default, nor its port 8443, which tests running side by side would share.
            pb.environment().put("MIDWAY_HTTPS_PORT", "off");
        }
        return new MidwayProcess(role, log, pb.start());
    }

    /** The Gogo prompt of the agent's terminal. */
    static final String PROMPT = "midway>";
    private static final java.util.regex.Pattern ANSI = java.util.regex.Pattern.compile("\u001B\\[[;?0-9]*[a-zA-Z]");

    /**
     * Types a shell command into the process's terminal and waits until it has finished (the shell
     * prompts again) and what it printed satisfies {@code done}.
     *
     * @return the lines printed after the command was typed, without terminal escapes
     */
    List<String> shell(String command, java.util.function.Predicate<String> done, Duration timeout) throws Exception {
        int from = output().length();
        type(command);
        String[] printed = new String[1];
        Wait.until(timeout, "the output of " + command, () -> {
            String out = output();
            String after = ANSI.matcher(out.substring(Math.min(from, out.length()))).replaceAll("");
            int at = after.indexOf(command);
            printed[0] = at < 0 ? after : after.substring(at + command.length());
            int prompt = printed[0].indexOf(PROMPT);
            return prompt >= 0 && done.test(printed[0].substring(0, prompt));
        }, this);
        String output = printed[0].substring(0, printed[0].indexOf(PROMPT));
        return new ArrayList<>(List.of(output.split("\r?\n|\r")));
    }

    /** Types a line into the process's terminal (only for terminal processes). */
    void type(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * @return the pid of the JVM this process runs (the process itself, or under script(1) its
     *     {@code java} descendant), or -1 when there is none
     */
    long jvmPid() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(process.toHandle()), process.descendants())
                .filter(h -> h.info().command().map(c -> c.equals("java") || c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    /**
     * Waits for the process to end by itself.
     *
     * @param timeout how long to wait
     * @return its exit status
     * @throws AssertionError when it is still running after the timeout
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(role + " still runs after " + timeout.toSeconds() + " s");
        }
        return process.exitValue();
    }

    /** SIGKILL: the process and its children die without any clean-up, like a crash. */
    void kill() throws InterruptedException {
        // the JVM first, as a crash would: a child it runs (a probe's command) that died first would
        // be answered by the still-living agent (exit 137) before the kill reached it
        long jvm = jvmPid();
        if (jvm > 0) {
            ProcessHandle.of(jvm).ifPresent(h -> {
                h.destroyForcibly();
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // reaped below with the rest
                }
            });
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Ctrl-C or a service manager would; waits for a clean stop. */
    int stop(Duration timeout) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            return -1;
        }
        // script(1) may end before the JVM it ran: wait for that too, so that a restart does not
        // meet the old process's port or bundle cache.
        for (ProcessHandle child : children) {
            try {
                child.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                child.destroyForcibly();
            }
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(20));
        }
    }
}
