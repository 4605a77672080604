package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Crash recovery on the real distribution (issue 18 point 5): an agent killed with SIGKILL while it
 * holds leased work starts again on the same data folder and, at its registration, tells the
 * instance what it still holds; the instance makes the rest ready at once, so every item is
 * answered exactly once, seconds after the restart instead of after the lease ({@code lease.seconds}
 * at its default, 300 s). A result left in the spool is delivered from there and not run again.
 */
public class CrashRecoveryIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final int ITEMS = 6;
    private static final String SLEEP_SECONDS = "15";

    static AgentAndInstance midway;

    @BeforeClass
    public static void start() throws Exception {
        midway = AgentAndInstance.start("e2e-crash", false, copy -> Files.writeString(
                copy.resolve("etc/io.midway.probe.command.cfg"), "allowed = sleep=/bin/sleep\ntimeout.ms = 60000\n"));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    @Test
    public void workHeldByAKilledAgentRunsAgainWithinSecondsOfItsRestartExactlyOnce() throws Exception {
        // the Command probe is there (it may still be starting)
        ObjectNode quick = Http.JSON.createObjectNode();
        quick.put("command", "sleep");
        quick.putArray("args").add("0");
        midway.probe("Command", "warm-up", quick);

        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            ObjectNode r = Http.JSON.createObjectNode();
            r.put("agent", "mid.server." + midway.agentName);
            r.put("topic", "Command");
            r.put("name", "sleep");
            r.putObject("payload").put("command", "sleep").putArray("args").add(SLEEP_SECONDS);
            HttpResponse<String> created = midway.admin.send("POST", "/api/now/table/ecc_queue", r.toString());
            assertEquals(created.body(), 201, created.statusCode());
            outputs.add(Http.parse(created).path("result").path("sys_id").asText());
        }
        Wait.until(Duration.ofSeconds(30), "the agent holding every item", () -> {
            for (String id : outputs) {
                if (!"processing".equals(midway.admin.json("/api/now/table/ecc_queue/" + id).path("result")
                        .path("state").asText())) {
                    return false;
                }
            }
            return true;
        }, midway.instance, midway.agent);
        Thread.sleep(1000); // the first ones are running

        midway.agent.kill();
        long killed = System.nanoTime();
        assertEquals("nothing answered before the kill", Map.of(), answers(outputs));

        // as if the agent had answered the first item and died before delivering it: its spool holds the result
        String spooled = outputs.get(0);
        Path spool = midway.agentData(midway.agentName).resolve("spool");
        Files.createDirectories(spool);
        ObjectNode result = Http.JSON.createObjectNode();
        result.put("response_to", spooled);
        result.put("topic", "Command");
        result.put("name", "sleep");
        result.putObject("payload").put("stdout", "answered before the crash");
        result.put("state", "processed");
        Files.writeString(spool.resolve(String.format("%013d-%06d-%s.json", System.currentTimeMillis(), 1, spooled)),
                result.toString(), StandardCharsets.UTF_8);

        MidwayProcess again = midway.startAgentAgain(2);
        Wait.until(Duration.ofSeconds(120), "every item answered", () -> answers(outputs).size() == ITEMS,
                midway.instance, again);
        Duration took = Duration.ofNanos(System.nanoTime() - killed);
        System.out.println("CrashRecoveryIT: every item answered " + took.toMillis() + " ms after the kill");
        assertTrue("answered " + took.toSeconds() + " s after the kill: well before the 300 s lease",
                took.compareTo(Duration.ofSeconds(60)) < 0);

        Map<String, List<JsonNode>> inputs = answers(outputs);
        for (String id : outputs) {
            assertEquals("output " + id + " answered exactly once", 1, inputs.get(id).size());
            JsonNode input = inputs.get(id).get(0);
            assertEquals(input.toString(), "processed", input.path("state").asText());
        }
        assertEquals("the spooled result was delivered, not replaced by a second run", "answered before the crash",
                inputs.get(spooled).get(0).path("payload").path("stdout").asText());
        for (String id : outputs.subList(1, ITEMS)) {
            assertEquals("run again after the restart", 0,
                    inputs.get(id).get(0).path("payload").path("exit_code").asInt(-1));
        }

        JsonNode released = null;
        for (JsonNode event : midway.admin.json("/api/mid/events?since=0").path("result")) {
            if ("mid_server.leases_released".equals(event.path("name").asText())) {
                released = event;
            }
        }
        assertTrue("an event says how many and why", released != null);
        assertEquals(released.toString(), midway.agentName, released.path("agent").asText());
        assertTrue(released.toString(), released.path("detail").asText().startsWith((ITEMS - 1) + " output record(s)"));
        assertTrue(released.toString(), released.path("detail").asText().contains("1 it still holds keep their lease"));

        // nothing more comes: the spooled item is not run again later
        Thread.sleep(Long.parseLong(SLEEP_SECONDS) * 1000 + 2000);
        assertEquals("still one input per output", ITEMS,
                answers(outputs).values().stream().mapToInt(List::size).sum());
        assertTrue(again.isAlive());
    }

    /** @return the inputs answering these outputs, by output */
    private static Map<String, List<JsonNode>> answers(List<String> outputs) throws Exception {
        Map<String, List<JsonNode>> by = new HashMap<>();
        for (JsonNode input : midway.admin.json(
                "/api/now/table/ecc_queue?sysparm_query=queue=input^topic=Command&sysparm_limit=10000").path("result")) {
            String to = input.path("response_to").asText();
            if (outputs.contains(to)) {
                by.computeIfAbsent(to, k -> new ArrayList<>()).add(input);
            }
        }
        return by;
    }
}
