package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.protocol.http.internal.LoopbackServer;

/**
 * A failover cluster of three real agents (issue 8 point 5): a load of HTTPRequest work is written
 * for the first member, which is killed (SIGKILL) in the middle of it. The instance marks it Down
 * when its heartbeat goes unanswered and moves its ready and processing work to the next member in
 * order; every item ends with exactly one answer, the third member takes nothing, and new work for
 * the dead member goes to the next one at once.
 */
public class ClusterFailoverIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final int ITEMS = 150;
    /** How long the loopback server takes per request, so that work is in flight when the agent dies. */
    private static final long SLOW_MS = 300;

    static LoopbackServer server;
    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        server = LoopbackServer.http();
        server.on("/slow", exchange -> {
            try {
                Thread.sleep(SLOW_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LoopbackServer.answer(exchange, 200, "text/plain", "done");
        });
        // heartbeats every 2 s: a silent agent is Down within seconds
        midway = AgentAndInstance.start("fo-a", false, null, Map.of("MIDWAY_HEARTBEAT_SECONDS", "2"));
        midway.addAgent("fo-b");
        midway.addAgent("fo-c");
        HttpResponse<String> cluster = midway.admin.send("POST", "/api/now/table/ecc_agent_cluster",
                "{\"name\":\"dc-east\",\"type\":\"failover\",\"members\":[\"fo-a\",\"fo-b\",\"fo-c\"]}");
        assertEquals(cluster.body(), 201, cluster.statusCode());
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    public void aMemberKilledMidLoadHandsItsWorkToTheNextAndEveryItemIsAnsweredOnce() throws Exception {
        ArrayNode batch = Http.JSON.createArrayNode();
        for (int i = 0; i < ITEMS; i++) {
            ObjectNode r = batch.addObject();
            r.put("agent", "mid.server.fo-a").put("topic", "HTTPRequest").put("name", "item " + i);
            r.putObject("payload").put("url", server.uri("/slow?i=" + i).toString()).put("timeout_ms", 10000);
        }
        HttpResponse<String> inserted = midway.admin.send("POST", "/api/now/table/ecc_queue", batch.toString());
        assertEquals(inserted.body(), 201, inserted.statusCode());
        Set<String> outputs = new HashSet<>();
        for (JsonNode r : Http.parse(inserted).path("result")) {
            outputs.add(r.path("sys_id").asText());
        }
        assertEquals(ITEMS, outputs.size());

        // kill the first member once it has answered some of the work and holds the rest
        Wait.until(Duration.ofSeconds(60), "fo-a answering its first items", () -> answers().size() >= 10,
                midway.instance, midway.agent);
        midway.agent.kill();
        int answeredBeforeTheKill = answers().size();
        assertTrue("work was still left when fo-a died: " + answeredBeforeTheKill, answeredBeforeTheKill < ITEMS);

        Wait.until(Duration.ofSeconds(120), "every item answered", () -> answers().size() >= ITEMS, midway.instance);
        Map<String, Integer> perOutput = new HashMap<>();
        Map<String, Integer> perAgent = new HashMap<>();
        for (JsonNode input : inputs()) {
            perOutput.merge(input.path("response_to").asText(), 1, Integer::sum);
            perAgent.merge(input.path("agent").asText(), 1, Integer::sum);
            assertEquals(input.toString(), "processed", input.path("state").asText());
        }
        assertEquals("every output answered", outputs, perOutput.keySet());
        for (Map.Entry<String, Integer> answered : perOutput.entrySet()) {
            assertEquals("output " + answered.getKey() + " answered exactly once", 1, (int) answered.getValue());
        }
        assertTrue("fo-b, the next member, took over: " + perAgent, perAgent.getOrDefault("mid.server.fo-b", 0) > 0);
        assertEquals("fo-c, after fo-b in the order, took nothing: " + perAgent, 0, (int) perAgent.getOrDefault("mid.server.fo-c", 0));
        assertEquals("Down", midway.agentRecord("fo-a").path("status").asText());

        // new work for the dead member goes to the next one at once
        HttpResponse<String> late = midway.admin.send("POST", "/api/now/table/ecc_queue",
                "{\"agent\":\"mid.server.fo-a\",\"topic\":\"HTTPRequest\",\"payload\":{\"url\":\""
                        + server.uri("/slow?late") + "\"}}");
        assertEquals(late.body(), 201, late.statusCode());
        assertEquals(late.body(), "mid.server.fo-b", Http.parse(late).path("result").path("agent").asText());
    }

    private static JsonNode inputs() throws Exception {
        return midway.admin.json("/api/now/table/ecc_queue?sysparm_query=queue=input^topic=HTTPRequest&sysparm_limit=10000")
                .path("result");
    }

    private static Set<String> answers() throws Exception {
        Set<String> answered = new HashSet<>();
        for (JsonNode input : inputs()) {
            answered.add(input.path("response_to").asText());
        }
        return answered;
    }
}
