package io.midway.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

/**
 * The Pax Exam configuration of one test framework: the union of the run bundles the
 * {@code distribution} module resolved for the agent and the instance, started in one Felix
 * framework, with the framework properties both read, a fresh data folder and a free HTTP port on
 * 127.0.0.1.
 *
 * <p>Runs in the test driver (the {@code @Configuration} method). The test code inside the
 * framework reads the chosen values back through {@link MidwayFramework}.
 */
public final class MidwayExamOptions {

    /** System property (set by failsafe): comma-separated folders of run bundles. */
    public static final String BUNDLES_PROPERTY = "midway.itests.bundles";
    /** System property (set by failsafe): where each test class gets its fresh data folder. */
    public static final String DATA_ROOT_PROPERTY = "midway.itests.data";

    /** Framework property of the HTTP port (Felix HTTP Jetty). */
    public static final String HTTP_PORT = "org.osgi.service.http.port";
    /** Framework property: the instance's admin password. */
    public static final String ADMIN_PASSWORD = "midway.admin.password";
    /** Framework property: the agent name. */
    public static final String AGENT_NAME = "midway.agent.name";
    /** Framework property: the instance URL the agent connects to. */
    public static final String INSTANCE_URL = "midway.instance.url";
    /** Framework property: the data folder shared by instance and agent. */
    public static final String DATA = "midway.data";

    /** Bundles started at level 1 so that nothing logs before its backend is there. */
    private static final Pattern BOOT_BUNDLES = Pattern.compile(".*(io\\.midway\\.logging|org\\.osgi\\.service\\.log).*");
    private static final int BOOT_START_LEVEL = 1;

    private MidwayExamOptions() {
    }

    /**
     * @param agentName the name the agent registers under
     * @return the options of a framework that runs the instance and an agent connected to it
     */
    public static Option[] agentAndInstance(String agentName) {
        Path data = createTempDir("midway-itest-" + agentName + "-");
        int port = freeLoopbackPort();
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches(true));
        options.add(junitBundles());
        for (Map.Entry<String, Path> jar : runBundles().entrySet()) {
            String uri = jar.getValue().toUri().toString();
            options.add(BOOT_BUNDLES.matcher(jar.getKey()).matches()
                    ? bundle(uri).startLevel(BOOT_START_LEVEL)
                    : bundle(uri));
        }
        for (Map.Entry<String, String> property : frameworkProperties(agentName, data, port).entrySet()) {
            options.add(frameworkProperty(property.getKey()).value(property.getValue()));
        }
        return options.toArray(Option[]::new);
    }

    private static Map<String, String> frameworkProperties(String agentName, Path data, int port) {
        Map<String, String> p = new TreeMap<>();
        // The log (io.midway.logging) goes to <data>/itest.log and to the test's output; the test
        // JVM's own stdout and stderr stay as they are.
        p.put("midway.role", "itest");
        p.put("midway.log.console", "all");
        p.put("midway.log.capture.stdio", "false");
        // HTTP on loopback only, on a port free at class start.
        p.put(HTTP_PORT, Integer.toString(port));
        p.put("org.apache.felix.http.host", "127.0.0.1");
        p.put("org.apache.felix.http.enable", "true");
        p.put("org.apache.felix.https.enable", "false");

        String adminPassword = randomSecret();
        String agentPassword = randomSecret();
        // Instance.
        p.put(DATA, data.toString());
        agentBundleVersion().ifPresent(v -> p.put("midway.version", v));
        p.put(ADMIN_PASSWORD, adminPassword);
        p.put("midway.agent.user", "mid");
        p.put("midway.agent.password", agentPassword);
        p.put("midway.heartbeat.seconds", "2");
        // Agent (same framework, same user and password).
        p.put(INSTANCE_URL, "http://127.0.0.1:" + port);
        p.put(AGENT_NAME, agentName);
        // Config Admin keeps its store in the data folder. The instance's configuration is in it
        // before anything starts, so the agent (which registers as soon as it starts) is
        // auto-validated like in the demo distribution (etc/io.midway.instance.cfg), without a
        // race against FileInstall. Heartbeats every 2 s (above); Down only after 10 s of silence,
        // so that a slow, loaded machine does not make the agent flap.
        Path configStore = data.resolve("config");
        write(configStore.resolve("io/midway/instance.config"), "service.pid=\"io.midway.instance\"\n"
                + "auto.validate=B\"true\"\n"
                + "heartbeat.timeout.seconds=I\"10\"\n");
        p.put("felix.cm.dir", configStore.toString());
        // Web Console.
        p.put("felix.webconsole.username", "admin");
        p.put("felix.webconsole.password", adminPassword);
        // Headless Gogo with a profile (TOOLCHAIN pitfall 5); FileInstall watching an empty folder.
        Path home = data.resolve("home");
        write(home.resolve("etc/gosh_profile"), "# Midway integration tests\nSCOPE = 'mid:gogo:*'\n");
        p.put("gosh.args", "--nointeractive");
        p.put("gosh.home", home.toString());
        p.put("felix.fileinstall.dir", createDir(home.resolve("deploy")).toString());
        p.put("felix.fileinstall.poll", "1000");
        p.put("felix.log.level", "1");
        return p;
    }

    /**
     * @return the run bundles: the union of the folders in {@value #BUNDLES_PROPERTY}, by file
     *     name (the first folder wins), sorted by file name
     */
    static Map<String, Path> runBundles() {
        String folders = System.getProperty(BUNDLES_PROPERTY);
        if (folders == null || folders.isBlank()) {
            throw new IllegalStateException("System property " + BUNDLES_PROPERTY
                    + " is not set: run the tests with Maven (mvn verify), which points it at distribution/target/export");
        }
        Map<String, Path> jars = new TreeMap<>();
        for (String folder : folders.split(",")) {
            Path dir = Path.of(folder.trim());
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException("Run-bundle folder " + dir + " does not exist: build the distribution "
                        + "module first (mvn install -pl distribution -am)");
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                        .forEach(f -> jars.putIfAbsent(f.getFileName().toString(), f.toAbsolutePath()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("No bundles in " + folders);
        }
        return jars;
    }

    /** The agent core's Bundle-Version, so that the instance's version equals it (no upgrade). */
    private static Optional<String> agentBundleVersion() {
        for (Path jar : runBundles().values()) {
            try (JarFile file = new JarFile(jar.toFile())) {
                Attributes attributes = file.getManifest() == null ? null : file.getManifest().getMainAttributes();
                if (attributes != null && "io.midway.agent".equals(attributes.getValue("Bundle-SymbolicName"))) {
                    return Optional.ofNullable(attributes.getValue("Bundle-Version"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jar, e);
            }
        }
        return Optional.empty();
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Path createTempDir(String prefix) {
        try {
            Path base = Path.of(System.getProperty(DATA_ROOT_PROPERTY, "target/itest-data"));
            Files.createDirectories(base);
            return Files.createTempDirectory(base.toAbsolutePath(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data folder", e);
        }
    }

    private static Path createDir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
