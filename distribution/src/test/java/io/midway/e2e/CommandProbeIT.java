package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Command probe on the real distribution: with etc/io.midway.probe.command.cfg allowing one
 * command, an ECC record runs it without a shell and gets its output; a command not on the list
 * ends in error with the reason.
 */
public class CommandProbeIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String AGENT = "e2e-command";

    static Path work;
    static Path copy;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static Http admin;

    @BeforeClass
    public static void start() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        work = Files.createTempDirectory("midway-e2e-command");
        copy = FileSyncIT.copyDistribution(dist, work.resolve("dist"));
        Files.writeString(copy.resolve("etc/io.midway.probe.command.cfg"), "allowed = echo=/bin/echo\ntimeout.ms = 10000\n");
        String adminPassword = CredentialsIT.random();
        String agentPassword = CredentialsIT.random();
        int instancePort = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        instance = MidwayProcess.start(copy, "instance", env, work.resolve("instance.log"), false);
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        Wait.until(STARTUP, "instance_info", () -> admin.get("/api/mid/instance_info").statusCode() == 200, instance);
        Map<String, String> agentEnv = new HashMap<>();
        agentEnv.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        agentEnv.put("MIDWAY_AGENT_NAME", AGENT);
        agentEnv.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        agentEnv.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        agentEnv.put("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()));
        agentEnv.put("MIDWAY_DATA", work.resolve("agent").toString());
        agent = MidwayProcess.start(copy, "agent", agentEnv, work.resolve("agent.log"), false);
        Wait.until(STARTUP, "agent " + AGENT + " Up", () -> {
            JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
            return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
        }, instance, agent);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (MidwayProcess p : new MidwayProcess[] {agent, instance}) {
            if (p != null) {
                p.close();
            }
        }
        if (copy != null) {
            FileSyncIT.deleteTree(copy);
        }
    }

    @Test
    public void anAllowedCommandRunsWithoutAShellAndOthersAreRefused() throws Exception {
        JsonNode ran = run("echo", "hello $(id) ; x");
        assertEquals(ran.toString(), "processed", ran.path("state").asText());
        assertEquals(ran.toString(), 0, ran.path("payload").path("exit_code").asInt());
        assertEquals("the arguments reach the command as they are, no shell", "hello $(id) ; x\n",
                ran.path("payload").path("stdout").asText());

        JsonNode refused = run("rm", "-rf");
        assertEquals(refused.toString(), "error", refused.path("state").asText());
        assertTrue(refused.toString(), refused.path("error_string").asText()
                .contains("command 'rm' is not allowed on this agent; allowed: echo"));
    }

    /** Inserts a Command record and waits for its input (the probe may still be starting). */
    static JsonNode run(String command, String argument) throws Exception {
        JsonNode[] input = new JsonNode[1];
        Wait.until(Duration.ofSeconds(30), "an answer to Command " + command, () -> {
            ObjectNode r = Http.JSON.createObjectNode();
            r.put("agent", "mid.server." + AGENT);
            r.put("topic", "Command");
            r.put("name", command);
            ObjectNode payload = r.putObject("payload");
            payload.put("command", command);
            payload.putArray("args").add(argument);
            HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
            assertEquals(created.body(), 201, created.statusCode());
            String id = Http.parse(created).path("result").path("sys_id").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode result = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id).path("result");
                if (result.size() > 0) {
                    input[0] = result.get(0);
                    // a record that came before the probe started says so: try again
                    return !input[0].path("error_string").asText().startsWith("No probe for topic");
                }
                Thread.sleep(100);
            }
            return false;
        }, instance, agent);
        return input[0];
    }
}
