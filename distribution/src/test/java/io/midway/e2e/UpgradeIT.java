package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.jars.TestJars;

/**
 * Upgrading the agent core in place, on the real distribution: cores published to bin/instance
 * with {@code POST /api/mid/admin/upgrade} are taken up by a running bin/agent (started in a
 * terminal, from a private copy of the distribution) inside the same JVM, under load, without
 * losing or repeating work; the new core survives a restart without a new download; a core that
 * does not resolve is rolled back once and not retried; a pin holds an agent, and publishing an
 * older core takes it back. The steps build on each other and run in name order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpgradeIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final Duration STARTUP = Duration.ofSeconds(90);
    /** Publishing a core to the agent Up on it: wake, journal, download, update, reconnect. */
    private static final Duration UPGRADE = Duration.ofSeconds(60);
    private static final String AGENT = "e2e-upgrade";
    private static final String CORE_BSN = "io.midway.agent";
    private static final String UPGRADE_API = "/api/mid/admin/upgrade";
    private static final int STANDARD_THREADS = 2;

    static Path work;
    static Path copy;
    static Path jars;
    static Path originalCore;
    /** The built core's version, and three versions above it (the brief's 0.1.1, 0.1.2, 0.1.3). */
    static String base;
    static String v1;
    static String v2;
    static String v3;
    static String v1Sha;
    static String v2Sha;
    static int instancePort;
    static int agentPort;
    static String adminPassword;
    static String agentPassword;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static int agentStarts;
    static Http admin;
    static InstanceWatch watch;
    static Http anonymous;
    static Http console;
    static boolean upgraded;

    @BeforeClass
    public static void startInstanceAndAgent() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        assertTrue("distribution not built at " + dist, Files.isExecutable(dist.resolve("bin/instance")));
        work = TestFolders.temporary("midway-e2e-upgrade");
        jars = Files.createDirectories(work.resolve("jars"));
        try (Stream<Path> s = Files.list(dist.resolve("system/agent"))) {
            Path shipped = s.filter(p -> p.getFileName().toString().matches("io\\.midway\\.agent-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no io.midway.agent-*.jar in " + dist + "/system/agent"));
            originalCore = Files.copy(shipped, jars.resolve("core-original.jar"));
        }
        base = bundleVersion(originalCore);
        String[] parts = base.split("\\.");
        int micro = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        String prefix = parts[0] + "." + (parts.length > 1 ? parts[1] : "0") + ".";
        v1 = prefix + (micro + 1);
        v2 = prefix + (micro + 2);
        v3 = prefix + (micro + 3);
        copy = copyDistribution(dist, work.resolve("dist"));
        // A small standard pool, so that slow work queues up in the agent and an upgrade meets
        // work that is running and work that is queued but not started (the journal).
        Path agentCfg = copy.resolve("etc/io.midway.agent.cfg");
        Files.writeString(agentCfg, Files.readString(agentCfg).replaceAll("(?m)^threads\\.standard\\s*=.*$",
                "threads.standard = " + STANDARD_THREADS));

        adminPassword = randomSecret();
        agentPassword = randomSecret();
        instancePort = Ports.free();
        agentPort = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        instance = MidwayProcess.start(dist, "instance", env, work.resolve("instance.log"), false);
        anonymous = new Http("http://127.0.0.1:" + instancePort, null, null);
        Wait.until(STARTUP, "instance_info", () -> anonymous.get("/api/mid/instance_info").statusCode() == 200, instance);
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        watch = new InstanceWatch(admin, AGENT);
        console = new Http("http://127.0.0.1:" + agentPort, "admin", adminPassword);

        agent = startAgent();
        awaitAgent(STARTUP, base);
    }

    @AfterClass
    public static void stopAll() throws Exception {
        for (MidwayProcess p : new MidwayProcess[] {agent, instance}) {
            if (p != null) {
                p.close();
            }
        }
        // The logs and data folders stay for a look after a failure; the distribution copy goes.
        if (copy != null) {
            deleteTree(copy);
        }
    }

    @Test
    public void t0_instanceRefusesAJarThatIsNoAgentCore() throws Exception {
        assertEquals("before any upload the instance version is the built one", base,
                anonymous.json("/api/mid/instance_info").path("version").asText());
        String echo = System.getProperty("midway.echo.jar");
        assertTrue("system property midway.echo.jar names the echo fixture jar (set by failsafe): " + echo,
                echo != null && Files.isRegularFile(Path.of(echo)));
        HttpResponse<String> notCore = admin.sendBytes("POST", UPGRADE_API, Files.readAllBytes(Path.of(echo)),
                "application/java-archive");
        assertEquals(notCore.body(), 400, notCore.statusCode());
        assertTrue("the reason names the symbolic name: " + notCore.body(),
                notCore.body().contains(CORE_BSN) || notCore.body().contains("io.midway.testing.echo"));
        HttpResponse<String> corrupt = admin.sendBytes("POST", UPGRADE_API,
                Files.readAllBytes(TestJars.corrupt(jars.resolve("corrupt.jar"))), "application/java-archive");
        assertEquals(corrupt.body(), 400, corrupt.statusCode());
        assertFalse(corrupt.body().contains("at io.midway"));
        assertEquals("refused uploads change nothing", base, anonymous.json("/api/mid/instance_info").path("version").asText());
        assertEquals(403, new Http("http://127.0.0.1:" + instancePort, "mid", agentPassword)
                .sendBytes("POST", UPGRADE_API, Files.readAllBytes(originalCore), "application/java-archive").statusCode());
    }

    @Test
    public void t1_upgradeUnderLoadLosesAndRepeatsNothingInTheSameJvm() throws Exception {
        long jvm = agent.jvmPid();
        assertTrue("the agent's JVM is found among its processes", jvm > 0);
        Path newCore = TestJars.withVersion(originalCore, jars.resolve("core-" + v1 + ".jar"), v1);
        v1Sha = TestJars.sha256(newCore);
        long since = watch.lastEventSeq();

        List<String> outputs;
        List<String> slow = new ArrayList<>();
        try (Load load = new Load(); Tarpit tarpit = new Tarpit()) {
            load.awaitInserted(20);
            // Slow records (a port that never answers, 1.5 s each) fill the standard pool, so that
            // the upgrade meets running work and work queued behind it.
            for (int i = 0; i < 3 * STANDARD_THREADS; i++) {
                slow.add(insertScan(tarpit.port(), 1500));
            }
            Wait.until(Duration.ofSeconds(20), "the slow records taken by the agent",
                    () -> stateOf(slow.get(0)).equals("processing") && stateOf(slow.get(1)).equals("processing"), instance, agent);
            publish(newCore, v1);
            JsonNode info = anonymous.json("/api/mid/instance_info");
            assertEquals(info.toString(), v1, info.path("version").asText());
            assertEquals(info.toString(), v1Sha, info.path("core").path("sha256").asText());

            awaitAgent(UPGRADE, v1);
            upgraded = true;
            // Some load after the upgrade too.
            int after = load.inserted() + 20;
            load.awaitInserted(after);
            outputs = new ArrayList<>(load.stop());
        }
        outputs.addAll(slow);
        assertTrue("load ran before, during and after: " + outputs.size() + " records", outputs.size() >= 40 + slow.size());

        // Every output is answered and processed, by exactly one input.
        Wait.until(Duration.ofSeconds(60), "all " + outputs.size() + " TCPScan outputs processed", () -> {
            JsonNode all = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=output^topic=TCPScan^agent=mid.server."
                    + AGENT + "&sysparm_fields=sys_id,state").path("result");
            Map<String, String> states = new HashMap<>();
            for (JsonNode r : all) {
                states.put(r.path("sys_id").asText(), r.path("state").asText());
            }
            return outputs.stream().allMatch(id -> "processed".equals(states.get(id)));
        }, instance, agent);
        for (String id : outputs) {
            JsonNode inputs = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id).path("result");
            assertEquals("exactly one input answers output " + id + ": " + inputs, 1, inputs.size());
            assertEquals("input " + inputs.get(0), "processed", inputs.get(0).path("state").asText());
        }

        List<String> names = watch.agentEventNames(since);
        int upgrading = names.indexOf("mid_server.upgrading");
        assertTrue("event mid_server.upgrading for " + AGENT + ": " + names, upgrading >= 0);
        assertTrue("event mid_server.up after mid_server.upgrading: " + names,
                names.subList(upgrading, names.size()).contains("mid_server.up"));
        assertFalse("no failure: " + names, names.contains("mid_server.upgrade_failed"));

        assertTrue("the agent process still runs", agent.isAlive());
        assertEquals("the same JVM (no restart)", jvm, agent.jvmPid());
        assertEquals("the Web Console answers right after", 200, console.get("/system/console/bundles").statusCode());
        assertEquals("the framework runs the new core", v1 + " Active", runningCore());
        assertEquals("the agent fetched the core once", 1, watch.downloads(v1Sha));
        assertFalse(agent.output().contains(agentPassword));
        // the new core activates once: its runtime starts once (a static greedy reference to a
        // service of its own bundle once made SCR build it twice, and the pause twice as long)
        String log = Files.readString(work.resolve("agent").resolve("agent.log"));
        long starts = log.lines().filter(l -> l.contains("Agent '" + AGENT + "' " + v1 + " starting: ")).count();
        assertEquals("the new core's runtime started once", 1, starts);
    }

    @Test
    public void t2_restartedAgentRunsTheNewCoreWithoutDownloadingItAgain() throws Exception {
        assertTrue("step 1 upgraded", upgraded);
        long downloads = watch.downloads(v1Sha);
        long since = watch.lastEventSeq();
        int exit = agent.stop(Duration.ofSeconds(30));
        assertTrue("the agent stops cleanly on SIGTERM (exit " + exit + ")", exit == 0 || exit == 143);
        agent = startAgent();
        Wait.until(STARTUP, "the restarted agent's Web Console showing core " + v1,
                () -> (v1 + " Active").equals(runningCore()), instance, agent);
        awaitAgent(STARTUP, v1);
        // A record answered proves the agent polled (and so compared its core with the instance).
        scanAnswered();
        assertEquals("the new core ran again from the bundle cache: nothing downloaded", downloads, watch.downloads(v1Sha));
        List<String> names = watch.agentEventNames(since);
        assertFalse("no upgrade after the restart: " + names, names.contains("mid_server.upgrading"));
        assertEquals(v1, agentRecord().path("version").asText());
    }

    @Test
    public void t3_coreThatDoesNotResolveIsRolledBackOnceAndNotRetried() throws Exception {
        assertTrue("step 1 upgraded", upgraded);
        Path broken = TestJars.unresolvable(originalCore, jars.resolve("core-" + v2 + "-unresolvable.jar"), v2);
        v2Sha = TestJars.sha256(broken);
        long since = watch.lastEventSeq();
        long jvm = agent.jvmPid();
        publish(broken, v2);

        AtomicReference<JsonNode> failed = new AtomicReference<>();
        Wait.until(UPGRADE, "event mid_server.upgrade_failed for " + AGENT, () -> {
            for (JsonNode e : watch.events(since)) {
                if ("mid_server.upgrade_failed".equals(e.path("name").asText()) && AGENT.equals(e.path("agent").asText())) {
                    failed.set(e);
                    return true;
                }
            }
            return false;
        }, instance, agent);
        String detail = failed.get().path("detail").asText();
        assertTrue("the failure names the version " + v2 + ": " + detail, detail.contains(v2));
        assertTrue("the failure names the reason (the core does not resolve): " + detail,
                detail.contains("io.midway.testing.nowhere") || detail.toLowerCase(Locale.ROOT).contains("resolv"));
        awaitAgent(UPGRADE, v1);
        assertEquals("the old core runs again", v1 + " Active", runningCore());
        assertEquals("the same JVM (no restart)", jvm, agent.jvmPid());

        // The next ~10 s, with polls answered all along (each record ends a long poll): no retry.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            scanAnswered();
        }
        List<String> names = watch.agentEventNames(since);
        assertEquals("one upgrade_failed for " + v2 + ", no loop: " + names, 1,
                names.stream().filter("mid_server.upgrade_failed"::equals).count());
        assertEquals("one attempt: " + names, 1, names.stream().filter("mid_server.upgrading"::equals).count());
        assertEquals("the broken core was fetched once", 1, watch.downloads(v2Sha));
        assertEquals("Up", agentRecord().path("status").asText());
        assertEquals(v1, agentRecord().path("version").asText());
    }

    @Test
    public void t4_pinHoldsTheAgentAndAnOlderCoreTakesItBack() throws Exception {
        assertTrue("step 1 upgraded", upgraded);
        String sysId = agentRecord().path("sys_id").asText();
        HttpResponse<String> pin = admin.send("PATCH", "/api/now/table/ecc_agent/" + sysId, "{\"pinned_version\":\"" + v1 + "\"}");
        assertEquals(pin.body(), 200, pin.statusCode());
        assertEquals(v1, agentRecord().path("pinned_version").asText());

        Path next = TestJars.withVersion(originalCore, jars.resolve("core-" + v3 + ".jar"), v3);
        String v3Sha = TestJars.sha256(next);
        long since = watch.lastEventSeq();
        publish(next, v3);
        // A few polls answered with instance version v3 and the pin v1.
        for (int i = 0; i < 5; i++) {
            scanAnswered();
        }
        assertEquals("pinned: still on " + v1, v1 + " Active", runningCore());
        assertEquals(v1, agentRecord().path("version").asText());
        assertEquals("pinned: the new core is not fetched", 0, watch.downloads(v3Sha));
        assertFalse("pinned: no upgrade", watch.agentEventNames(since).contains("mid_server.upgrading"));

        HttpResponse<String> unpin = admin.send("PATCH", "/api/now/table/ecc_agent/" + sysId, "{\"pinned_version\":null}");
        assertEquals(unpin.body(), 200, unpin.statusCode());
        JsonNode pinned = agentRecord().path("pinned_version");
        assertTrue("unpinned: " + pinned, pinned.isNull() || pinned.isMissingNode() || pinned.asText().isEmpty());
        awaitAgent(UPGRADE, v3);
        assertEquals(v3 + " Active", runningCore());

        // Publishing the original (older) core takes the instance, and the agent, back.
        long back = watch.lastEventSeq();
        publish(originalCore, base);
        assertEquals("the instance version goes back", base, anonymous.json("/api/mid/instance_info").path("version").asText());
        awaitAgent(UPGRADE, base);
        assertEquals("downgraded", base + " Active", runningCore());
        List<String> names = watch.agentEventNames(back);
        assertTrue("the downgrade is an upgrade like any other: " + names,
                names.contains("mid_server.upgrading") && names.contains("mid_server.up"));
        JsonNode status = admin.json(UPGRADE_API).path("result");
        assertEquals(status.toString(), base, status.path("version").asText());
        assertEquals("every published core is kept: " + status, 4, status.path("cores").size());
    }

    @Test
    public void t5_shellShowsVersionsAndTheHistory() throws Exception {
        assertTrue("step 1 upgraded", upgraded);
        String text = String.join("\n", shell("mid:upgrade", out -> out.contains(v3)));
        assertTrue("mid:upgrade shows the running version " + base + ":\n" + text, text.contains(base));
        assertTrue("mid:upgrade shows the target:\n" + text, text.toLowerCase(Locale.ROOT).contains("target"));
        for (String v : List.of(v1, v2, v3)) {
            assertTrue("the history names " + v + ":\n" + text, text.contains(v));
        }
        assertTrue("the history shows upgrades:\n" + text, text.contains("upgraded"));
        assertTrue("the history shows the rollback:\n" + text,
                text.contains("rolled_back") || text.toLowerCase(Locale.ROOT).contains("rolled back"));
        assertFalse(text, text.contains("Exception"));

        String check = String.join("\n", shell("mid:upgrade check", out -> !out.isBlank()));
        assertTrue("mid:upgrade check says what happens (on " + base + " already):\n" + check, check.contains(base));
        assertFalse(check, check.contains("Exception") || check.contains("not found"));
    }

    // --- helpers -------------------------------------------------------------------------------

    /** Inserts a TCPScan record of a closed loopback port every ~50 ms, from its own thread. */
    static final class Load implements AutoCloseable {
        private final List<String> ids = Collections.synchronizedList(new ArrayList<>());
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean running = true;
        private final int closedPort;

        Load() throws IOException {
            closedPort = Ports.free();
            thread = new Thread(this::run, "e2e-upgrade-load");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (running) {
                try {
                    ids.add(insertScan(closedPort, 200));
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception | AssertionError e) {
                    failure.compareAndSet(null, e instanceof Exception ex ? ex : new IOException(e));
                    return;
                }
            }
        }

        int inserted() {
            return ids.size();
        }

        void awaitInserted(int n) throws Exception {
            Wait.until(Duration.ofSeconds(30), n + " records inserted", () -> {
                if (failure.get() != null) {
                    throw new AssertionError("inserting failed", failure.get());
                }
                return ids.size() >= n;
            }, instance, agent);
        }

        List<String> stop() throws Exception {
            running = false;
            thread.join(10_000);
            if (failure.get() != null) {
                throw new AssertionError("inserting failed", failure.get());
            }
            synchronized (ids) {
                return new ArrayList<>(ids);
            }
        }

        @Override
        public void close() {
            running = false;
        }
    }

    static MidwayProcess startAgent() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        env.put("MIDWAY_AGENT_NAME", AGENT);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(agentPort));
        env.put("MIDWAY_DATA", work.resolve("agent").toString());
        env.put("MIDWAY_UPGRADE_HEALTH_SECONDS", "30");
        agentStarts++;
        return MidwayProcess.start(copy, "agent", env, work.resolve("agent-" + agentStarts + ".log"), true);
    }

    /** Waits until ecc_agent shows the agent Up, validated, on that core version. */
    static void awaitAgent(Duration timeout, String version) throws Exception {
        Wait.until(timeout, "agent " + AGENT + " Up on " + version, () -> {
            JsonNode a = agentRecord();
            return a != null && "Up".equals(a.path("status").asText()) && a.path("validated").asBoolean()
                    && version.equals(a.path("version").asText());
        }, instance, agent);
    }

    /** Publishes a core; checks the 201 reply. */
    static void publish(Path jar, String version) throws Exception {
        HttpResponse<String> r = admin.sendBytes("POST", UPGRADE_API, Files.readAllBytes(jar), "application/java-archive");
        assertEquals(r.body(), 201, r.statusCode());
        JsonNode result = Http.parse(r).path("result");
        assertEquals(result.toString(), CORE_BSN, result.path("symbolic_name").asText());
        assertEquals(result.toString(), version, result.path("version").asText());
        assertEquals(result.toString(), TestJars.sha256(jar), result.path("sha256").asText());
        assertEquals(result.toString(), Files.size(jar), result.path("size").asLong());
    }

    /** The core bundle as the agent's framework has it: "version State", from the Web Console. */
    static String runningCore() throws Exception {
        for (JsonNode b : console.json("/system/console/bundles.json").path("data")) {
            if (CORE_BSN.equals(b.path("symbolicName").asText())) {
                return b.path("version").asText() + " " + b.path("state").asText();
            }
        }
        return "none";
    }

    /** A loopback port that never completes a connection: its accept queue is full. */
    static final class Tarpit implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final List<java.net.Socket> fill = new ArrayList<>();

        Tarpit() throws IOException {
            server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
            // Never accepted: once the queue is full, further connects hang until their timeout.
            for (int i = 0; i < 4; i++) {
                java.net.Socket s = new java.net.Socket();
                try {
                    s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort()), 300);
                    fill.add(s);
                } catch (java.net.SocketTimeoutException full) {
                    s.close();
                    return;
                }
            }
            throw new IllegalStateException("the accept queue of port " + server.getLocalPort() + " does not fill up");
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (java.net.Socket s : fill) {
                s.close();
            }
            server.close();
        }
    }

    static String stateOf(String sysId) throws Exception {
        return admin.json("/api/now/table/ecc_queue/" + sysId).path("result").path("state").asText();
    }

    static String insertScan(int port, int timeoutMs) throws Exception {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("agent", "mid.server." + AGENT);
        r.put("topic", "TCPScan");
        r.put("name", "TCPScan from the e2e upgrade test");
        r.set("payload", Http.JSON.valueToTree(Map.of("host", "127.0.0.1", "ports", List.of(port), "timeout_ms", timeoutMs)));
        HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
        assertEquals(created.body(), 201, created.statusCode());
        return Http.parse(created).path("result").path("sys_id").asText();
    }

    /** Inserts one TCPScan record and waits until it is answered and processed. */
    static void scanAnswered() throws Exception {
        String id = insertScan(Ports.free(), 200);
        JsonNode[] found = new JsonNode[1];
        Wait.until(Duration.ofSeconds(20), "the input answering " + id, () -> {
            JsonNode result = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id).path("result");
            found[0] = result.size() > 0 ? result.get(0) : null;
            return found[0] != null;
        }, instance, agent);
        assertEquals("input " + found[0], "processed", found[0].path("state").asText());
    }

    static JsonNode agentRecord() throws IOException, InterruptedException {
        JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
        return result.size() == 1 ? result.get(0) : null;
    }

    /** Runs a command in the agent's shell; see {@link MidwayProcess#shell}. */
    static List<String> shell(String command, Predicate<String> done) throws Exception {
        return agent.shell(command, done, Duration.ofSeconds(20));
    }

    static String bundleVersion(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            String version = file.getManifest().getMainAttributes().getValue("Bundle-Version");
            assertNotNull(jar + " has a Bundle-Version", version);
            return version;
        }
    }

    /** Copies the distribution without its data/ folder (state of earlier runs). */
    static Path copyDistribution(Path dist, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path relative = dist.relativize(from);
                if (relative.startsWith("data")) {
                    continue;
                }
                Path to = target.resolve(relative.toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String randomSecret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
