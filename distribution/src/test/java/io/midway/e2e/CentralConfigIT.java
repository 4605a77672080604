package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Configuration from the centre on the real distribution (issue 17): a global property changes
 * every agent's standard pool without a restart, a property for one agent overrides it there only,
 * a configuration parameter overrides both, deleting them brings back the agent's own {@code etc/}
 * value; bad values and settings only the agent's host may set are refused by the instance.
 */
public class CentralConfigIT {

    private static final String ONE = "cc-one";
    private static final String TWO = "cc-two";
    private static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        midway = AgentAndInstance.start(ONE, false, null);
        midway.addAgent(TWO);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    /** @return the agent's standard pool size and the source of threads.standard, e.g. {@code 25 file} */
    private static String standard(String agent) throws Exception {
        JsonNode json = midway.agentConsole(agent).json("/system/console/midway.json");
        String threads = "?";
        for (JsonNode pool : json.path("status").path("pools")) {
            if (pool.path("name").asText().equals("standard")) {
                threads = pool.path("threads").asText();
            }
        }
        String source = "?";
        for (JsonNode setting : json.path("configuration")) {
            if (setting.path("key").asText().equals("threads.standard")) {
                source = setting.path("value").asText() + " " + setting.path("source").asText();
            }
        }
        return threads + " (" + source + ")";
    }

    private static void await(String agent, String expected) throws Exception {
        String[] last = {""};
        Wait.until(Duration.ofSeconds(30), agent + " standard pool " + expected, () -> {
            last[0] = standard(agent);
            return last[0].equals(expected);
        }, midway.instance);
    }

    private static String create(String table, String json) throws Exception {
        HttpResponse<String> r = midway.admin.send("POST", "/api/now/table/" + table, json);
        assertEquals(r.body(), 201, r.statusCode());
        return Http.JSON.readTree(r.body()).path("result").path("sys_id").asText();
    }

    private static void delete(String table, String sysId) throws Exception {
        HttpResponse<String> r = midway.admin.send("DELETE", "/api/now/table/" + table + "/" + sysId, null);
        assertEquals(r.body(), 204, r.statusCode());
    }

    private static long runtimeStarts(String agent) throws Exception {
        String log = Files.readString(midway.agentData(agent).resolve("agent.log"), StandardCharsets.UTF_8);
        return log.lines().filter(l -> l.contains("Agent '" + agent + "'") && l.contains(" starting: instance ")).count();
    }

    @Test
    public void propertiesAndParametersApplyWithoutARestartInTheirOrder() throws Exception {
        await(ONE, "25 (25 file)");
        await(TWO, "25 (25 file)");

        String global = create("ecc_agent_property", "{\"name\":\"threads.standard\",\"value\":\"8\"}");
        await(ONE, "8 (8 global_property)");
        await(TWO, "8 (8 global_property)");

        String forTwo = create("ecc_agent_property", "{\"name\":\"threads.standard\",\"value\":\"5\",\"agent\":\"" + TWO + "\"}");
        await(TWO, "5 (5 agent_property)");
        assertEquals("the other agent keeps the global property", "8 (8 global_property)", standard(ONE));

        String parameter = create("ecc_agent_config", "{\"name\":\"threads.standard\",\"value\":\"3\",\"agent\":\"" + TWO + "\"}");
        await(TWO, "3 (3 parameter)");

        // the instance shows what the agent reports: the value, its source, the state
        Wait.until(Duration.ofSeconds(30), "the Agents page shows " + TWO + "'s parameter", () -> {
            for (JsonNode agent : midway.admin.json("/system/console/agents.json").path("agent_config")) {
                if (agent.path("name").asText().equals(TWO) && agent.path("config_state").asText().equals("applied")) {
                    for (JsonNode setting : agent.path("effective")) {
                        if (setting.path("name").asText().equals("threads.standard")) {
                            return setting.path("value").asText().equals("3")
                                    && setting.path("source").asText().equals("parameter");
                        }
                    }
                }
            }
            return false;
        }, midway.instance);

        // work still runs on the changed pools
        JsonNode answer = midway.probe("HeartbeatProbe", "after the change", Http.JSON.createObjectNode());
        assertTrue(answer.toString(), answer.path("error_string").isNull());
        assertEquals(answer.toString(), "alive", answer.path("payload").path("status").asText());

        delete("ecc_agent_config", parameter);
        await(TWO, "5 (5 agent_property)");
        delete("ecc_agent_property", forTwo);
        await(TWO, "8 (8 global_property)");
        delete("ecc_agent_property", global);
        await(ONE, "25 (25 file)");
        await(TWO, "25 (25 file)");

        assertEquals("applied without starting the agent runtime again", 1, runtimeStarts(ONE));
        assertEquals("applied without starting the agent runtime again", 1, runtimeStarts(TWO));
        assertEquals("Up", midway.agentRecord(TWO).path("status").asText());
    }

    /** @return the value and source of a setting on the agent's Midway page, e.g. {@code 9 global_property} */
    private static String setting(String agent, String name) throws Exception {
        for (JsonNode s : midway.agentConsole(agent).json("/system/console/midway.json").path("configuration")) {
            if (s.path("key").asText().equals(name)) {
                return s.path("value").asText() + " " + s.path("source").asText();
            }
        }
        return "none";
    }

    @Test
    public void aProbeSettingFromTheInstanceReachesTheProbeComponent() throws Exception {
        assertEquals("64 default", setting(ONE, "probe.tcp.max.parallel.connects"));
        String id = create("ecc_agent_property", "{\"name\":\"probe.tcp.max.parallel.connects\",\"value\":\"9\"}");
        Wait.until(Duration.ofSeconds(30), "probe.tcp.max.parallel.connects 9 on " + ONE,
                () -> setting(ONE, "probe.tcp.max.parallel.connects").equals("9 global_property"), midway.instance);
        // the TCPScan probe still answers after its component took the new value
        com.fasterxml.jackson.databind.node.ObjectNode payload = Http.JSON.createObjectNode();
        payload.put("host", "127.0.0.1");
        payload.putArray("ports").add(1);
        JsonNode answer = midway.probe("TCPScan", "after the setting", payload);
        assertTrue(answer.toString(), answer.path("error_string").isNull());
        delete("ecc_agent_property", id);
        Wait.until(Duration.ofSeconds(30), "probe.tcp.max.parallel.connects back to its default on " + ONE,
                () -> setting(ONE, "probe.tcp.max.parallel.connects").equals("64 default"), midway.instance);
    }

    @Test
    public void theInstanceRefusesBadValuesAndLocalSettingsNamingTheRule() throws Exception {
        HttpResponse<String> bad = midway.admin.send("POST", "/api/now/table/ecc_agent_property",
                "{\"name\":\"threads.standard\",\"value\":\"lots\"}");
        assertEquals(bad.body(), 400, bad.statusCode());
        assertTrue(bad.body(), bad.body().contains("threads.standard must be a whole number from 1 to 1000"));

        HttpResponse<String> range = midway.admin.send("POST", "/api/now/table/ecc_agent_config",
                "{\"name\":\"poll.wait.ms\",\"value\":\"-1\",\"agent\":\"" + ONE + "\"}");
        assertEquals(range.body(), 400, range.statusCode());
        assertTrue(range.body(), range.body().contains("poll.wait.ms must be a whole number from 0 to 600000"));

        HttpResponse<String> url = midway.admin.send("POST", "/api/now/table/ecc_agent_property",
                "{\"name\":\"instance.url\",\"value\":\"https://elsewhere.invalid\"}");
        assertEquals(url.body(), 400, url.statusCode());
        assertTrue(url.body(), url.body().contains("instance.url cannot be set from the instance"));

        HttpResponse<String> unknown = midway.admin.send("POST", "/api/now/table/ecc_agent_property",
                "{\"name\":\"threads.bogus\",\"value\":\"1\"}");
        assertEquals(unknown.body(), 400, unknown.statusCode());
        assertTrue(unknown.body(), unknown.body().contains("unknown agent setting 'threads.bogus'"));
    }
}
