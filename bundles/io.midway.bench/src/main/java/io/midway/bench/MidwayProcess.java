package io.midway.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One bin/instance or bin/agent process, output to a log file. */
final class MidwayProcess implements AutoCloseable {

    final String role;
    final Path log;
    final long startedNanos;
    private final Process process;

    private MidwayProcess(String role, Path log, Process process, long startedNanos) {
        this.role = role;
        this.log = log;
        this.process = process;
        this.startedNanos = startedNanos;
    }

    static MidwayProcess start(Path home, String role, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin").resolve(role).toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // MIDWAY_JAVA_OPTS passes through (e.g. to profile with Flight Recorder); the rest is the bench's own
        pb.environment().keySet().removeIf(k -> k.startsWith("MIDWAY_") && !k.equals("MIDWAY_JAVA_OPTS"));
        pb.environment().putAll(env);
        long started = System.nanoTime();
        return new MidwayProcess(role, log, pb.start(), started);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    /** @return the pid of the JVM (the process itself or a java descendant), or -1 */
    long jvmPid() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(process.toHandle()), process.descendants())
                .filter(h -> h.info().command().map(c -> c.equals("java") || c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    /** SIGKILL to the process and its children, like a crash; waits until they are gone. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
