package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * Control from the instance on the real distribution (issue 17 point 4): {@code SystemCommand}
 * records restart the agent in place with nothing lost, refuse a process restart without a
 * supervisor, end a supervised process with status 75 for its supervisor, fetch the logs, and stop
 * the agent (exit 0, Down on the instance). Each answer is an input record saying what was done.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SystemCommandIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final String AGENT = "syscmd-agent";
    /** Few standard workers, so that a restart meets running work and work queued behind it. */
    private static final int STANDARD_THREADS = 2;

    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        midway = AgentAndInstance.start(AGENT, false, copy -> {
            Path agentCfg = copy.resolve("etc/io.midway.agent.cfg");
            Files.writeString(agentCfg, Files.readString(agentCfg).replaceAll("(?m)^threads\\.standard\\s*=.*$",
                    "threads.standard = " + STANDARD_THREADS));
        });
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    @Test
    public void t1_restartInPlaceAnswersFirstComesBackUpAndEveryItemIsAnsweredOnce() throws Exception {
        long pid = midway.agent.jvmPid();
        List<String> outputs = new ArrayList<>();
        try (UpgradeIT.Tarpit tarpit = new UpgradeIT.Tarpit()) {
            // Slow scans (a port that never answers) fill the standard pool and queue up behind it.
            for (int i = 0; i < 4 * STANDARD_THREADS; i++) {
                outputs.add(insertScan(AGENT, tarpit.port(), 1500));
            }
            for (int i = 0; i < 6; i++) {
                outputs.add(insertScan(AGENT, Ports.free(), 200));
            }
            Wait.until(Duration.ofSeconds(20), "the slow scans taken by the agent",
                    () -> stateOf(outputs.get(0)).equals("processing"), midway.instance, midway.agent);
            String command = insertCommand(AGENT, "{\"command\":\"restart\"}");
            JsonNode input = answer(command, midway.agent);
            assertEquals(input.toString(), "processed", input.path("state").asText());
            JsonNode payload = input.path("payload");
            assertEquals(payload.toString(), "restart", payload.path("command").asText());
            assertEquals(payload.toString(), "in_place", payload.path("mode").asText());
            assertTrue(payload.toString(), payload.path("result").asText()
                    .matches("restarting core and \\d+ plug-ins without restarting the JVM"));

            Path log = midway.agentData(AGENT).resolve("agent.log");
            Wait.until(Duration.ofSeconds(90), "the core restarted in place",
                    () -> Files.readString(log).contains("Restarted the core and"), midway.instance, midway.agent);
            String text = Files.readString(log);
            int answered = text.indexOf("SystemCommand " + command + ": restarting core and");
            int restarting = text.indexOf("Restarting the core and");
            assertTrue("the answer was delivered before the restart began:\n" + text, answered >= 0 && answered < restarting);
            assertFalse(text, text.contains("The answer to SystemCommand " + command + " is spooled"));
            Wait.until(Duration.ofSeconds(60), "the agent Up again after the restart",
                    () -> "Up".equals(midway.agentRecord().path("status").asText()) && text(log).lastIndexOf("Registered as '"
                            + AGENT + "'") > restarting, midway.instance, midway.agent);
        }
        assertEquals("the same JVM runs the agent", pid, midway.agent.jvmPid());
        Wait.until(Duration.ofSeconds(90), "all " + outputs.size() + " scans processed",
                () -> outputs.stream().allMatch(id -> {
                    try {
                        return "processed".equals(stateOf(id));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }), midway.instance, midway.agent);
        for (String id : outputs) {
            JsonNode inputs = inputs(id);
            assertEquals("exactly one input answers output " + id + ": " + inputs, 1, inputs.size());
            assertEquals(inputs.toString(), "processed", inputs.get(0).path("state").asText());
        }
        // Probes work after the restart.
        String after = insertScan(AGENT, Ports.free(), 200);
        assertEquals("processed", answer(after, midway.agent).path("state").asText());
    }

    @Test
    public void t2_aProcessRestartWithoutASupervisorIsAnErrorAndTheAgentStaysUp() throws Exception {
        JsonNode input = answer(insertCommand(AGENT, "{\"command\":\"restart\",\"mode\":\"process\"}"), midway.agent);
        assertEquals(input.toString(), "error", input.path("state").asText());
        String error = input.path("error_string").asText();
        assertTrue(error, error.startsWith("restart mode process needs a supervisor"));
        assertTrue(error, error.contains("MIDWAY_SUPERVISED=true") && error.contains("systemd"));
        Thread.sleep(1000);
        assertTrue(midway.agent.isAlive());
        assertEquals("Up", midway.agentRecord().path("status").asText());
        assertEquals("processed", answer(insertScan(AGENT, Ports.free(), 200), midway.agent).path("state").asText());
    }

    @Test
    public void t3_unknownCommandsAndModesNameTheKnownOnes() throws Exception {
        JsonNode mode = answer(insertCommand(AGENT, "{\"command\":\"restart\",\"mode\":\"reboot\"}"), midway.agent);
        assertEquals("error", mode.path("state").asText());
        assertEquals("Unknown restart mode 'reboot'; this agent knows in_place, process (the default is in_place)",
                mode.path("error_string").asText());
        JsonNode command = answer(insertCommand(AGENT, "{\"command\":\"reboot\"}"), midway.agent);
        assertEquals("Unknown SystemCommand 'reboot'; this agent knows grab_logs, restart, stop",
                command.path("error_string").asText());
    }

    @Test
    public void t4_grabLogsStillWorks() throws Exception {
        JsonNode input = answer(insertCommand(AGENT, "{\"command\":\"grab_logs\",\"lines\":200}"), midway.agent);
        assertEquals(input.toString(), "processed", input.path("state").asText());
        assertTrue(input.toString(), input.path("payload").path("log").asText().contains("Restarted the core and"));
    }

    @Test
    public void t5_aSupervisedProcessRestartExitsWith75AndTheSupervisorBringsItBack() throws Exception {
        String name = "syscmd-supervised";
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_INSTANCE_URL", midway.instanceUrl());
        env.put("MIDWAY_AGENT_PASSWORD", midway.sharedAgentPassword());
        env.put("MIDWAY_ADMIN_PASSWORD", midway.adminPassword());
        env.put("MIDWAY_AGENT_NAME", name);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()));
        env.put("MIDWAY_DATA", midway.work.resolve("agent-" + name).toString());
        env.put("MIDWAY_SUPERVISED", "true");
        MidwayProcess first = MidwayProcess.start(midway.home, "agent", env, midway.work.resolve(name + ".log"), false);
        MidwayProcess second = null;
        try {
            awaitUp(name, first);
            // Not watched: it may exit right after its answer is confirmed.
            JsonNode input = answer(insertCommand(name, "{\"command\":\"restart\",\"mode\":\"process\"}"), null);
            assertEquals(input.toString(), "processed", input.path("state").asText());
            assertEquals("restarting the process: running work finishes, then it exits with status 75 for the supervisor "
                    + "declared by MIDWAY_SUPERVISED=true to start it again", input.path("payload").path("result").asText());
            assertEquals("bin/agent exits with the documented status", 75, first.awaitExit(Duration.ofSeconds(60)));
            // The supervisor's part: start it again; it registers Up with the same data folder.
            env.put("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()));
            second = MidwayProcess.start(midway.home, "agent", env, midway.work.resolve(name + "-2.log"), false);
            MidwayProcess again = second;
            Wait.until(Duration.ofSeconds(90), name + " registered again", () -> Files.readString(
                    midway.work.resolve("agent-" + name).resolve("agent.log")).split("Registered as '" + name + "'", -1).length > 2,
                    midway.instance, again);
            awaitUp(name, second);
            assertEquals("processed", answer(insertScan(name, Ports.free(), 200), second).path("state").asText());
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    public void t9_stopAnswersThenTheProcessExitsZeroAndTheAgentIsDown() throws Exception {
        String command = insertCommand(AGENT, "{\"command\":\"stop\"}");
        JsonNode input = answer(command, null);
        assertEquals(input.toString(), "processed", input.path("state").asText());
        assertEquals("stopping the agent: running work finishes, then the process exits with status 0",
                input.path("payload").path("result").asText());
        assertEquals("bin/agent exits 0 after a stop", 0, midway.agent.awaitExit(Duration.ofSeconds(60)));
        JsonNode agent = midway.agentRecord();
        assertEquals(agent.toString(), "Down", agent.path("status").asText());
        JsonNode events = midway.admin.json("/api/mid/events?since=0").path("result");
        boolean down = false;
        for (JsonNode e : events) {
            down |= "mid_server.down".equals(e.path("name").asText()) && AGENT.equals(e.path("agent").asText())
                    && e.path("detail").asText().contains("stopped by a SystemCommand");
        }
        assertTrue("event mid_server.down for " + AGENT + ": " + events, down);
    }

    // ------------------------------------------------------------------ helpers

    private static void awaitUp(String name, MidwayProcess process) throws Exception {
        Wait.until(AgentAndInstance.STARTUP, "agent " + name + " Up", () -> {
            JsonNode a = midway.agentRecord(name);
            return a != null && "Up".equals(a.path("status").asText());
        }, midway.instance, process);
    }

    private static String text(Path file) throws Exception {
        return Files.readString(file);
    }

    static String insertCommand(String agent, String payload) throws Exception {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("agent", "mid.server." + agent);
        r.put("topic", "SystemCommand");
        r.put("name", "SystemCommand from the e2e test");
        r.put("priority", 0);
        r.set("payload", Http.JSON.readTree(payload));
        return insert(r);
    }

    static String insertScan(String agent, int port, int timeoutMs) throws Exception {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("agent", "mid.server." + agent);
        r.put("topic", "TCPScan");
        r.put("name", "TCPScan from the e2e SystemCommand test");
        r.set("payload", Http.JSON.valueToTree(Map.of("host", "127.0.0.1", "ports", List.of(port), "timeout_ms", timeoutMs)));
        return insert(r);
    }

    private static String insert(ObjectNode record) throws Exception {
        HttpResponse<String> created = midway.admin.send("POST", "/api/now/table/ecc_queue", record.toString());
        assertEquals(created.body(), 201, created.statusCode());
        return Http.parse(created).path("result").path("sys_id").asText();
    }

    static String stateOf(String sysId) throws Exception {
        return midway.admin.json("/api/now/table/ecc_queue/" + sysId).path("result").path("state").asText();
    }

    static JsonNode inputs(String sysId) throws Exception {
        return midway.admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + sysId).path("result");
    }

    /** Waits for the input answering the output record. */
    static JsonNode answer(String sysId, MidwayProcess agent) throws Exception {
        JsonNode[] found = new JsonNode[1];
        Wait.until(Duration.ofSeconds(45), "the input answering " + sysId, () -> {
            JsonNode result = inputs(sysId);
            found[0] = result.size() > 0 ? result.get(0) : null;
            return found[0] != null;
        }, midway.instance, agent);
        return found[0];
    }
}
