package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
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
 * File sync on the real distribution: jars pushed to bin/instance's repository run on a bin/agent
 * (started in a terminal, from a private copy of the distribution so that its deploy/ folder is
 * this test's own), survive an agent restart without being downloaded again, give way to the same
 * bundle dropped into deploy/, show in the shell and the Web Console, and go when deleted. The
 * steps build on each other and run in name order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FileSyncIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration SYNC = Duration.ofSeconds(20);
    /**
     * Longer than the agent's long poll (poll.wait.ms = 30 s in the distribution's etc/; heartbeats
     * every 300 s by default, so nothing else ends a poll early).
     */
    private static final Duration FIRST_SYNC = Duration.ofSeconds(45);
    private static final String AGENT = "e2e-sync";
    private static final String ECHO_BSN = "io.midway.testing.echo";
    private static final String ECHO_TOPIC = "Echo";
    private static final String FILES = "/api/mid/admin/files";

    static Path work;
    static Path copy;
    static Path jars;
    static int instancePort;
    static int agentPort;
    static String adminPassword;
    static String agentPassword;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static int agentStarts;
    static Http admin;
    static InstanceWatch watch;
    static Path echoV1;
    static String v1Version;
    static long echoBundleId = -1;
    static String v2Sha;

    @BeforeClass
    public static void startInstanceAndAgent() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        assertTrue("distribution not built at " + dist, Files.isExecutable(dist.resolve("bin/instance")));
        String echo = System.getProperty("midway.echo.jar");
        assertTrue("system property midway.echo.jar names the echo fixture jar (set by failsafe): " + echo,
                echo != null && Files.isRegularFile(Path.of(echo)));
        work = TestFolders.temporary("midway-e2e-sync");
        jars = Files.createDirectories(work.resolve("jars"));
        echoV1 = Files.copy(Path.of(echo), jars.resolve("echo-v1.jar"));
        v1Version = bundleVersion(echoV1);
        copy = copyDistribution(dist, work.resolve("dist"));

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
        Http anonymous = new Http("http://127.0.0.1:" + instancePort, null, null);
        Wait.until(STARTUP, "instance_info", () -> anonymous.get("/api/mid/instance_info").statusCode() == 200, instance);
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        watch = new InstanceWatch(admin, AGENT);

        agent = startAgent();
        Wait.until(STARTUP, "agent " + AGENT + " Up and validated", () -> {
            JsonNode a = agentRecord();
            return a != null && "Up".equals(a.path("status").asText()) && a.path("validated").asBoolean();
        }, instance, agent);
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
    public void t1_pushedProbeWorksAndANewVersionKeepsTheBundleId() throws Exception {
        // Pushed as soon as the agent is Up: its first long poll may not be waiting yet, and then
        // the revision only reaches it with that poll's reply (see FIRST_SYNC).
        String r1 = push(echoV1);
        awaitSynced(r1, "applied", FIRST_SYNC);
        JsonNode first = echo();
        assertEquals("v1 answers: " + first, v1Version, first.path("bundle_version").asText());
        echoBundleId = first.path("bundle_id").asLong();

        Path v2 = TestJars.withVersion(echoV1, jars.resolve("echo-v2.jar"), "2.0.0");
        v2Sha = TestJars.sha256(v2);
        String r2 = push(v2);
        assertNotEquals(r1, r2);
        awaitSynced(r2, "applied");
        JsonNode second = echo();
        assertEquals("v2 answers: " + second, "2.0.0", second.path("bundle_version").asText());
        assertEquals("updated in place: " + second, echoBundleId, second.path("bundle_id").asLong());
    }

    @Test
    public void t2_restartedAgentKeepsTheSyncedBundleWithoutDownloadingIt() throws Exception {
        assertNotNull("step 1 ran", v2Sha);
        long downloads = downloads(v2Sha);
        assertEquals("the agent fetched v2 once", 1, downloads);
        long since = watch.lastEventSeq();

        int exit = agent.stop(Duration.ofSeconds(30));
        assertTrue("the agent stops cleanly on SIGTERM (exit " + exit + ")", exit == 0 || exit == 143);
        long started = System.nanoTime();
        agent = startAgent();
        // The agent syncs at start and reports it, whether or not anything changed. Nothing is
        // queued for it, so its first long poll waits the whole poll.wait.ms (30 s): a sync that
        // waits for that poll's reply comes late.
        Wait.until(FIRST_SYNC, "the restarted agent's file_sync.applied report", () -> {
            for (JsonNode e : watch.events(since)) {
                if ("file_sync.applied".equals(e.path("name").asText()) && AGENT.equals(e.path("agent").asText())) {
                    return true;
                }
            }
            return false;
        }, instance, agent);
        Duration startSync = Duration.ofNanos(System.nanoTime() - started);

        JsonNode answer = echo();
        assertEquals("still v2 after the restart: " + answer, "2.0.0", answer.path("bundle_version").asText());
        assertEquals("the same bundle from the Felix cache: " + answer, echoBundleId, answer.path("bundle_id").asLong());
        assertEquals("nothing downloaded again", downloads, downloads(v2Sha));
        // Checked last, so that the checks above run either way.
        assertTrue("the agent syncs at start, not only when its first long poll ends (report came "
                + startSync.toMillis() + " ms after the start)", startSync.compareTo(SYNC) < 0);
    }

    @Test
    public void t3_bundleInDeployWinsOverSyncUntilItIsRemoved() throws Exception {
        assertTrue("step 1 ran", echoBundleId >= 0);
        Path v9 = TestJars.withVersion(echoV1, jars.resolve("echo-v9.jar"), "9.0.0");
        Path dropped = work.resolve("agent/deploy").resolve(ECHO_BSN + "-9.0.0.jar");
        Path partial = copy.resolve("deploy-partial.jar");
        Files.copy(v9, partial, StandardCopyOption.REPLACE_EXISTING);
        long since = watch.lastEventSeq();
        Files.move(partial, dropped, StandardCopyOption.ATOMIC_MOVE);

        JsonNode deployed = awaitEchoVersion("9.0.0");
        assertNotEquals("the deploy/ bundle is another bundle than the synced one: " + deployed,
                echoBundleId, deployed.path("bundle_id").asLong());
        List<String> lines = shell("mid:bundles", text -> echoLine(text).isPresent()
                && echoLine(text).get().contains("9.0.0"));
        String line = echoLine(String.join("\n", lines)).orElseThrow();
        assertTrue("mid:bundles shows the deploy/ copy: " + line, line.contains("deploy") && line.contains("9.0.0"));
        assertEquals("only the deploy/ copy is installed (the synced one went): " + lines, 1,
                lines.stream().filter(l -> l.contains(ECHO_BSN)).count());
        // The agent reports that sync skips the symbolic name deploy/ provides.
        Wait.until(SYNC, "a file-sync report skipping " + ECHO_BSN, () -> {
            for (JsonNode e : watch.events(since)) {
                String detail = e.path("detail").asText();
                if (e.path("name").asText().startsWith("file_sync.") && AGENT.equals(e.path("agent").asText())
                        && detail.contains(ECHO_BSN) && detail.contains("skip")) {
                    return true;
                }
            }
            return false;
        }, instance, agent);

        Files.delete(dropped);
        JsonNode synced = awaitEchoVersion("2.0.0");
        echoBundleId = synced.path("bundle_id").asLong();
    }

    @Test
    public void t4_shellSyncsAndListsTheSyncedBundle() throws Exception {
        String revision = admin.json(FILES).path("revision").asText();
        List<String> sync = shell("mid:sync", text -> text.toLowerCase(Locale.ROOT).contains("applied"));
        String syncText = String.join("\n", sync);
        assertTrue("mid:sync names the revision " + revision + ":\n" + syncText,
                Pattern.compile("\\b" + Pattern.quote(revision) + "\\b").matcher(syncText).find());

        List<String> bundles = shell("mid:bundles", text -> echoLine(text).isPresent());
        String line = echoLine(String.join("\n", bundles)).orElseThrow();
        assertTrue("mid:bundles lists the echo bundle from sync at 2.0.0: " + line,
                line.contains("sync") && line.contains("2.0.0"));
    }

    @Test
    public void t5_webConsolePageListsTheSyncedBundle() throws Exception {
        Http console = new Http("http://127.0.0.1:" + agentPort, "admin", adminPassword);
        HttpResponse<String> page = console.get("/system/console/midway");
        assertEquals(200, page.statusCode());
        assertTrue("the Midway page lists " + ECHO_BSN, page.body().contains(ECHO_BSN));
        assertFalse(page.body().contains(agentPassword));
        assertFalse(page.body().contains(adminPassword));
    }

    @Test
    public void t6_deletedProbeErrorsCleanly() throws Exception {
        HttpResponse<String> deleted = admin.send("DELETE", FILES + "/" + ECHO_BSN, null);
        assertEquals(deleted.body(), 200, deleted.statusCode());
        String revision = Http.parse(deleted).path("revision").asText();
        awaitSynced(revision, "applied");

        String id = insertEcho();
        JsonNode input = awaitInput(id);
        assertEquals("input " + input, "error", input.path("state").asText());
        String error = input.path("error_string").asText();
        assertTrue("error_string says there is no probe: " + error,
                error.contains(ECHO_TOPIC) && error.toLowerCase(Locale.ROOT).contains("no probe"));
        Wait.until(SYNC, "capability echo gone from ecc_agent",
                () -> !agentRecord().path("capabilities").toString().contains("\"echo\""), agent);
    }

    // --- helpers -------------------------------------------------------------------------------

    static MidwayProcess startAgent() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        env.put("MIDWAY_AGENT_NAME", AGENT);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(agentPort));
        env.put("MIDWAY_DATA", work.resolve("agent").toString());
        agentStarts++;
        return MidwayProcess.start(copy, "agent", env, work.resolve("agent-" + agentStarts + ".log"), true);
    }

    /** Pushes a probe jar; returns the new revision. */
    static String push(Path jar) throws Exception {
        HttpResponse<String> r = admin.sendBytes("POST", FILES + "?kind=probe", Files.readAllBytes(jar),
                "application/java-archive");
        assertEquals(r.body(), 201, r.statusCode());
        JsonNode reply = Http.parse(r);
        assertEquals(reply.toString(), ECHO_BSN, reply.path("result").path("symbolic_name").asText());
        assertEquals(reply.toString(), TestJars.sha256(jar), reply.path("result").path("sha256").asText());
        return reply.path("revision").asText();
    }

    static void awaitSynced(String revision, String state) throws Exception {
        awaitSynced(revision, state, SYNC);
    }

    static void awaitSynced(String revision, String state, Duration timeout) throws Exception {
        Wait.until(timeout, "ecc_agent sync_revision " + revision + " " + state, () -> {
            JsonNode a = agentRecord();
            return a != null && revision.equals(a.path("sync_revision").asText())
                    && state.equals(a.path("sync_state").asText());
        }, instance, agent);
    }

    /** One Echo record, which must be processed; returns the answer's payload. */
    static JsonNode echo() throws Exception {
        JsonNode input = awaitInput(insertEcho());
        assertEquals("input " + input, "processed", input.path("state").asText());
        return input.path("payload");
    }

    /** Sends Echo records until one is answered by that version (a bundle is swapped meanwhile). */
    static JsonNode awaitEchoVersion(String version) throws Exception {
        JsonNode[] last = new JsonNode[1];
        Wait.until(Duration.ofSeconds(30), "Echo answered by version " + version, () -> {
            last[0] = awaitInput(insertEcho());
            return "processed".equals(last[0].path("state").asText())
                    && version.equals(last[0].path("payload").path("bundle_version").asText());
        }, instance, agent);
        return last[0].path("payload");
    }

    static String insertEcho() throws Exception {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("agent", "mid.server." + AGENT);
        r.put("topic", ECHO_TOPIC);
        r.put("name", "Echo from the e2e sync test");
        r.set("payload", Http.JSON.createObjectNode().put("message", "hello"));
        HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
        assertEquals(created.body(), 201, created.statusCode());
        return Http.parse(created).path("result").path("sys_id").asText();
    }

    static JsonNode awaitInput(String sysId) throws Exception {
        JsonNode[] found = new JsonNode[1];
        Wait.until(Duration.ofSeconds(20), "the input answering " + sysId, () -> {
            JsonNode result = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + sysId)
                    .path("result");
            found[0] = result.size() > 0 ? result.get(0) : null;
            return found[0] != null;
        }, instance, agent);
        return found[0];
    }

    static JsonNode agentRecord() throws IOException, InterruptedException {
        JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
        return result.size() == 1 ? result.get(0) : null;
    }

    static long downloads(String sha256) throws Exception {
        for (JsonNode file : admin.json(FILES).path("result")) {
            if (sha256.equals(file.path("sha256").asText())) {
                return file.path("downloads").asLong();
            }
        }
        throw new AssertionError("no file with sha256 " + sha256 + " in " + admin.json(FILES));
    }

    /** Runs a command in the agent's shell; see {@link MidwayProcess#shell}. */
    static List<String> shell(String command, Predicate<String> done) throws Exception {
        return agent.shell(command, done, SYNC);
    }

    static Optional<String> echoLine(String text) {
        return text.lines().filter(l -> l.contains(ECHO_BSN)).findFirst();
    }

    static String bundleVersion(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Bundle-Version");
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
