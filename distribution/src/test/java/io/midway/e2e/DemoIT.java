package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import io.midway.testing.servers.TestPrograms;

/**
 * The README's first command as a user runs it, from the release tarball: unpack
 * {@code target/midway-<version>.tar.gz} into a fresh folder and run {@code bin/demo --once} there,
 * on free ports ({@code MIDWAY_HTTPS_PORT}, {@code MIDWAY_AGENT_HTTP_PORT}); the demo's data stays in
 * that folder. It prints the agent Up and a processed TCPScan result, exits 0, and leaves neither
 * the instance nor the agent running.
 */
public class DemoIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @Rule
    public final Timeout perTestLimit = Timeout.seconds(300);

    private final Map<Long, ProcessHandle> children = new ConcurrentHashMap<>();
    private final Map<Long, String> commands = new ConcurrentHashMap<>();
    private Path work;
    private Process demo;

    @After
    public void cleanUp() throws Exception {
        if (demo != null && demo.isAlive()) {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        children.values().forEach(ProcessHandle::destroyForcibly);
        if (work != null) {
            try (Stream<Path> walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void demoOnceFromTheTarballScansAndStopsBothProcesses() throws Exception {
        Path tarball = tarball();
        work = TestFolders.temporary("midway-demo");
        Process untar = new ProcessBuilder(TestPrograms.path("tar").toString(), "-xzf", tarball.toString(), "-C", work.toString())
                .redirectErrorStream(true).start();
        String untarOutput = new String(untar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("tar finished", untar.waitFor(120, TimeUnit.SECONDS));
        assertEquals("tar -xzf " + tarball + ": " + untarOutput, 0, untar.exitValue());
        String folder = tarball.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        Path home = work.resolve(folder);
        Path bin = home.resolve("bin/demo");
        assertTrue("the tarball holds " + folder + "/bin/demo, executable", Files.isExecutable(bin));

        int instancePort = Ports.free();
        int agentPort = Ports.free();
        Path output = work.resolve("demo.out");
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "--once").directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("MIDWAY_"));
        pb.environment().put("MIDWAY_HTTPS_PORT", Integer.toString(instancePort));
        pb.environment().put("MIDWAY_AGENT_HTTP_PORT", Integer.toString(agentPort));
        demo = pb.start();

        // Note every process the demo starts (the instance's and the agent's JVMs), to check they are gone after.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (demo.isAlive() && System.nanoTime() < deadline) {
            demo.descendants().forEach(h -> {
                children.put(h.pid(), h);
                h.info().command().ifPresent(c -> commands.put(h.pid(), c));
            });
            demo.waitFor(200, TimeUnit.MILLISECONDS);
        }
        if (demo.isAlive()) {
            fail("bin/demo --once did not end within 4 minutes; it printed:\n" + withoutPasswords(read(output), home));
        }
        String printed = withoutPasswords(read(output), home);
        assertEquals("exit code of bin/demo --once; it printed:\n" + printed, 0, demo.exitValue());

        // What the user sees: the instance on the chosen port, the agent Up, the scan's result.
        // HTTPS by default, with the certificate the instance made, which the agent and the demo trust.
        assertTrue(printed, printed.contains("==> Starting the instance simulator on https://localhost:" + instancePort));
        assertTrue(printed, printed.contains("curl --cacert " + home.resolve("data/instance/tls/instance.crt")));
        assertTrue(printed, Pattern.compile("(?m)^==> Agent '[^']+' is Up$").matcher(printed).find());
        Matcher queued = Pattern.compile("==> Queueing TCPScan of 127\\.0\\.0\\.1 ports (\\d+) \\(opened by the demo\\), "
                + instancePort + " \\(the instance\\), (\\d+) \\(closed\\)").matcher(printed);
        assertTrue(printed, queued.find());
        Matcher result = Pattern.compile("(?m)^==> Result \\(processed\\): (.*)$").matcher(printed);
        assertTrue("a processed TCPScan result:\n" + printed, result.find());
        String scan = result.group(1);
        assertTrue(scan, scan.contains("\"host\":\"127.0.0.1\""));
        assertTrue("the port the demo opened and the instance's are open: " + scan,
                scan.matches(".*\"open\":\\[(" + queued.group(1) + "," + instancePort + "|" + instancePort + "," + queued.group(1) + ")\\].*"));
        assertTrue("the closed port is closed: " + scan, scan.contains("\"closed\":[" + queued.group(2) + "]"));
        assertTrue(printed, printed.contains("agent console     http://localhost:" + agentPort + "/system/console/midway"));

        // Its data stays in the unpacked folder.
        assertTrue(Files.isRegularFile(home.resolve("data/instance/admin.password")));
        assertTrue(Files.isDirectory(home.resolve("data/agent")));
        assertTrue(Files.isRegularFile(home.resolve("data/logs/agent.log")));

        // Both processes are gone, and nothing answers on their ports.
        List<String> alive = new ArrayList<>();
        for (ProcessHandle child : children.values()) {
            if (child.isAlive()) {
                alive.add(child.pid() + " " + commands.getOrDefault(child.pid(), "?"));
            }
        }
        assertEquals("processes of the demo still running after it exited", List.of(), alive);
        long jvms = commands.values().stream().filter(c -> c.endsWith("/java")).count();
        assertTrue("the demo started the instance's and the agent's JVMs: " + commands, jvms >= 2);
        assertFalse("nothing listens on the instance's port " + instancePort, listening(instancePort));
        assertFalse("nothing listens on the agent's port " + agentPort, listening(agentPort));
    }

    /** @return the one {@code target/midway-<version>.tar.gz} of this build */
    private static Path tarball() throws IOException {
        Path target = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath().getParent();
        List<Path> found;
        try (Stream<Path> s = Files.list(target)) {
            found = s.filter(p -> p.getFileName().toString().matches("midway-.+\\.tar\\.gz")).toList();
        }
        assertEquals("one release tarball in " + target + " (mvn package builds it)", 1, found.size());
        return found.get(0);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The demo prints the generated passwords for its user; a test message shows them masked. */
    private static String withoutPasswords(String printed, Path home) throws IOException {
        String shown = printed;
        for (String name : List.of("admin.password", "agent.password")) {
            Path file = home.resolve("data/instance").resolve(name);
            if (Files.isRegularFile(file)) {
                String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!secret.isEmpty()) {
                    shown = shown.replace(secret, "********");
                }
            }
        }
        return shown;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(no output)";
    }
}
