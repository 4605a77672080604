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

    /** Each test starts on an empty database (a database keeps the check of the master key its first node recorded). */
    @org.junit.Before
    public void emptyDatabase() {
        pg.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
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
                            + " (postgresql)"));
            assertTrue("no embedded database was made", !java.nio.file.Files.exists(midway.work.resolve("instance/db")));
        }
    }

    @Test
    public void anEncryptedDatabasePasswordOpensTheDatabaseAndAWrongOneIsNamed() throws Exception {
        java.nio.file.Path dist = java.nio.file.Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        java.nio.file.Path work = TestFolders.temporary("midway-pg-encrypted");
        java.nio.file.Path data = work.resolve("instance");
        java.nio.file.Files.createDirectories(data);
        // As instance:encrypt on this instance would print it: sealed with its master key.
        java.nio.file.Path key = data.resolve(io.midway.instance.internal.CredentialCipher.KEY_FILE);
        io.midway.instance.internal.CredentialCipher.open(key, true);
        String sealed = io.midway.instance.internal.ConfigurationSecrets.encrypt(key, pg.password());
        int port = Ports.free();
        Map<String, String> env = Map.of("MIDWAY_HTTP_PORT", Integer.toString(port), "MIDWAY_DATA", data.toString(),
                "MIDWAY_ADMIN_PASSWORD", "pg-admin", "MIDWAY_AGENT_PASSWORD", "pg-agent",
                "MIDWAY_DB_URL", pg.jdbcUrl(), "MIDWAY_DB_USER", pg.user(), "MIDWAY_DB_PASSWORD", sealed);
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", env, work.resolve("instance.out"), false)) {
            Http anonymous = new Http("http://127.0.0.1:" + port, null, null);
            Wait.until(java.time.Duration.ofSeconds(90), "the instance on PostgreSQL with an encrypted password",
                    () -> anonymous.get("/api/mid/instance_info").statusCode() == 200, instance);
        }

        // Sealed with another instance's key: the instance says so and does not serve.
        java.nio.file.Path otherKey = work.resolve("other.key");
        io.midway.instance.internal.CredentialCipher.open(otherKey, true);
        Map<String, String> wrong = new java.util.HashMap<>(env);
        wrong.put("MIDWAY_DB_PASSWORD", io.midway.instance.internal.ConfigurationSecrets.encrypt(otherKey, pg.password()));
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", wrong, work.resolve("wrong.out"), false)) {
            java.nio.file.Path log = data.resolve("instance.log");
            Wait.until(java.time.Duration.ofSeconds(90), "the refusal in the instance's log", () ->
                    java.nio.file.Files.readString(log).contains("MIDWAY_DB_PASSWORD does not decrypt with the master key"));
            // Its HTTP server comes up (it starts last), but the API, without its database, answers 503.
            Http anonymous = new Http("http://127.0.0.1:" + port, null, null);
            int[] status = new int[1];
            Wait.until(java.time.Duration.ofSeconds(60), "the instance's HTTP port", () -> {
                status[0] = anonymous.get("/api/mid/instance_info").statusCode();
                return true;
            }, instance);
            assertEquals("no API without its database", 503, status[0]);
            assertTrue("never the password in the log", !java.nio.file.Files.readString(log).contains(pg.password()));
        }
    }
}
