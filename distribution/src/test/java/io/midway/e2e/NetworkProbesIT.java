package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.servers.OpenSshServer;
import io.midway.testing.servers.PostgresServer;
import io.midway.testing.servers.SnmpDaemon;

/**
 * The JDBC, SNMP and SSH protocols and their probes on the real distribution, against real servers
 * on loopback: a PostgreSQL server, Net-SNMP's snmpd and OpenSSH's sshd, each started by the test
 * from the machine's binaries. Credentials come from the instance's {@code discovery_credentials}.
 * The agent advertises {@code jdbc}, {@code snmp} and {@code ssh}; each probe does real work; a
 * refused login is an error record naming the credential and no secret; stopping a driver bundle
 * or a protocol bundle in the shell takes the work away cleanly and starting it brings it back,
 * with no restart; no secret reaches the agent's log. Steps run in name order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class NetworkProbesIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    static PostgresServer postgres;
    static SnmpDaemon snmpd;
    static OpenSshServer sshd;
    static AgentAndInstance midway;
    static String dbPassword;
    static final List<String> secrets = new ArrayList<>();

    @BeforeClass
    public static void start() throws Exception {
        postgres = PostgresServer.start();
        snmpd = SnmpDaemon.start();
        sshd = OpenSshServer.start();
        dbPassword = "Db-" + CredentialsIT.random();
        postgres.execute("CREATE ROLE discovery LOGIN PASSWORD '" + dbPassword + "'",
                "CREATE TABLE hosts (name text PRIMARY KEY, cpus integer, seen timestamp)",
                "INSERT INTO hosts VALUES ('db-1', 8, '2026-11-21 10:00:00'), ('web-1', 4, NULL), ('web-2', 2, NULL)",
                "GRANT SELECT ON hosts TO discovery");
        secrets.add(dbPassword);
        secrets.add(postgres.password());
        secrets.add(snmpd.community());
        secrets.add(snmpd.authKey());
        secrets.add(snmpd.privacyKey());
        secrets.add(sshd.rsaPassphrase());
        // the body of the private key, not its BEGIN/END lines
        secrets.add(sshd.ed25519PrivateKey().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow());
        // a copy of the distribution: the SSH protocol records the server's host key under etc/
        midway = AgentAndInstance.start("e2e-network", true, copy -> { });
    }

    @AfterClass
    public static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {midway, sshd, snmpd, postgres}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the others still stop
                }
            }
        }
    }

    @Test
    public void t1_theAgentAdvertisesTheThreeProtocols() throws Exception {
        midway.awaitCapability("jdbc", true);
        midway.awaitCapability("snmp", true);
        midway.awaitCapability("ssh", true);
    }

    @Test
    public void t2_jdbcProbeQueriesPostgresqlWithACredentialAndParameters() throws Exception {
        ObjectNode credential = Http.JSON.createObjectNode();
        credential.put("name", "cmdb-db").put("type", "jdbc").put("user_name", "discovery").put("password", dbPassword);
        midway.createCredential(credential.toString());

        JsonNode input = midway.probe("JDBCProbe", "hosts", jdbc("SELECT name, cpus FROM hosts WHERE cpus >= ? ORDER BY name", "cmdb-db", 4));
        assertEquals(input.toString(), "processed", input.path("state").asText());
        JsonNode payload = input.path("payload");
        assertEquals(payload.toString(), "name", payload.path("columns").get(0).path("name").asText());
        assertEquals(payload.toString(), 2, payload.path("rows").size());
        assertEquals("db-1", payload.path("rows").get(0).get(0).asText());
        assertEquals(8, payload.path("rows").get(0).get(1).asInt());
        assertEquals("web-1", payload.path("rows").get(1).get(0).asText());
    }

    @Test
    public void t3_aRefusedDatabaseLoginIsAnErrorNamingTheCredential() throws Exception {
        String wrong = "Wrong-" + CredentialsIT.random();
        secrets.add(wrong);
        ObjectNode credential = Http.JSON.createObjectNode();
        credential.put("name", "cmdb-wrong").put("type", "jdbc").put("user_name", "discovery").put("password", wrong);
        midway.createCredential(credential.toString());

        JsonNode input = midway.probe("JDBCProbe", "hosts", jdbc("SELECT 1", "cmdb-wrong", null));
        assertEquals(input.toString(), "error", input.path("state").asText());
        String error = input.path("error_string").asText();
        assertTrue(error, error.contains("cmdb-wrong"));
        assertTrue(error, error.toLowerCase().contains("authentication"));
        assertFalse(error, error.contains(wrong));
    }

    @Test
    public void t4_snmpGetsSysNameWithV2cAndWalksTheSystemGroupWithV3() throws Exception {
        ObjectNode community = Http.JSON.createObjectNode();
        community.put("name", "lab-community").put("type", "snmp_community").put("community", snmpd.community());
        midway.createCredential(community.toString());
        ObjectNode v3 = Http.JSON.createObjectNode();
        v3.put("name", "lab-v3").put("type", "snmpv3").put("user_name", snmpd.v3User())
                .put("auth_protocol", SnmpDaemon.AUTH_PROTOCOL).put("privacy_protocol", SnmpDaemon.PRIVACY_PROTOCOL)
                .put("auth_key", snmpd.authKey()).put("privacy_key", snmpd.privacyKey());
        midway.createCredential(v3.toString());

        ObjectNode get = Http.JSON.createObjectNode();
        get.put("target", "127.0.0.1:" + snmpd.port()).put("version", "v2c").put("operation", "get").put("credential", "lab-community");
        get.putArray("oids").add(SnmpDaemon.SYS_NAME_OID);
        JsonNode got = midway.probe("SNMP", "sysName", get);
        assertEquals(got.toString(), "processed", got.path("state").asText());
        JsonNode varbind = got.path("payload").path("varbinds").get(0);
        assertEquals(got.toString(), SnmpDaemon.SYS_NAME_OID, varbind.path("oid").asText());
        assertEquals(got.toString(), snmpd.expectedSysName(), varbind.path("value").asText());

        ObjectNode walk = Http.JSON.createObjectNode();
        walk.put("target", "127.0.0.1:" + snmpd.port()).put("version", "v3").put("operation", "walk").put("credential", "lab-v3");
        walk.putArray("oids").add("1.3.6.1.2.1.1");
        JsonNode walked = midway.probe("SNMP", "system", walk);
        assertEquals(walked.toString(), "processed", walked.path("state").asText());
        assertTrue(walked.toString(), walked.path("payload").path("varbinds").size() >= 5);
        assertTrue(walked.toString(), walked.path("payload").toString().contains(SnmpDaemon.SYS_LOCATION));
    }

    @Test
    public void t5_sshCommandRunsOnOpenSshWithAKeyCredential() throws Exception {
        ObjectNode key = Http.JSON.createObjectNode();
        key.put("name", "lab-key").put("type", "ssh_key").put("user_name", sshd.user()).put("ssh_private_key", sshd.ed25519PrivateKey());
        midway.createCredential(key.toString());

        JsonNode input = midway.probe("SSHCommand", "uname", ssh("echo out-$((6*7)); echo err >&2; exit 3", "lab-key"));
        assertEquals(input.toString(), "processed", input.path("state").asText());
        JsonNode payload = input.path("payload");
        assertEquals(payload.toString(), 3, payload.path("exit_code").asInt());
        assertEquals(payload.toString(), "out-42\n", payload.path("stdout").asText());
        assertEquals(payload.toString(), "err\n", payload.path("stderr").asText());
    }

    @Test
    public void t6_stoppingTheDriverOrTheProtocolTakesTheWorkAwayAndStartingBringsItBack() throws Exception {
        String driver = midway.bundleId("org.postgresql.jdbc");
        midway.agent.shell("stop " + driver, out -> true, Duration.ofSeconds(20));
        JsonNode noDriver = midway.probe("JDBCProbe", "hosts", jdbc("SELECT 1", "cmdb-db", null),
                answer -> "error".equals(answer.path("state").asText()));
        assertTrue(noDriver.toString(), noDriver.path("error_string").asText().contains("driver"));
        midway.agent.shell("start " + driver, out -> true, Duration.ofSeconds(20));
        JsonNode back = midway.probe("JDBCProbe", "hosts", jdbc("SELECT count(*) AS n FROM hosts", "cmdb-db", null),
                answer -> "processed".equals(answer.path("state").asText()));
        assertEquals(back.toString(), 3, back.path("payload").path("rows").get(0).get(0).asInt());

        String protocol = midway.bundleId("io.midway.protocol.ssh");
        midway.agent.shell("stop " + protocol, out -> true, Duration.ofSeconds(20));
        midway.awaitCapability("ssh", false);
        JsonNode gone = midway.probe("SSHCommand", "true", ssh("true", "lab-key"), answer -> true);
        assertEquals(gone.toString(), "error", gone.path("state").asText());
        assertTrue(gone.toString(), gone.path("error_string").asText().contains("No probe for topic 'SSHCommand'"));
        midway.agent.shell("start " + protocol, out -> true, Duration.ofSeconds(20));
        midway.awaitCapability("ssh", true);
        JsonNode again = midway.probe("SSHCommand", "true", ssh("echo again", "lab-key"));
        assertEquals(again.toString(), "again\n", again.path("payload").path("stdout").asText());
    }

    @Test
    public void t6b_theH2DriverDroppedIntoDeployServesH2UrlsWithoutARestart() throws Exception {
        ObjectNode h2 = Http.JSON.createObjectNode();
        h2.put("url", "jdbc:h2:mem:lab").put("sql", "SELECT 6 * 7 AS answer").put("timeout_ms", 10000);
        JsonNode before = midway.probe("JDBCProbe", "h2", h2);
        assertEquals(before.toString(), "error", before.path("state").asText());
        assertTrue("H2 is not installed by default: " + before, before.path("error_string").asText().contains("no JDBC driver for jdbc:h2:mem:lab"));

        Path jar;
        try (Stream<Path> system = Files.list(midway.home.resolve("system/instance"))) {
            jar = system.filter(p -> p.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
        }
        Path partial = midway.work.resolve("h2.jar.partial");
        Files.copy(jar, partial);
        Files.move(partial, midway.work.resolve("agent/deploy").resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        JsonNode after = midway.probe("JDBCProbe", "h2", h2, answer -> "processed".equals(answer.path("state").asText()));
        assertEquals(after.toString(), 42, after.path("payload").path("rows").get(0).get(0).asInt());
    }

    @Test
    public void t7_noSecretReachesTheAgentLogOrTheInstanceQueue() throws Exception {
        // the console output and the agent's log file (data/agent.log)
        String log = Files.readString(midway.work.resolve("agent.log")) + Files.readString(midway.work.resolve("agent").resolve("agent.log"));
        String queue = midway.admin.get("/api/now/table/ecc_queue?sysparm_limit=1000").body();
        for (String secret : secrets) {
            assertFalse("a secret in the agent log", log.contains(secret));
            assertFalse("a secret in the ECC queue", queue.contains(secret));
        }
    }

    private static ObjectNode jdbc(String sql, String credential, Integer parameter) {
        ObjectNode payload = Http.JSON.createObjectNode();
        payload.put("url", postgres.jdbcUrl()).put("sql", sql).put("credential", credential).put("timeout_ms", 10000);
        if (parameter != null) {
            payload.putArray("parameters").add(parameter);
        }
        return payload;
    }

    private static ObjectNode ssh(String command, String credential) {
        ObjectNode payload = Http.JSON.createObjectNode();
        payload.put("host", "127.0.0.1").put("port", sshd.port()).put("command", command).put("credential", credential)
                .put("timeout_ms", 20000);
        return payload;
    }
}
