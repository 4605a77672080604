package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.servers.PostgresServer;

/**
 * The instance on PostgreSQL (MIDWAY_DB_URL, issue 15): bin/instance keeps the queue, the agents
 * and the events in a real PostgreSQL server, and an agent does real work through it.
 */
public class PostgresIT {

    /** A hung test fails after this long, naming itself. */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static PostgresServer pg;

    @BeforeClass
    public static void startServer() {
        pg = PostgresServer.start();
    }

    @AfterClass
    public static void stopServer() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    public void theInstanceKeepsItsDataInPostgresqlAndAnAgentWorksThroughIt() throws Exception {
        try (AgentAndInstance midway = AgentAndInstance.start("pg-agent", false, null, Map.of("MIDWAY_DB_URL", pg.jdbcUrl(),
                "MIDWAY_DB_USER", pg.user(), "MIDWAY_DB_PASSWORD", pg.password()))) {
            ObjectNode payload = Http.JSON.createObjectNode();
            payload.put("host", "127.0.0.1");
            payload.putArray("ports").add(Ports.free());
            JsonNode input = midway.probe("TCPScan", "scan through PostgreSQL", payload);
            assertEquals(input.toString(), "processed", input.path("state").asText());

            // The data is in the server, not in an embedded database.
            assertEquals(List.of(List.of("pg-agent", "Up")), pg.query("SELECT name, status FROM ecc_agent"));
            List<List<Object>> answered = pg.query("SELECT state FROM ecc_queue WHERE queue = 'input' AND response_to = '"
                    + input.path("response_to").asText() + "'");
            assertEquals(List.of(List.of("processed")), answered);
            assertTrue("the instance says where its data is", java.nio.file.Files.readString(
                    midway.work.resolve("instance/instance.log")).contains("Instance database open: " + pg.jdbcUrl()
                            + " (PostgreSQL)"));
            assertTrue("no embedded database was made", !java.nio.file.Files.exists(midway.work.resolve("instance/db")));
        }
    }
}
