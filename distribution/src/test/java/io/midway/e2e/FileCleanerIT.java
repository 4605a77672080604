package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.testing.jars.TestJars;

/**
 * The File Cleaner on the real bin/agent (issue 17 point 5): files in the data folder that
 * nothing uses and that are older than the maximum age (a rotated log beyond the count, a cached
 * jar no longer installed, a refused result, an old core jar) are removed shortly after start;
 * recent ones, the files in use (the synced bundle's jar, the kept core), files of no rule and a
 * symbolic link out of the data folder are kept; {@code mid:status} shows the run and
 * {@code mid:clean} runs it again.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FileCleanerIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String AGENT = "cleaner-agent";
    private static final String UNUSED_SHA = "e".repeat(64);
    private static final String OLD_CORE_SHA = "c".repeat(64);

    static Path work;
    static Path data;
    static Path outside;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static Http admin;
    static String echoSha;

    /** A file of {@code size} bytes last modified {@code days} ago. */
    static Path file(Path path, int size, int days) throws Exception {
        Files.createDirectories(path.getParent());
        Files.write(path, new byte[size]);
        age(path, days);
        return path;
    }

    static void age(Path path, int days) throws Exception {
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minus(Duration.ofDays(days))));
    }

    @BeforeClass
    public static void start() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        String echo = System.getProperty("midway.echo.jar");
        assertTrue("system property midway.echo.jar names the echo fixture jar: " + echo,
                echo != null && Files.isRegularFile(Path.of(echo)));
        work = TestFolders.temporary("midway-e2e-cleaner");
        String adminPassword = FileSyncIT.randomSecret();
        String agentPassword = FileSyncIT.randomSecret();
        int instancePort = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        instance = MidwayProcess.start(dist, "instance", env, work.resolve("instance-console.txt"), false);
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        Wait.until(STARTUP, "instance_info", () -> admin.get("/api/mid/instance_info").statusCode() == 200, instance);

        // A probe on file sync: the agent installs it at start, so its cached jar is in use.
        Path jar = Path.of(echo);
        echoSha = TestJars.sha256(jar);
        HttpResponse<String> pushed = admin.sendBytes("POST", "/api/mid/admin/files?kind=probe", Files.readAllBytes(jar),
                "application/java-archive");
        assertEquals(pushed.body(), 201, pushed.statusCode());

        // The data folder as a long-running agent would have it.
        data = work.resolve("agent");
        outside = Files.createDirectories(work.resolve("outside"));
        file(data.resolve("agent.log.7"), 700, 10);                 // beyond the 5 kept, old: removed
        file(data.resolve("agent.log.8"), 800, 2);                  // beyond, but recent: kept
        // no longer installed: file sync's own prune at the first sync removes it already
        file(data.resolve("sync/files/" + UNUSED_SHA + ".jar"), 1000, 30);
        file(data.resolve("spool/rejected/0000000000001-000001-x.json"), 50, 30); // refused long ago: removed
        file(data.resolve("spool/rejected/0000000000002-000002-y.json"), 60, 1);  // refused yesterday: kept
        file(data.resolve("upgrader/incoming/" + OLD_CORE_SHA + ".jar"), 2000, 30); // an old core: removed
        file(data.resolve("notes.txt"), 10, 100);                   // of no rule: kept
        Path precious = file(outside.resolve("precious.log"), 90, 100);
        Files.createSymbolicLink(data.resolve("agent.log.9"), precious); // a link out: kept, and its target

        int agentPort = Ports.free();
        Map<String, String> a = new HashMap<>();
        a.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        a.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        a.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        a.put("MIDWAY_AGENT_NAME", AGENT);
        a.put("MIDWAY_HTTP_PORT", Integer.toString(agentPort));
        a.put("MIDWAY_DATA", data.toString());
        agent = MidwayProcess.start(dist, "agent", a, work.resolve("agent-console.txt"), true);
        Wait.until(STARTUP, "agent " + AGENT + " Up", () -> {
            JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
            return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
        }, instance, agent);
        // file sync installs the echo probe after the registration (which waits for the agent's
        // new key: seconds on a busy machine); the cache's jar is "in use" only from then on
        Wait.until(STARTUP, "file sync installed the echo probe", () -> {
            JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
            return r.size() == 1 && r.get(0).path("capabilities").toString().contains("\"echo\"")
                    && Files.exists(data.resolve("sync/files/" + echoSha + ".jar"));
        }, instance, agent);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (MidwayProcess p : new MidwayProcess[] {agent, instance}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static String agentLog() throws Exception {
        Path log = data.resolve("agent.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    public void t1_oldUnusedFilesAreRemovedShortlyAfterStartTheRestKept() throws Exception {
        Wait.until(Duration.ofSeconds(60), "the File Cleaner's run at start in agent.log",
                () -> agentLog().contains("File Cleaner (start): removed"), agent);
        String log = agentLog();
        assertTrue(log, log.contains("File Cleaner (start): removed 3 files, freed 2750 bytes"));
        assertTrue(log, log.contains("File Cleaner removed agent.log.7 (700 bytes, log)"));
        assertTrue(log, log.contains("File Cleaner removed spool/rejected/0000000000001-000001-x.json (50 bytes, spool)"));
        assertTrue(log, log.contains("File Cleaner removed upgrader/incoming/" + OLD_CORE_SHA + ".jar (2000 bytes, core)"));

        assertFalse(Files.exists(data.resolve("agent.log.7")));
        assertFalse(Files.exists(data.resolve("sync/files/" + UNUSED_SHA + ".jar")));
        assertFalse(Files.exists(data.resolve("spool/rejected/0000000000001-000001-x.json")));
        assertFalse(Files.exists(data.resolve("upgrader/incoming/" + OLD_CORE_SHA + ".jar")));

        assertTrue(Files.exists(data.resolve("agent.log.8")));
        assertTrue(Files.exists(data.resolve("spool/rejected/0000000000002-000002-y.json")));
        assertTrue(Files.exists(data.resolve("notes.txt")));
        assertTrue(Files.isSymbolicLink(data.resolve("agent.log.9")));
        assertTrue(Files.exists(outside.resolve("precious.log")));
        // in use: the synced probe's jar, the kept core, the log being written
        assertTrue(Files.exists(data.resolve("sync/files/" + echoSha + ".jar")));
        assertTrue(Files.exists(data.resolve("upgrader/current.jar")));
        assertTrue(Files.exists(data.resolve("agent.log")));
    }

    @Test
    public void t2_midStatusShowsTheRun() throws Exception {
        List<String> status = agent.shell("mid:status", out -> out.contains("Next clean"), Duration.ofSeconds(20));
        String text = String.join("\n", status);
        assertTrue(text, text.contains("File cleaner  on (removes unused files older than 7 days, every 24 h)"));
        assertTrue(text, text.matches("(?s).*Last clean    \\S+ \\(start\\): 3 files removed, 2750 bytes freed.*"));
        assertTrue(text, text.matches("(?s).*Next clean    \\d{4}-\\d\\d-\\d\\dT.*"));
    }

    @Test
    public void t3_filesInUseStayEvenWhenOldAndMidCleanSaysWhatItRemoved() throws Exception {
        // Make everything the agent uses look old: still nothing of it may go.
        age(data.resolve("sync/files/" + echoSha + ".jar"), 30);
        age(data.resolve("upgrader/current.jar"), 30);
        age(data.resolve("sync/state.json"), 30);
        age(data.resolve("agent.log"), 30);
        file(data.resolve("agent.log.6"), 600, 9);
        // a jar left in the cache after the last sync (sync prunes only when it applies a snapshot)
        file(data.resolve("sync/files/" + UNUSED_SHA + ".jar"), 1000, 30);

        List<String> out = agent.shell("mid:clean", o -> o.contains("File cleaner: removed"), Duration.ofSeconds(30));
        String text = String.join("\n", out);
        assertTrue(text, text.contains("removed agent.log.6 (600 bytes, log)"));
        assertTrue(text, text.contains("removed sync/files/" + UNUSED_SHA + ".jar (1000 bytes, jar-cache)"));
        assertTrue(text, text.contains("File cleaner: removed 2 files, freed 1600 bytes"));
        assertFalse(Files.exists(data.resolve("sync/files/" + UNUSED_SHA + ".jar")));

        assertFalse(Files.exists(data.resolve("agent.log.6")));
        assertTrue(Files.exists(data.resolve("sync/files/" + echoSha + ".jar")));
        assertTrue(Files.exists(data.resolve("upgrader/current.jar")));
        assertTrue(Files.exists(data.resolve("sync/state.json")));
        assertTrue(Files.exists(data.resolve("agent.log")));
    }
}
