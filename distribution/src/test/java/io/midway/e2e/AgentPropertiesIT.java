package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Configuration from the instance on the real distribution (issue 17, the instance's side): the
 * Table API of agent properties and parameters with its refusals, the agent-facing
 * {@code /api/mid/config} for an agent's own identity only, the poll's {@code config_revision},
 * and the Agent properties console page.
 */
public class AgentPropertiesIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final String AGENT = "props-a";

    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        midway = AgentAndInstance.start(AGENT, false, null);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    @Test
    public void anAdminSetsSettingsAndAnAgentReadsOnlyItsOwn() throws Exception {
        midway.agentRecord();
        HttpResponse<String> global = midway.admin.send("POST", "/api/now/table/ecc_agent_property",
                "{\"name\":\"threads.standard\",\"value\":\"8\"}");
        assertEquals(global.body(), 201, global.statusCode());
        HttpResponse<String> parameter = midway.admin.send("POST", "/api/now/table/ecc_agent_config",
                "{\"name\":\"threads.standard\",\"value\":\"4\",\"agent\":\"" + AGENT + "\"}");
        assertEquals(parameter.body(), 201, parameter.statusCode());
        HttpResponse<String> bad = midway.admin.send("POST", "/api/now/table/ecc_agent_property",
                "{\"name\":\"threads.standard\",\"value\":\"abc\"}");
        assertEquals(400, bad.statusCode());
        assertEquals("threads.standard must be a whole number from 1 to 1000, not 'abc'",
                Http.parse(bad).path("error").path("message").asText());
        HttpResponse<String> local = midway.admin.send("POST", "/api/now/table/ecc_agent_property",
                "{\"name\":\"agent.name\",\"value\":\"other\"}");
        assertEquals(400, local.statusCode());
        assertTrue(local.body(), local.body().contains("agent.name cannot be set from the instance"));

        // an identity made by an admin for this agent, and one for another agent
        HttpResponse<String> own = midway.admin.send("POST", "/api/now/table/sys_user", "{\"user_name\":\"props-own\","
                + "\"password\":\"props-own-password-1\",\"roles\":\"mid_server\",\"agent\":\"" + AGENT + "\"}");
        assertEquals(own.body(), 201, own.statusCode());
        midway.admin.send("POST", "/api/now/table/sys_user", "{\"user_name\":\"props-other\","
                + "\"password\":\"props-other-password-1\",\"roles\":\"mid_server\",\"agent\":\"props-b\"}");
        Http agent = new Http(midway.admin.base(), "props-own", "props-own-password-1");
        Http other = new Http(midway.admin.base(), "props-other", "props-other-password-1");

        JsonNode config = agent.json("/api/mid/config?agent=" + AGENT);
        assertEquals("2", config.path("revision").asText());
        assertEquals("4", config.path("result").path(0).path("value").asText());
        assertEquals("parameter", config.path("result").path(0).path("source").asText());
        assertEquals(403, other.get("/api/mid/config?agent=" + AGENT).statusCode());
        assertEquals(403, agent.get("/api/now/table/ecc_agent_property").statusCode());
        assertEquals(403, other.send("POST", "/api/mid/config/report", "{\"name\":\"" + AGENT
                + "\",\"revision\":\"2\",\"state\":\"applied\"}").statusCode());

        JsonNode poll = agent.json("/api/mid/ecc/poll?agent=" + AGENT + "&wait_ms=20000&config_revision=0");
        assertEquals("an old revision answers at once with the current one", "2", poll.path("config_revision").asText());

        HttpResponse<String> page = midway.admin.get("/system/console/agent-properties");
        assertEquals(200, page.statusCode());
        assertTrue(page.body(), page.body().contains("<code id=\"midway-config-revision\">2</code>"));
        JsonNode pageJson = midway.admin.json("/system/console/agent-properties.json");
        assertEquals(1, pageJson.path("parameters").size());
    }
}
