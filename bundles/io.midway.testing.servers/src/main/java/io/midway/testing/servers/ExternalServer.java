package io.midway.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real server process started from the machine's binaries for a test: its own temporary folder,
 * its log in that folder, and {@link #close()} stops the process tree and removes the folder.
 */
public abstract class ExternalServer implements AutoCloseable {

    /** The loopback address every test server listens on. */
    public static final String HOST = "127.0.0.1";

    private final String name;
    private final Path folder;
    private final Path log;
    private Process process;

    /**
     * @param name a short name for messages, e.g. {@code PostgreSQL}
     * @throws UncheckedIOException when the temporary folder cannot be made
     */
    protected ExternalServer(String name) {
        this.name = name;
        try {
            this.folder = Files.createTempDirectory("midway-" + name.toLowerCase().replaceAll("[^a-z0-9]", "") + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.log = folder.resolve("server.log");
    }

    /** @return the server's own temporary folder */
    public Path folder() {
        return folder;
    }

    /** @return the file the server's standard output and error go to */
    public Path log() {
        return log;
    }

    /**
     * Finds a program of the tests' list ({@link TestPrograms}, {@code .ci/test-programs.txt}).
     *
     * @param program the file name, e.g. {@code sshd}
     * @return the program's absolute path
     * @throws IllegalStateException when it is not installed, naming the Debian package to install
     * @throws IllegalArgumentException when the program is not in the list
     */
    public static Path binary(String program) {
        return TestPrograms.path(program);
    }

    /** @return whether this JVM runs as root (uid 0) */
    public static boolean runningAsRoot() {
        try {
            Object uid = Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** @return a TCP port on 127.0.0.1 that was free a moment ago */
    public static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a UDP port on 127.0.0.1 that was free a moment ago */
    public static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(HOST, 0))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a command to completion (for set-up steps such as {@code initdb} or {@code ssh-keygen}).
     *
     * @param timeout how long it may take
     * @param command the command
     * @return its output (standard output and error together)
     * @throws IllegalStateException when it fails or takes too long, with its output
     */
    protected String runToCompletion(Duration timeout, List<String> command) {
        try {
            Path output = Files.createTempFile(folder, "step-", ".log");
            Process step = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!step.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                step.destroyForcibly();
                throw new IllegalStateException(name + " set-up step " + command + " took longer than " + timeout + ":\n" + read(output));
            }
            String text = read(output);
            if (step.exitValue() != 0) {
                throw new IllegalStateException(name + " set-up step " + command + " failed with exit code " + step.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Starts the server process; its output goes to {@link #log()}.
     *
     * @param command the command
     */
    protected void startProcess(List<String> command) {
        try {
            process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " (" + command + "): " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the condition holds, failing with the server's log when it does not in time or the
     * process ends.
     *
     * @param timeout how long to wait
     * @param what what is awaited, for the message
     * @param ready the condition
     */
    protected void awaitReady(Duration timeout, String what, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(name + " ended with exit code " + process.exitValue() + " before " + what + ":\n" + logText());
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException(name + " did not reach '" + what + "' within " + timeout + ":\n" + logText());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * @param port a TCP port on 127.0.0.1
     * @return whether something accepts connections there
     */
    protected static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the server's log so far, for failure messages */
    public String logText() {
        return Files.exists(log) ? read(log) : "(no log)";
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** Stops the server (its whole process tree) and removes its folder. */
    @Override
    public void close() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        deleteFolder();
    }

    private void deleteFolder() {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
