package io.midway.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Apache Karaf, the peer the agent is measured against: its distribution from Maven Central
 * (fetched into the local repository by the bench module's build), unpacked, set up with its Web
 * Console and its default deploy folder on free loopback ports and a random console password, and
 * started twice. The first start provisions the {@code webconsole} feature into the local
 * repository (Karaf's own download, a one-time cost); the second, from a fresh {@code data/}
 * folder like the agent's first start, is the one measured: process start until the console
 * answers 200, then the resident set of its JVM after a few idle seconds.
 */
final class KarafPeer {

    /** What a Karaf start measured. */
    record Result(String version, double startMs, double rssMb, double provisionMs) {
    }

    private static final String USER = "bench";

    private KarafPeer() {
    }

    /** @return the Karaf version this build fetched (from the filtered karaf.properties) */
    static String builtVersion() {
        try (InputStream in = KarafPeer.class.getResourceAsStream("karaf.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("karaf.version", "");
            return v.startsWith("$") ? "" : v;
        } catch (IOException e) {
            return "";
        }
    }

    /** @return where {@code mvn install} of the bench module put the Karaf tarball */
    static Path defaultTarball() {
        String v = builtVersion();
        return Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "apache", "karaf", "apache-karaf", v,
                "apache-karaf-" + v + ".tar.gz");
    }

    /**
     * @param tarball an {@code apache-karaf-*.tar.gz}
     * @param work an empty folder to unpack into
     * @param timeout the longest a start may take
     * @param log what Karaf prints, appended
     * @return the figures
     * @throws IOException when Karaf cannot be unpacked or does not come up in time
     * @throws InterruptedException when interrupted
     */
    static Result measure(Path tarball, Path work, Duration timeout, Path log) throws IOException, InterruptedException {
        if (!Files.isRegularFile(tarball)) {
            throw new IOException("Karaf tarball not found at " + tarball + "; run mvn install first or pass --karaf FILE");
        }
        Files.createDirectories(work);
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", work.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IOException("could not unpack " + tarball + " (see " + log + ")");
        }
        Path home;
        try (Stream<Path> s = Files.list(work)) {
            home = s.filter(p -> p.getFileName().toString().startsWith("apache-karaf-")).findFirst()
                    .orElseThrow(() -> new IOException(tarball + " holds no apache-karaf-* folder"));
        }
        String version = home.getFileName().toString().substring("apache-karaf-".length());
        int httpPort = Bench.freePort();
        String password = Bench.secret();
        configure(home, httpPort, password);
        URI console = URI.create("http://127.0.0.1:" + httpPort + "/system/console/bundles");
        String auth = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));

        double provisionMs = start(home, console, auth, timeout, log, null);
        deleteTree(home.resolve("data"));
        double[] rss = new double[1];
        double startMs = start(home, console, auth, timeout, log, rss);
        return new Result(version, startMs, rss[0], provisionMs);
    }

    /** Starts Karaf, waits for its console, optionally reads the RSS after 5 s idle, stops it. */
    private static double start(Path home, URI console, String auth, Duration timeout, Path log, double[] rss)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("EXTRA_JAVA_OPTS");
        long t0 = System.nanoTime();
        Process process = pb.start();
        try {
            long deadline = t0 + timeout.toNanos();
            int polls = 0;
            while (status(console, auth) != 200) {
                if (!process.isAlive()) {
                    throw new IOException("Karaf exited with " + process.exitValue() + " before its console answered (see " + log + ")");
                }
                String failure = ++polls % 60 == 0 ? bootFailure(home) : null;
                if (failure != null) {
                    throw new IOException("Karaf could not install its boot features: " + failure + " (see " + home.resolve("data/log/karaf.log") + ")");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("Karaf's console did not answer at " + console + " within " + timeout.toSeconds() + " s (see " + log + ")");
                }
                Thread.sleep(15);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (rss != null) {
                Thread.sleep(5000);
                rss[0] = rssMb(jvmPid(process));
            }
            return ms;
        } finally {
            stop(process);
        }
    }

    /** @return the first line of Karaf's report that its boot features failed, or null */
    private static String bootFailure(Path home) {
        Path log = home.resolve("data/log/karaf.log");
        try {
            if (!Files.isRegularFile(log)) {
                return null;
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("Error installing boot features")) {
                    return i + 1 < lines.size() ? lines.get(i + 1) : lines.get(i);
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void configure(Path home, int httpPort, String password) throws IOException {
        Path etc = home.resolve("etc");
        // the Web Console (and the HTTP service under it) at boot; the deploy folder is Karaf's default
        Path features = etc.resolve("org.apache.karaf.features.cfg");
        String cfg = Files.readString(features, StandardCharsets.UTF_8);
        String withConsole = cfg.replaceFirst("(featuresBoot\\s*=\\s*\\\\?\\s*)", "$1http, \\\\\n    webconsole, \\\\\n    ");
        if (withConsole.equals(cfg)) {
            throw new IOException("no featuresBoot in " + features);
        }
        Files.writeString(features, withConsole, StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("org.ops4j.pax.web.cfg"), "org.osgi.service.http.port = " + httpPort + "\n"
                + "org.ops4j.pax.web.listening.addresses = 127.0.0.1\n", StandardCharsets.UTF_8);
        // one console user with a random password; no default user is left
        Files.writeString(etc.resolve("users.properties"), USER + " = " + password + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembus\n", StandardCharsets.UTF_8);
        // SSH and JMX/RMI on free loopback ports, away from anything else on the machine
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort\\s*=.*", "sshPort = " + Bench.freePort());
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshHost\\s*=.*", "sshHost = 127.0.0.1");
        replace(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort\\s*=.*", "rmiRegistryPort = " + Bench.freePort());
        replace(etc.resolve("org.apache.karaf.management.cfg"), "rmiServerPort\\s*=.*", "rmiServerPort = " + Bench.freePort());
    }

    private static void replace(Path file, String regex, String line) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String changed = text.replaceFirst("(?m)^" + regex + "$", java.util.regex.Matcher.quoteReplacement(line));
        if (changed.equals(text)) {
            throw new IOException("no line matching " + regex + " in " + file);
        }
        Files.writeString(file, changed, StandardCharsets.UTF_8);
    }

    private static int status(URI uri, String auth) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout(200);
            c.setReadTimeout(5000);
            c.setRequestProperty("Authorization", auth);
            int code = c.getResponseCode();
            try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long jvmPid(Process process) {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .filter(h -> h.info().command().map(c -> c.equals("java") || c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
    }

    static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /** Stops the script and its JVM and waits until both are gone (Karaf refuses to start while its JVM lives). */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> all = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ProcessHandle h : all) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        process.waitFor(10, TimeUnit.SECONDS);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Measures Karaf alone and prints its two lines.
     *
     * @param args an optional tarball path
     * @throws Exception when it cannot run
     */
    public static void main(String[] args) throws Exception {
        Path tarball = args.length > 0 ? Path.of(args[0]) : defaultTarball();
        Path work = Files.createTempDirectory("midway-bench-karaf");
        Result r = measure(tarball, work, Duration.ofMinutes(5), work.resolve("karaf.log"));
        System.out.println("{\"metric\":\"karaf_start_ms\",\"value\":" + Math.round(r.startMs()) + ",\"unit\":\"ms\",\"note\":\"Karaf "
                + r.version() + ", first start of the console " + Math.round(r.provisionMs()) + " ms\"}");
        System.out.println("{\"metric\":\"karaf_rss_mb\",\"value\":" + Math.round(r.rssMb()) + ",\"unit\":\"MiB\"}");
        System.err.println("logs in " + work);
    }
}
