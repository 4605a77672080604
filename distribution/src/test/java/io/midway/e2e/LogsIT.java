package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.jars.TestJars;

/**
 * Logs on the real distribution (DESIGN §14): both processes write {@code <data>/<role>.log};
 * what the consoles print stays free of stack traces when something fails; the Web Console's Log
 * page answers with entries on both processes; {@code mid:log} in the agent's shell; grab logs
 * through the ECC queue; a hostile manifest upload is refused without flooding the instance log.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class LogsIT {

    /** A hung step fails within minutes, not at CI's limit. */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String AGENT = "logs-agent";
    private static final String SHELL_AGENT = "logs-shell";
    private static final String ECHO_BSN = "io.midway.testing.echo";

    static Path work;
    static String adminPassword;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static MidwayProcess shellAgent;
    static Http admin;
    static Http agentConsole;
    static Path instanceLog;
    static Path agentLog;
    static long agentLogSizeAtStart;

    @BeforeClass
    public static void start() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        work = TestFolders.temporary("midway-e2e-logs");
        adminPassword = FileSyncIT.randomSecret();
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

        int agentPort = Ports.free();
        Map<String, String> a = new HashMap<>();
        a.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        a.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        a.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        a.put("MIDWAY_AGENT_NAME", AGENT);
        a.put("MIDWAY_HTTP_PORT", Integer.toString(agentPort));
        a.put("MIDWAY_DATA", work.resolve("agent").toString());
        // stdin is /dev/null: not a terminal, as under a service manager
        agent = MidwayProcess.start(dist, "agent", a, work.resolve("agent-console.txt"), false);
        agentConsole = new Http("http://127.0.0.1:" + agentPort, "admin", adminPassword);

        Map<String, String> s = new HashMap<>(a);
        s.put("MIDWAY_AGENT_NAME", SHELL_AGENT);
        s.put("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()));
        s.put("MIDWAY_DATA", work.resolve("shell-agent").toString());
        shellAgent = MidwayProcess.start(dist, "agent", s, work.resolve("shell-agent-console.txt"), true);
        for (String name : List.of(AGENT, SHELL_AGENT)) {
            Wait.until(STARTUP, "agent " + name + " Up", () -> {
                JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + name).path("result");
                return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
            }, instance, agent, shellAgent);
        }
        instanceLog = work.resolve("instance").resolve("instance.log");
        agentLog = work.resolve("agent").resolve("agent.log");
        Wait.until(Duration.ofSeconds(20), "the agent's registration in agent.log",
                () -> Files.exists(agentLog) && Files.readString(agentLog).contains("Registered as '" + AGENT + "'"), agent);
        agentLogSizeAtStart = Files.size(agentLog);
        // the agent is Up once its core, protocols and probes run (level 2); its start line comes
        // once its console and shell (level 3) are up too, which may be a moment later
        Wait.until(Duration.ofSeconds(60), "the agent's start line", () -> console(agent).contains("midway: agent started"),
                agent);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (MidwayProcess p : new MidwayProcess[] {shellAgent, agent, instance}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    public void t1_bothProcessesWriteTheirLogFileAndTheConsoleOnlyTheStartLine() throws Exception {
        String log = Files.readString(instanceLog);
        assertTrue(log, log.contains("io.midway.logging - Logging to " + instanceLog));
        assertTrue(log, log.contains("InstanceCore - Event mid_server.up #") && log.contains(AGENT + ": registered"));
        assertTrue(Files.readString(agentLog).contains("AgentRuntime - Agent '" + AGENT + "' 0."));
        assertEquals("midway: agent started", console(agent).trim().substring(0, "midway: agent started".length()));
        assertEquals(console(agent), 1, console(agent).lines().filter(l -> !l.isBlank()).count());
        assertEquals(console(instance), 1, console(instance).lines().filter(l -> !l.isBlank()).count());
    }

    @Test
    public void t2_aFailingPluginIsOneLineOnTheConsolesAndItsTraceInTheLog() throws Exception {
        Path echo = Path.of(System.getProperty("midway.echo.jar"));
        Path failing = TestJars.failingActivation(echo, work.resolve("failing.jar"), "9.0.0");
        HttpResponse<String> upload = admin.sendBytes("POST", "/api/mid/admin/files?kind=probe", Files.readAllBytes(failing),
                "application/java-archive");
        assertEquals(upload.body(), 201, upload.statusCode());
        Wait.until(Duration.ofSeconds(60), "the failed activation in agent.log", () -> {
            String log = Files.readString(agentLog);
            return log.contains("\tat ") && log.contains("ERROR");
        }, agent);
        Path shellLog = work.resolve("shell-agent").resolve("agent.log");
        try {
            Wait.until(Duration.ofSeconds(30), "the shell agent to fail it too",
                    () -> Files.readString(shellLog).contains("ERROR"), shellAgent);
        } catch (AssertionError e) {
            // (once in CI: the console showed the one-line notice but the file had no ERROR line)
            throw new AssertionError(e.getMessage() + "\n--- " + shellLog + " ---\n" + Wait.tail(shellLog, 6000), e);
        }
        assertTrue("the agent log grew", Files.size(agentLog) > agentLogSizeAtStart);
        Thread.sleep(2000);
        for (MidwayProcess p : List.of(agent, shellAgent)) {
            String out = console(p);
            assertFalse("no stack trace on the console:\n" + out, out.contains("\tat ") || out.contains("Caused by"));
            assertTrue("a one-line notice:\n" + out, out.contains("midway: error in "));
            assertTrue("naming the log file:\n" + out, out.contains("agent.log)"));
        }
        for (String line : console(agent).split("\n")) {
            assertTrue("every console line of a headless agent is a short midway: line: " + line,
                    line.isBlank() || line.startsWith("midway: ") && line.length() < 400);
        }
        HttpResponse<String> removed = admin.send("DELETE", "/api/mid/admin/files/" + ECHO_BSN, null);
        assertTrue(removed.body(), removed.statusCode() == 200 || removed.statusCode() == 204);
    }

    @Test
    public void t3_theWebConsoleLogPageHasEntriesOnBothProcesses() throws Exception {
        for (Http console : List.of(admin, agentConsole)) {
            assertEquals(200, console.get("/system/console/logs").statusCode());
            HttpResponse<String> json = console.get("/system/console/logs.json?minLevel=4");
            assertEquals(json.body(), 200, json.statusCode());
            JsonNode body = Http.parse(json);
            assertTrue(json.body(), body.path("status").asBoolean());
            assertTrue(json.body(), body.path("data").size() > 5);
        }
        String agentEntries = agentConsole.get("/system/console/logs.json?minLevel=4").body();
        assertTrue(agentEntries, agentEntries.contains("Registered as '" + AGENT + "'"));
    }

    @Test
    public void t4_midLogShowsTheLastLinesWithALevelFilter() throws Exception {
        List<String> all = shellAgent.shell("mid:log -n 5", out -> out.contains(" - "), Duration.ofSeconds(20));
        assertEquals(all.toString(), 5, all.stream().filter(l -> l.matches("^\\d{4}-\\d\\d-\\d\\d .*")).count());
        List<String> errors = shellAgent.shell("mid:log -l error -n 3", out -> out.contains("ERROR"), Duration.ofSeconds(20));
        assertTrue(errors.toString(), errors.stream().filter(l -> l.matches("^\\d{4}-.*")).allMatch(l -> l.contains(" ERROR ")));
        List<String> bad = shellAgent.shell("mid:log -l loud", out -> out.contains("unknown level"), Duration.ofSeconds(20));
        assertTrue(bad.toString(), String.join("\n", bad).contains("mid:log: unknown level 'loud'"));
    }

    @Test
    public void t5_grabLogsFetchesTheAgentLogTailThroughTheEccQueue() throws Exception {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("agent", "mid.server." + AGENT);
        r.put("topic", "SystemCommand");
        r.put("name", "grab_logs");
        r.set("payload", Http.JSON.createObjectNode().put("command", "grab_logs").put("lines", 40));
        HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
        assertEquals(created.body(), 201, created.statusCode());
        String id = Http.parse(created).path("result").path("sys_id").asText();
        JsonNode[] input = new JsonNode[1];
        Wait.until(Duration.ofSeconds(30), "the grab_logs answer", () -> {
            JsonNode result = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id).path("result");
            input[0] = result.size() > 0 ? result.get(0) : null;
            return input[0] != null;
        }, instance, agent);
        assertEquals(input[0].toString(), "processed", input[0].path("state").asText());
        JsonNode payload = input[0].path("payload");
        assertEquals("agent.log", payload.path("file").asText());
        int lines = payload.path("line_count").asInt();
        assertTrue(payload.toString(), lines > 0 && lines <= 40);
        String tail = payload.path("log").asText();
        assertEquals(lines, tail.split("\n").length);
        String fileText = Files.readString(agentLog, StandardCharsets.UTF_8);
        assertTrue("the tail is the log file's own lines", fileText.contains(tail.substring(tail.indexOf('\n') + 1)));
        assertFalse("no secret in the answer", input[0].toString().contains(adminPassword));
    }

    @Test
    public void t6_aHostileManifestIsRefusedAndTheInstanceLogStaysSmall() throws Exception {
        long before = Files.size(instanceLog);
        Path hostile = TestJars.repeatedManifestHeader(work.resolve("hostile.jar"), 2_000_000);
        HttpResponse<String> upload = admin.sendBytes("POST", "/api/mid/admin/files?kind=probe", Files.readAllBytes(hostile),
                "application/java-archive");
        assertEquals(upload.body(), 400, upload.statusCode());
        assertTrue(upload.body(), upload.body().contains("larger than the limit of 1048576 bytes"));
        Thread.sleep(1000);
        long grown = Files.size(instanceLog) - before;
        assertTrue("the instance log grew by " + grown + " bytes", grown < 64 * 1024);
        assertFalse(Files.exists(instanceLog.resolveSibling("instance.log.1")));
        assertFalse(Files.readString(instanceLog).contains("Duplicate name in Manifest"));
    }

    private static String console(MidwayProcess p) throws Exception {
        return p.output();
    }
}
