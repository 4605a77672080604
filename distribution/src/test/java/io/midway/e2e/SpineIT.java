package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.servers.TestPrograms;

/**
 * The spine, end to end, on the real distribution: bin/instance and bin/agent started as a user
 * would, driven over HTTP, the Gogo shell (through a terminal) and the Web Console. The steps
 * build on each other and run in name order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SpineIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String AGENT = "e2e-agent";

    static Path dist;
    static Path work;
    static int instancePort;
    static int agentPort;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static String adminPassword;
    static String agentPassword;
    static Http admin;
    static Http anonymous;

    @BeforeClass
    public static void startInstanceAndAgent() throws Exception {
        dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        assertTrue("distribution not built at " + dist, Files.isExecutable(dist.resolve("bin/instance")));
        work = TestFolders.temporary("midway-e2e");
        instancePort = Ports.free();
        agentPort = Ports.free();
        instance = startInstance();
        adminPassword = Files.readString(work.resolve("instance/admin.password"), StandardCharsets.UTF_8).trim();
        agentPassword = Files.readString(work.resolve("instance/agent.password"), StandardCharsets.UTF_8).trim();
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        anonymous = new Http("http://127.0.0.1:" + instancePort, null, null);

        Map<String, String> env = agentEnv(AGENT, agentPort, work.resolve("agent"));
        agent = MidwayProcess.start(dist, "agent", env, work.resolve("agent.log"), true);
        Wait.until(STARTUP, "agent " + AGENT + " Up and validated", () -> {
            JsonNode a = agentRecord(AGENT);
            return a != null && "Up".equals(a.path("status").asText()) && a.path("validated").asBoolean();
        }, instance, agent);
    }

    static MidwayProcess startInstance() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_HEARTBEAT_SECONDS", "2");
        MidwayProcess p = MidwayProcess.start(dist, "instance", env, work.resolve("instance.log"), false);
        Http probe = new Http("http://127.0.0.1:" + instancePort, null, null);
        Wait.until(STARTUP, "instance_info", () -> probe.get("/api/mid/instance_info").statusCode() == 200, p);
        return p;
    }

    static Map<String, String> agentEnv(String name, int port, Path data) {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        env.put("MIDWAY_AGENT_NAME", name);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(port));
        env.put("MIDWAY_DATA", data.toString());
        return env;
    }

    @AfterClass
    public static void stopAll() throws Exception {
        for (MidwayProcess p : new MidwayProcess[] {agent, Extra.agentB, instance}) {
            if (p != null) {
                p.close();
            }
        }
    }

    static JsonNode agentRecord(String name) throws IOException, InterruptedException {
        JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + name).path("result");
        return result.size() == 1 ? result.get(0) : null;
    }

    /** Inserts an output record; returns its sys_id. */
    static String insert(String agentName, String topic, Object payload) throws Exception {
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("agent", "mid.server." + agentName);
        r.put("topic", topic);
        r.put("name", topic + " from the e2e test");
        r.set("payload", Http.JSON.valueToTree(payload));
        HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
        assertEquals(created.body(), 201, created.statusCode());
        JsonNode result = Http.parse(created).path("result");
        assertEquals("output", result.path("queue").asText());
        assertEquals("ready", result.path("state").asText());
        return result.path("sys_id").asText();
    }

    /** Waits for the input answering an output record. */
    static JsonNode awaitInput(String sysId, Duration timeout, MidwayProcess... watch) throws Exception {
        JsonNode[] found = new JsonNode[1];
        Wait.until(timeout, "the input answering " + sysId, () -> {
            JsonNode result = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + sysId).path("result");
            found[0] = result.size() > 0 ? result.get(0) : null;
            return found[0] != null;
        }, watch);
        return found[0];
    }

    @Test
    public void t01_authenticationAndErrorShape() throws Exception {
        HttpResponse<String> noAuth = anonymous.get("/api/now/table/ecc_queue");
        assertEquals(401, noAuth.statusCode());
        assertEquals("failure", Http.parse(noAuth).path("status").asText());
        assertTrue(noAuth.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));

        Http wrong = new Http("http://127.0.0.1:" + instancePort, "admin", "admin");
        assertEquals("no default password", 401, wrong.get("/api/now/table/ecc_queue").statusCode());

        Http asAgent = new Http("http://127.0.0.1:" + instancePort, "mid", agentPassword);
        HttpResponse<String> forbidden = asAgent.get("/api/now/table/ecc_queue");
        assertEquals(403, forbidden.statusCode());
        assertFalse(Http.parse(forbidden).path("error").path("message").asText().isEmpty());

        HttpResponse<String> bad = admin.send("POST", "/api/now/table/ecc_queue", "{not json");
        assertEquals(400, bad.statusCode());
        JsonNode error = Http.parse(bad).path("error");
        assertFalse(error.path("message").asText().isEmpty());
        assertFalse("no stack trace in errors", bad.body().contains("at io.midway"));

        HttpResponse<String> badQuery = admin.get("/api/now/table/ecc_queue?sysparm_query=nosuchfield=1");
        assertEquals(400, badQuery.statusCode());
        assertTrue(badQuery.body(), badQuery.body().contains("nosuchfield"));

        assertEquals(404, admin.get("/api/now/table/ecc_queue/0000000000").statusCode());
        assertEquals(200, admin.get("/api/now/v2/table/ecc_queue?sysparm_limit=1&sysparm_display_value=true").statusCode());

        JsonNode info = anonymous.json("/api/mid/instance_info");
        assertFalse(info.path("version").asText().isEmpty());
    }

    @Test
    public void t02_agentRegisteredWithItsDetails() throws Exception {
        JsonNode a = agentRecord(AGENT);
        assertNotNull(a);
        assertEquals("Up", a.path("status").asText());
        assertFalse(a.path("version").asText().isEmpty());
        assertFalse(a.path("host_name").asText().isEmpty());
        assertFalse(a.path("last_refreshed").asText().isEmpty());
        // the generated passwords are never in the logs
        assertFalse(instance.output().contains(adminPassword));
        assertFalse(instance.output().contains(agentPassword));
        assertFalse(agent.output().contains(agentPassword));
    }

    @Test
    public void t03_tcpScanFindsTheOpenAndTheClosedPort() throws Exception {
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int closed = Ports.free();
            String id = insert(AGENT, "TCPScan", Map.of("host", "127.0.0.1",
                    "ports", new int[] {open.getLocalPort(), closed}, "timeout_ms", 500));
            JsonNode input = awaitInput(id, Duration.ofSeconds(20), agent);
            assertEquals(input.toString(), "processed", input.path("state").asText());
            JsonNode host = input.path("payload").path("hosts").get(0);
            assertEquals("127.0.0.1", host.path("host").asText());
            assertEquals("[" + open.getLocalPort() + "]", host.path("open").toString());
            assertEquals("[" + closed + "]", host.path("closed").toString());
            JsonNode output = admin.json("/api/now/table/ecc_queue/" + id).path("result");
            assertEquals("processed", output.path("state").asText());
            assertFalse(output.path("processed").asText().isEmpty());
        }
    }

    @Test
    public void t04_unknownTopicEndsInErrorWithAClearMessage() throws Exception {
        String id = insert(AGENT, "NoSuchProbe", Map.of());
        JsonNode input = awaitInput(id, Duration.ofSeconds(20), agent);
        assertEquals("error", input.path("state").asText());
        String message = input.path("error_string").asText();
        assertTrue(message, message.contains("NoSuchProbe") && message.contains(AGENT));
        assertEquals("error", admin.json("/api/now/table/ecc_queue/" + id).path("result").path("state").asText());
    }

    @Test
    public void t05_pauseHoldsStandardWorkButKeepsHeartbeats() throws Exception {
        String sysId = agentRecord(AGENT).path("sys_id").asText();
        HttpResponse<String> paused = admin.send("PATCH", "/api/now/table/ecc_agent/" + sysId, "{\"status\":\"Paused\"}");
        assertEquals(paused.body(), 200, paused.statusCode());
        assertEquals("Paused", agentRecord(AGENT).path("status").asText());

        String held = insert(AGENT, "TCPScan", Map.of("host", "127.0.0.1", "ports", new int[] {Ports.free()}));
        // Heartbeats (every 2 s) keep being answered while paused: wait for one answered after now.
        long before = heartbeatsAnswered();
        Wait.until(Duration.ofSeconds(15), "a heartbeat answered while paused", () -> heartbeatsAnswered() > before, agent);
        assertEquals("standard work is held while paused", "ready",
                admin.json("/api/now/table/ecc_queue/" + held).path("result").path("state").asText());
        assertEquals("Paused", agentRecord(AGENT).path("status").asText());

        HttpResponse<String> bad = admin.send("PATCH", "/api/now/table/ecc_agent/" + sysId, "{\"status\":\"Sleeping\"}");
        assertEquals(400, bad.statusCode());

        assertEquals(200, admin.send("PATCH", "/api/now/table/ecc_agent/" + sysId, "{\"status\":\"Up\"}").statusCode());
        JsonNode input = awaitInput(held, Duration.ofSeconds(20), agent);
        assertEquals("processed", input.path("state").asText());

        JsonNode events = admin.json("/api/mid/events?since=0").path("result");
        assertTrue(events.toString(), events.toString().contains("mid_server.paused"));
    }

    static long heartbeatsAnswered() throws Exception {
        return admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^topic=HeartbeatProbe^agent=mid.server." + AGENT)
                .path("result").size();
    }

    @Test
    public void t06_gogoShellStatusPauseResume() throws Exception {
        agent.type("mid:status");
        Wait.until(Duration.ofSeconds(20), "mid:status output", () -> {
            String out = agent.output();
            int at = out.lastIndexOf("mid:status");
            return at >= 0 && out.substring(at).contains(AGENT) && out.substring(at).contains("Up");
        }, agent);
        agent.type("mid:pause");
        Wait.until(Duration.ofSeconds(20), "Paused after mid:pause",
                () -> "Paused".equals(agentRecord(AGENT).path("status").asText()), agent);
        agent.type("mid:resume");
        Wait.until(Duration.ofSeconds(20), "Up after mid:resume",
                () -> "Up".equals(agentRecord(AGENT).path("status").asText()), agent);
    }

    @Test
    public void t07_webConsoleWithTheMidwayPage() throws Exception {
        String consolePassword = Files.readString(work.resolve("agent/admin.password"), StandardCharsets.UTF_8).trim();
        Http console = new Http("http://127.0.0.1:" + agentPort, "admin", consolePassword);
        HttpResponse<String> page = console.get("/system/console/midway");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains(AGENT));
        assertTrue(page.body().contains("TCPScan"));
        assertFalse(page.body().contains(agentPassword));
        assertEquals(401, new Http("http://127.0.0.1:" + agentPort, null, null).get("/system/console/midway").statusCode());
        assertEquals(401, new Http("http://127.0.0.1:" + agentPort, "admin", "admin").get("/system/console/bundles").statusCode());
        Http instanceConsole = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        assertEquals(200, instanceConsole.get("/system/console/bundles").statusCode());
    }

    @Test
    public void t08_probeDroppedIntoDeployWorksAtOnce() throws Exception {
        Extra.startAgentWithoutTcpProbe();
        String before = insert(Extra.AGENT_B, "TCPScan", Map.of("host", "127.0.0.1", "ports", new int[] {Ports.free()}));
        JsonNode refused = awaitInput(before, Duration.ofSeconds(20), Extra.agentB);
        assertEquals("error", refused.path("state").asText());
        assertTrue(refused.path("error_string").asText().contains("TCPScan"));

        Path jar;
        try (Stream<Path> s = Files.list(dist.resolve("system/agent"))) {
            jar = s.filter(p -> p.getFileName().toString().startsWith("io.midway.probe.tcp")).findFirst().orElseThrow();
        }
        Files.copy(jar, work.resolve("agent-b/deploy").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            JsonNode[] last = new JsonNode[1];
            Wait.until(Duration.ofSeconds(30), "TCPScan working after the drop", () -> {
                String id = insert(Extra.AGENT_B, "TCPScan", Map.of("host", "127.0.0.1", "ports", new int[] {open.getLocalPort()}));
                last[0] = awaitInput(id, Duration.ofSeconds(20), Extra.agentB);
                return "processed".equals(last[0].path("state").asText());
            }, Extra.agentB);
            assertEquals("[" + open.getLocalPort() + "]", last[0].path("payload").path("hosts").get(0).path("open").toString());
        }
    }

    @Test
    public void t09_killedAgentGoesDown() throws Exception {
        agent.kill();
        Wait.until(Duration.ofSeconds(30), AGENT + " Down after kill",
                () -> "Down".equals(agentRecord(AGENT).path("status").asText()), instance);
        JsonNode events = admin.json("/api/mid/events?since=0").path("result");
        boolean down = false;
        for (JsonNode e : events) {
            down |= "mid_server.down".equals(e.path("name").asText()) && AGENT.equals(e.path("agent").asText());
        }
        assertTrue(events.toString(), down);
        assertEquals("the other agent stays Up", "Up", agentRecord(Extra.AGENT_B).path("status").asText());
    }

    @Test
    public void t10_instanceRestartKeepsQueueAndAgents() throws Exception {
        JsonNode queueBefore = admin.json("/api/now/table/ecc_queue?sysparm_fields=sys_id,state&sysparm_limit=10000").path("result");
        JsonNode agentsBefore = admin.json("/api/now/table/ecc_agent?sysparm_fields=sys_id,name").path("result");
        long lastEvent = lastEventSeq();
        int exit = instance.stop(Duration.ofSeconds(30));
        assertTrue("the instance stops cleanly on SIGTERM (exit " + exit + ")", exit == 0 || exit == 143);
        instance = startInstance();
        // every record from before is still there (the running agent's heartbeats may add more)
        java.util.Set<String> after = new java.util.HashSet<>();
        admin.json("/api/now/table/ecc_queue?sysparm_fields=sys_id,state&sysparm_limit=10000").path("result")
                .forEach(r -> after.add(r.path("sys_id").asText()));
        for (JsonNode r : queueBefore) {
            assertTrue("record " + r.path("sys_id").asText() + " survives the restart", after.contains(r.path("sys_id").asText()));
        }
        assertEquals(agentsBefore, admin.json("/api/now/table/ecc_agent?sysparm_fields=sys_id,name").path("result"));
        assertTrue("events survive the restart", lastEventSeq() >= lastEvent);

        // the running agent reconnects by itself and does work again
        Wait.until(Duration.ofSeconds(60), Extra.AGENT_B + " Up after the instance restart",
                () -> "Up".equals(agentRecord(Extra.AGENT_B).path("status").asText()), instance, Extra.agentB);
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String id = insert(Extra.AGENT_B, "TCPScan", Map.of("host", "127.0.0.1", "ports", new int[] {open.getLocalPort()}));
            assertEquals("processed", awaitInput(id, Duration.ofSeconds(30), Extra.agentB).path("state").asText());
        }
    }

    static long lastEventSeq() throws Exception {
        JsonNode events = admin.json("/api/mid/events?since=0").path("result");
        return events.size() == 0 ? 0 : events.get(events.size() - 1).path("seq").asLong();
    }

    /** The second agent, started from a copy of the distribution that lacks the TCP probe. */
    static final class Extra {
        static final String AGENT_B = "e2e-agent-b";
        static MidwayProcess agentB;
        static Path copy;

        static void startAgentWithoutTcpProbe() throws Exception {
            copy = work.resolve("dist-copy");
            Files.createDirectories(copy);
            new ProcessBuilder(TestPrograms.path("cp").toString(), "-a", dist + "/.", copy.toString()).inheritIO().start().waitFor();
            try (Stream<Path> s = Files.list(copy.resolve("system/agent"))) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (p.getFileName().toString().startsWith("io.midway.probe.tcp")) {
                        Files.delete(p);
                    }
                }
            }
            agentB = MidwayProcess.start(copy, "agent", agentEnv(AGENT_B, Ports.free(), work.resolve("agent-b")),
                    work.resolve("agent-b.log"), false);
            Wait.until(STARTUP, AGENT_B + " Up", () -> {
                JsonNode a = agentRecord(AGENT_B);
                return a != null && "Up".equals(a.path("status").asText()) && a.path("validated").asBoolean();
            }, instance, agentB);
        }
    }
}
