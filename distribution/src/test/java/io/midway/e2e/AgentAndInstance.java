package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The real distribution as a user runs it: {@code bin/instance} and one {@code bin/agent}
 * connected to it, on free loopback ports, each with its own data folder, random passwords, and
 * logs in a temporary work folder. Waits until the agent is {@code Up}. Helpers send ECC output
 * records to the agent and wait for their answers, as an operator would with curl.
 */
final class AgentAndInstance implements AutoCloseable {

    static final Duration STARTUP = Duration.ofSeconds(90);

    /** Changes a copy of the distribution before it starts, e.g. to write an etc/*.cfg file. */
    interface Preparation {
        void prepare(Path distributionCopy) throws IOException;
    }

    final String agentName;
    final Path work;
    /** The distribution the processes run from: a copy when the test prepared one. */
    final Path home;
    final MidwayProcess instance;
    final MidwayProcess agent;
    final Http admin;
    private final Path copy;
    private final Map<String, String> agentEnvironment = new HashMap<>();
    /** The HTTP port (Web Console) of each agent, by name. */
    private static final Map<String, Integer> AGENT_PORTS = new java.util.concurrent.ConcurrentHashMap<>();
    /** The process of each agent, by name: the last one started under that name. */
    private static final Map<String, MidwayProcess> AGENT_PROCESSES = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.List<MidwayProcess> extras = new java.util.concurrent.CopyOnWriteArrayList<>();

    private AgentAndInstance(String agentName, Path work, Path copy, MidwayProcess instance, MidwayProcess agent, Http admin) {
        this.agentName = agentName;
        this.work = work;
        this.copy = copy;
        this.home = copy != null ? copy : Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        this.instance = instance;
        this.agent = agent;
        this.admin = admin;
    }

    /**
     * Starts the instance and an agent.
     *
     * @param agentName the agent's name
     * @param terminal whether the agent runs in a terminal, so that {@link MidwayProcess#shell} works
     * @param preparation changes to a copy of the distribution before it starts, or {@code null} to
     *     run the built distribution as it is
     * @return the running pair
     */
    static AgentAndInstance start(String agentName, boolean terminal, Preparation preparation) throws Exception {
        return start(agentName, terminal, preparation, Map.of());
    }

    /**
     * Starts the instance, with more environment, and an agent.
     *
     * @param agentName the agent's name
     * @param terminal whether the agent runs in a terminal
     * @param preparation changes to a copy of the distribution, or {@code null}
     * @param instanceEnvironment more environment of bin/instance, e.g. {@code MIDWAY_HEARTBEAT_SECONDS}
     * @return the running pair
     */
    static AgentAndInstance start(String agentName, boolean terminal, Preparation preparation,
            Map<String, String> instanceEnvironment) throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = TestFolders.temporary("midway-e2e-" + agentName + "-");
        Path copy = null;
        if (preparation != null) {
            copy = FileSyncIT.copyDistribution(dist, work.resolve("dist"));
            preparation.prepare(copy);
        }
        Path home = copy == null ? dist : copy;
        String adminPassword = CredentialsIT.random();
        String agentPassword = CredentialsIT.random();
        int instancePort = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        env.putAll(instanceEnvironment);
        MidwayProcess instance = MidwayProcess.start(home, "instance", env, work.resolve("instance.log"), false);
        MidwayProcess agent = null;
        try {
            Http admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
            Wait.until(STARTUP, "instance_info", () -> admin.get("/api/mid/instance_info").statusCode() == 200, instance);
            Map<String, String> agentEnv = new HashMap<>();
            agentEnv.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
            agentEnv.put("MIDWAY_AGENT_PASSWORD", agentPassword);
            agentEnv.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
            agent = startAgent(home, work, agentEnv, agentName, "agent", terminal);
            AgentAndInstance pair = new AgentAndInstance(agentName, work, copy, instance, agent, admin);
            pair.agentEnvironment.putAll(agentEnv);
            Wait.until(STARTUP, "agent " + agentName + " Up", () -> {
                JsonNode a = pair.agentRecord();
                return a != null && "Up".equals(a.path("status").asText());
            }, instance, agent);
            return pair;
        } catch (Exception | AssertionError e) {
            if (agent != null) {
                agent.close();
            }
            instance.close();
            throw e;
        }
    }

    /**
     * Starts an agent with its own name, HTTP port, data folder {@code work/<folder>} and log
     * {@code work/<folder>.log}.
     */
    private static MidwayProcess startAgent(Path home, Path work, Map<String, String> common, String name, String folder,
            boolean terminal) throws Exception {
        Map<String, String> env = new HashMap<>(common);
        env.put("MIDWAY_AGENT_NAME", name);
        int port = Ports.free();
        AGENT_PORTS.put(name, port);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(port));
        env.put("MIDWAY_DATA", work.resolve(folder).toString());
        MidwayProcess agent = MidwayProcess.start(home, "agent", env, work.resolve(folder + ".log"), terminal);
        AGENT_PROCESSES.put(name, agent);
        return agent;
    }

    /**
     * Starts one more agent on the same instance (own data folder, port and log), and waits until it is Up.
     *
     * @param name its name
     * @return its process; stopped by {@link #close()}
     */
    MidwayProcess addAgent(String name) throws Exception {
        MidwayProcess extra = startAgent(home, work, agentEnvironment, name, "agent-" + name, false);
        extras.add(extra);
        Wait.until(STARTUP, "agent " + name + " Up", () -> {
            JsonNode a = agentRecord(name);
            return a != null && "Up".equals(a.path("status").asText());
        }, instance, extra);
        return extra;
    }

    /**
     * Starts the first agent again on its data folder (after it was killed or stopped), with a new
     * log {@code work/agent-<n>.log}; does not wait for it.
     *
     * @param n which start this is, for the log's name
     * @return its process; stopped by {@link #close()}
     */
    MidwayProcess startAgentAgain(int n) throws Exception {
        Map<String, String> env = new HashMap<>(agentEnvironment);
        env.put("MIDWAY_AGENT_NAME", agentName);
        int port = Ports.free();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(port));
        env.put("MIDWAY_DATA", work.resolve("agent").toString());
        MidwayProcess again = MidwayProcess.start(home, "agent", env, work.resolve("agent-" + n + ".log"), false);
        AGENT_PORTS.put(agentName, port);
        AGENT_PROCESSES.put(agentName, again);
        extras.add(again);
        return again;
    }

    /**
     * Waits until the agent's HTTP port (Web Console) is open, then gives a client of it. An agent
     * is Up as soon as its core, protocols and probes run, and its HTTP server (started with the
     * Web Console beside its connection) opens a moment later: bin/agent says so with its line
     * {@code midway: agent started}, printed once the port is open.
     *
     * @param name an agent's name
     * @return a client of that agent's own HTTP port (Web Console), as user {@code admin}
     */
    Http agentConsole(String name) throws Exception {
        Integer port = AGENT_PORTS.get(name);
        MidwayProcess process = AGENT_PROCESSES.get(name);
        assertNotNull("no agent " + name + " was started", port);
        Wait.until(STARTUP, "agent " + name + "'s console (its line \"midway: agent started\")",
                () -> process.output().contains("midway: agent started"), process);
        return new Http("http://127.0.0.1:" + port, "admin", agentEnvironment.get("MIDWAY_ADMIN_PASSWORD"));
    }

    /** @return the instance's base URL, e.g. {@code http://127.0.0.1:PORT} */
    String instanceUrl() {
        return agentEnvironment.get("MIDWAY_INSTANCE_URL");
    }

    /** @return the admin password of both processes (for a browser login; never logged) */
    String adminPassword() {
        return agentEnvironment.get("MIDWAY_ADMIN_PASSWORD");
    }

    /** @return the shared agent user's password (the enrollment secret) */
    String sharedAgentPassword() {
        return agentEnvironment.get("MIDWAY_AGENT_PASSWORD");
    }

    /**
     * @param name an agent's name
     * @return its data folder ({@code MIDWAY_DATA})
     */
    Path agentData(String name) {
        return work.resolve(name.equals(agentName) ? "agent" : "agent-" + name);
    }

    /** @return the agent's {@code ecc_agent} record, or {@code null} before it registered */
    JsonNode agentRecord() throws Exception {
        return agentRecord(agentName);
    }

    /**
     * @param name an agent's name
     * @return its {@code ecc_agent} record, or {@code null} before it registered
     */
    JsonNode agentRecord(String name) throws Exception {
        JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + name).path("result");
        return result.size() == 1 ? result.get(0) : null;
    }

    /** @return the agent's advertised capabilities as JSON text */
    String capabilities() throws Exception {
        JsonNode a = agentRecord();
        return a == null ? "" : a.path("capabilities").toString();
    }

    /** Waits until the agent advertises the capability (a protocol bundle is active). */
    void awaitCapability(String capability, boolean present) throws Exception {
        Wait.until(Duration.ofSeconds(30), "capability " + capability + (present ? " advertised" : " gone"),
                () -> capabilities().contains("\"" + capability + "\"") == present, instance, agent);
    }

    /**
     * Creates a {@code discovery_credentials} record.
     *
     * @param json the record
     * @return its sys_id
     */
    String createCredential(String json) throws Exception {
        HttpResponse<String> created = admin.send("POST", "/api/now/table/discovery_credentials", json);
        assertEquals(created.body(), 201, created.statusCode());
        return Http.parse(created).path("result").path("sys_id").asText();
    }

    /**
     * Sends output records for the topic until one is answered with something other than "the probe
     * (or a credential just created) is not there yet".
     *
     * @param topic the ECC topic
     * @param name the record's name
     * @param payload the payload
     * @return the input record that answered
     */
    JsonNode probe(String topic, String name, ObjectNode payload) throws Exception {
        return probe(topic, name, payload, input -> {
            String error = input.path("error_string").asText();
            return !(error.startsWith("No probe for topic") || error.startsWith("no credential"));
        });
    }

    /**
     * Sends output records for the topic until one is answered with an input the test accepts.
     *
     * @param accept which answer ends the wait
     * @return the input record that answered
     */
    JsonNode probe(String topic, String name, ObjectNode payload, Predicate<JsonNode> accept) throws Exception {
        JsonNode[] input = new JsonNode[1];
        Wait.until(Duration.ofSeconds(45), "an answer to " + topic + " " + name, () -> {
            ObjectNode r = Http.JSON.createObjectNode();
            r.put("agent", "mid.server." + agentName);
            r.put("topic", topic);
            r.put("name", name);
            r.set("payload", payload);
            HttpResponse<String> created = admin.send("POST", "/api/now/table/ecc_queue", r.toString());
            assertEquals(created.body(), 201, created.statusCode());
            String id = Http.parse(created).path("result").path("sys_id").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode result = admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^response_to=" + id).path("result");
                if (result.size() > 0) {
                    input[0] = result.get(0);
                    return accept.test(input[0]);
                }
                Thread.sleep(100);
            }
            return false;
        }, instance, agent);
        assertNotNull(input[0]);
        return input[0];
    }

    /**
     * @param symbolicName a bundle's symbolic name
     * @return its id in the agent, read from {@code lb -s} in the agent's shell
     */
    String bundleId(String symbolicName) throws Exception {
        Pattern line = Pattern.compile("^\\s*(\\d+)\\s*\\|.*\\|\\s*" + Pattern.quote(symbolicName) + "\\s*\\(", Pattern.MULTILINE);
        String listing = String.join("\n", agent.shell("lb -s", out -> line.matcher(out).find(), Duration.ofSeconds(20)));
        Matcher m = line.matcher(listing);
        assertTrue(listing, m.find());
        return m.group(1);
    }

    @Override
    public void close() throws Exception {
        try {
            for (MidwayProcess extra : extras) {
                extra.close();
            }
            agent.close();
        } finally {
            instance.close();
            if (copy != null) {
                FileSyncIT.deleteTree(copy);
            }
        }
    }
}
