package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
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
 * An in-place core upgrade that meets an instance outage, on the real distribution: bin/instance
 * is stopped right after the agent handed the new core to its upgrader and stays down for several
 * times the health window ({@code MIDWAY_UPGRADE_HEALTH_SECONDS}); the new core is judged by
 * itself and kept, waits for the instance, and when bin/instance starts again on the same data
 * and port the agent is {@code Up} on the new version with every output answered exactly once. A
 * core that really fails is still rolled back and skipped. The steps run in name order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class UpgradeOutageIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration UPGRADE = Duration.ofSeconds(60);
    /** The health window: the outage lasts several times as long. */
    private static final int HEALTH_SECONDS = 3;
    private static final Duration OUTAGE = Duration.ofSeconds(5 * HEALTH_SECONDS);
    private static final String AGENT = "e2e-outage";
    private static final String CORE_BSN = "io.midway.agent";
    private static final String UPGRADE_API = "/api/mid/admin/upgrade";

    static Path dist;
    static Path work;
    static Path copy;
    static Path jars;
    static Path originalCore;
    static String base;
    static String v1;
    static String v2;
    static int instancePort;
    static int agentPort;
    static String adminPassword;
    static String agentPassword;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static int instanceStarts;
    static Http admin;
    static InstanceWatch watch;
    static Http anonymous;
    static Http console;
    static boolean upgraded;

    @BeforeClass
    public static void startInstanceAndAgent() throws Exception {
        dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        assertTrue("distribution not built at " + dist, Files.isExecutable(dist.resolve("bin/instance")));
        work = TestFolders.temporary("midway-e2e-outage");
        jars = Files.createDirectories(work.resolve("jars"));
        try (Stream<Path> s = Files.list(dist.resolve("system/agent"))) {
            Path shipped = s.filter(p -> p.getFileName().toString().matches("io\\.midway\\.agent-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no io.midway.agent-*.jar in " + dist));
            originalCore = Files.copy(shipped, jars.resolve("core-original.jar"));
        }
        base = UpgradeIT.bundleVersion(originalCore);
        String[] parts = base.split("\\.");
        int micro = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        String prefix = parts[0] + "." + (parts.length > 1 ? parts[1] : "0") + ".";
        v1 = prefix + (micro + 1);
        v2 = prefix + (micro + 2);
        copy = UpgradeIT.copyDistribution(dist, work.resolve("dist"));
        // Two standard threads: slow work fills them, so the upgrade meets queued work (the journal).
        Path agentCfg = copy.resolve("etc/io.midway.agent.cfg");
        Files.writeString(agentCfg, Files.readString(agentCfg).replaceAll("(?m)^threads\\.standard\\s*=.*$",
                "threads.standard = 2"));
        adminPassword = UpgradeIT.randomSecret();
        agentPassword = UpgradeIT.randomSecret();
        instancePort = Ports.free();
        agentPort = Ports.free();
        anonymous = new Http("http://127.0.0.1:" + instancePort, null, null);
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        watch = new InstanceWatch(admin, AGENT);
        console = new Http("http://127.0.0.1:" + agentPort, "admin", adminPassword);
        startInstance();
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
        if (copy != null) {
            UpgradeIT.deleteTree(copy);
        }
    }

    @Test
    public void t1_instanceStoppedDuringTheUpgradeLongerThanTheHealthWindowKeepsTheNewCoreAndLosesNothing()
            throws Exception {
        long jvm = agent.jvmPid();
        Path newCore = TestJars.withVersion(originalCore, jars.resolve("core-" + v1 + ".jar"), v1);
        long since = watch.lastEventSeq();
        List<String> outputs = new ArrayList<>();
        Path history = work.resolve("agent/upgrader/history.json");
        try (UpgradeIT.Tarpit tarpit = new UpgradeIT.Tarpit()) {
            // Slow records (1.5 s each) fill both standard threads and queue behind them.
            for (int i = 0; i < 6; i++) {
                outputs.add(insertScan(tarpit.port(), 1500));
            }
            for (int i = 0; i < 10; i++) {
                outputs.add(insertScan(Ports.free(), 200));
            }
            Wait.until(Duration.ofSeconds(20), "the slow records taken by the agent",
                    () -> "processing".equals(stateOf(outputs.get(0))) && "processing".equals(stateOf(outputs.get(1))),
                    instance, agent);
            publish(newCore, v1);

            // The agent downloaded the new core and handed it to the upgrader: stop the instance now.
            // The upgrader's record says "running" from the hand-over until its verdict on the new
            // core, a few hundred milliseconds (the old core's stop, the update, the new core's
            // start): it is looked at every 20 ms, so that the stop begins before the verdict.
            AtomicReference<String> seen = new AtomicReference<>("(no history.json yet)");
            try {
                Wait.until(UPGRADE, Duration.ofMillis(20), "the upgrader's running record for " + v1, () -> {
                    if (!Files.isRegularFile(history)) {
                        return false;
                    }
                    String text = Files.readString(history);
                    seen.set(text);
                    return text.contains("\"to_version\":\"" + v1 + "\"") && text.contains("\"outcome\":\"running\"");
                }, instance, agent);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n--- the upgrader's history.json, last read ---\n" + seen.get()
                        + "\n--- the end of agent.log ---\n" + Wait.tail(work.resolve("agent/agent.log"), 12_000), e);
            }
            int exit = instance.stop(Duration.ofSeconds(30));
            assertTrue("bin/instance stops cleanly (exit " + exit + ")", exit == 0 || exit == 143);
            long down = System.nanoTime();

            // While the instance is away, longer than the health window: the new core is kept.
            Wait.until(OUTAGE, "the upgrader's outcome for " + v1, () -> !Files.readString(history)
                    .contains("\"outcome\":\"running\""), agent);
            String outcome = Files.readString(history);
            assertTrue("the new core is kept while the instance is away:\n" + outcome,
                    outcome.contains("\"outcome\":\"upgraded\"") && !outcome.contains("rolled_back"));
            while (System.nanoTime() - down < OUTAGE.toNanos()) {
                Thread.sleep(200);
            }
            assertEquals("after " + OUTAGE.toSeconds() + " s without the instance (health window " + HEALTH_SECONDS
                    + " s) the framework runs the new core", v1 + " Active", runningCore());
            assertFalse("still no rollback", Files.readString(history).contains("rolled_back"));
            // Start bin/instance again on the same data and port.
            startInstance();
        }
        awaitAgent(UPGRADE.plus(Duration.ofSeconds(60)), v1);
        upgraded = true;
        outputs.add(insertScan(Ports.free(), 200));

        Wait.until(Duration.ofSeconds(90), "all " + outputs.size() + " outputs processed", () -> {
            for (String id : outputs) {
                if (!"processed".equals(stateOf(id))) {
                    return false;
                }
            }
            return true;
        }, instance, agent);
        for (String id : outputs) {
            JsonNode inputs = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id)
                    .path("result");
            assertEquals("exactly one input answers output " + id + ": " + inputs, 1, inputs.size());
        }
        List<String> names = watch.agentEventNames(since);
        assertTrue("mid_server.upgrading then mid_server.up: " + names, names.contains("mid_server.upgrading")
                && names.subList(names.indexOf("mid_server.upgrading"), names.size()).contains("mid_server.up"));
        assertFalse("no failure: " + names, names.contains("mid_server.upgrade_failed"));
        assertEquals("the same JVM", jvm, agent.jvmPid());
        assertEquals(v1 + " Active", runningCore());
        String shown = String.join("\n", agent.shell("mid:upgrade", out -> out.contains("History"), Duration.ofSeconds(20)));
        assertTrue("mid:upgrade: current on " + v1 + ":\n" + shown, shown.contains("State         current"));
        assertTrue(shown, shown.contains(base + " -> " + v1 + "  upgraded"));
    }

    @Test
    public void t2_aCoreThatReallyFailsIsStillRolledBackAndSkipped() throws Exception {
        assertTrue("step 1 upgraded", upgraded);
        Path broken = TestJars.unresolvable(originalCore, jars.resolve("core-" + v2 + "-unresolvable.jar"), v2);
        String sha = TestJars.sha256(broken);
        long since = watch.lastEventSeq();
        publish(broken, v2);
        AtomicReference<String> detail = new AtomicReference<>();
        Wait.until(UPGRADE, "event mid_server.upgrade_failed", () -> {
            for (JsonNode e : watch.events(since)) {
                if ("mid_server.upgrade_failed".equals(e.path("name").asText()) && AGENT.equals(e.path("agent").asText())) {
                    detail.set(e.path("detail").asText());
                    return true;
                }
            }
            return false;
        }, instance, agent);
        assertTrue("the reason, and that it is not tried again: " + detail.get(), detail.get().contains(v2)
                && detail.get().contains("the core itself failed: not tried again"));
        awaitAgent(UPGRADE, v1);
        assertEquals(v1 + " Active", runningCore());
        // Polls answered for ~8 s: no second attempt.
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < deadline) {
            String id = insertScan(Ports.free(), 200);
            Wait.until(Duration.ofSeconds(20), "output " + id + " processed", () -> "processed".equals(stateOf(id)),
                    instance, agent);
        }
        List<String> names = watch.agentEventNames(since);
        assertEquals("one attempt: " + names, 1, names.stream().filter("mid_server.upgrading"::equals).count());
        assertEquals("fetched once", 1, watch.downloads(sha));
        String shown = String.join("\n", agent.shell("mid:upgrade", out -> out.contains("History"), Duration.ofSeconds(20)));
        assertTrue("mid:upgrade shows skipped, the core's own failure:\n" + shown, shown.contains("State         skipped")
                && shown.contains("the core itself (not tried again)") && shown.contains("rolled_back (core)"));
        assertFalse(shown, shown.contains("Retry at"));
    }

    // --- helpers -------------------------------------------------------------------------------

    static void startInstance() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        instanceStarts++;
        instance = MidwayProcess.start(dist, "instance", env, work.resolve("instance-" + instanceStarts + ".log"), false);
        Wait.until(STARTUP, "instance_info", () -> anonymous.get("/api/mid/instance_info").statusCode() == 200, instance);
    }

    static MidwayProcess startAgent() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        env.put("MIDWAY_AGENT_NAME", AGENT);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(agentPort));
        env.put("MIDWAY_DATA", work.resolve("agent").toString());
        env.put("MIDWAY_UPGRADE_HEALTH_SECONDS", Integer.toString(HEALTH_SECONDS));
        return MidwayProcess.start(copy, "agent", env, work.resolve("agent.log"), true);
    }

    static void awaitAgent(Duration timeout, String version) throws Exception {
        Wait.until(timeout, "agent " + AGENT + " Up on " + version, () -> {
            JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
            JsonNode a = result.size() == 1 ? result.get(0) : null;
            return a != null && "Up".equals(a.path("status").asText()) && a.path("validated").asBoolean()
                    && version.equals(a.path("version").asText());
        }, instance, agent);
    }

    static void publish(Path jar, String version) throws Exception {
        HttpResponse<String> r = admin.sendBytes("POST", UPGRADE_API, Files.readAllBytes(jar), "application/java-archive");
        assertEquals(r.body(), 201, r.statusCode());
        assertEquals(r.body(), version, Http.parse(r).path("result").path("version").asText());
    }

    static String runningCore() throws Exception {
        for (JsonNode b : console.json("/system/console/bundles.json").path("data")) {
            if (CORE_BSN.equals(b.path("symbolicName").asText())) {
                return b.path("version").asText() + " " + b.path("state").asText();
            }
        }
        return "none";
    }

    static String stateOf(String sysId) throws Exception {
        return admin.json("/api/now/table/ecc_queue/" + sysId).path("result").path("state").asText();
    }

    static String insertScan(int port, int timeoutMs) throws Exception {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("agent", "mid.server." + AGENT);
        r.put("topic", "TCPScan");
        r.put("name", "TCPScan from the e2e outage test");
        r.set("payload", Http.JSON.valueToTree(Map.of("host", "127.0.0.1", "ports", List.of(port), "timeout_ms", timeoutMs)));
        HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
        assertEquals(created.body(), 201, created.statusCode());
        return Http.parse(created).path("result").path("sys_id").asText();
    }
}
