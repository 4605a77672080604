package io.midway.probe.jdbc.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.h2.util.OsgiDataSourceFactory;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.postgresql.osgi.PGDataSourceFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.api.credential.CredentialType;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.jdbc.internal.DataSourceFactoryJdbcProtocol;
import io.midway.testing.probe.TestCredentials;
import io.midway.testing.servers.PostgresServer;

/** The JDBCProbe against a real PostgreSQL server. */
public class JdbcQueryProbePostgresTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static final String READER_PASSWORD = "Canary-Reader-7f3a9c";
    private static final String WRONG_PASSWORD = "Canary-Wrong-19be44";

    private static PostgresServer pg;
    private static DataSourceFactoryJdbcProtocol jdbc;

    private final List<String> seen = new ArrayList<>();
    private final List<JdbcQueryProbe> probes = new ArrayList<>();

    @BeforeClass
    public static void startPostgres() {
        pg = PostgresServer.start();
        pg.execute("CREATE TABLE host (id int PRIMARY KEY, name text NOT NULL, cpus int, ram numeric(10,2), active boolean, "
                        + "born date, seen timestamp, seen_tz timestamptz, at time, blob bytea, tags text[], note text, "
                        + "uid uuid, doc jsonb, load double precision, big bigint)",
                "INSERT INTO host VALUES (1, 'db01', 8, 16.50, true, '2024-02-29', '2024-02-29 13:45:00', "
                        + "'2024-02-29 13:45:00+01', '13:45:00', '\\x00ff41'::bytea, ARRAY['prod','db'], NULL, "
                        + "'123e4567-e89b-12d3-a456-426614174000', '{\"a\": 1}', 0.25, 9007199254740993)",
                "INSERT INTO host (id, name, cpus) VALUES (2, 'web01', 2), (3, 'tiny', 1)",
                "CREATE TABLE note (id serial PRIMARY KEY, text text)",
                "CREATE ROLE reader LOGIN PASSWORD '" + READER_PASSWORD + "'",
                "GRANT SELECT ON host, note TO reader");
        jdbc = new DataSourceFactoryJdbcProtocol(new PGDataSourceFactory(), new OsgiDataSourceFactory(org.h2.Driver.load()));
    }

    @AfterClass
    public static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @After
    public void noSecretAnywhere() {
        for (JdbcQueryProbe probe : probes) {
            probe.deactivate();
        }
        for (String text : seen) {
            for (String secret : List.of(READER_PASSWORD, WRONG_PASSWORD, pg.password())) {
                assertFalse("a secret in: " + text, text.contains(secret));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private TestCredentials credentials() {
        return TestCredentials.builder()
                .add(CredentialType.JDBC, "pg-reader", "user_name", "reader", "password", READER_PASSWORD)
                .basic("pg-admin", "postgres", pg.password())
                .add(CredentialType.JDBC, "pg-wrong", "user_name", "reader", "password", WRONG_PASSWORD)
                .add(CredentialType.SSH_KEY, "lab-ssh", "user_name", "root", "ssh_private_key", "KEY")
                .build();
    }

    private JdbcQueryProbe probe(TestCredentials credentials) {
        return probe(credentials, JdbcQueryProbe.SIZE_LIMIT);
    }

    private JdbcQueryProbe probe(TestCredentials credentials, long sizeLimit) {
        JdbcQueryProbe probe = new JdbcQueryProbe(jdbc, credentials, sizeLimit);
        probes.add(probe);
        return probe;
    }

    private static Map<String, Object> payload(Object... pairs) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("url", pg.jdbcUrl());
        for (int i = 0; i < pairs.length; i += 2) {
            payload.put((String) pairs[i], pairs[i + 1]);
        }
        return payload;
    }

    private Map<String, Object> run(JdbcQueryProbe probe, Map<String, Object> payload) throws Exception {
        Map<String, Object> result = probe.run(new ProbeRequest("0123456789abcdef0123456789abcdef", JdbcQueryProbe.TOPIC, "", "", payload))
                .payload();
        seen.add(new ObjectMapper().writeValueAsString(result));
        return result;
    }

    private String error(JdbcQueryProbe probe, Map<String, Object> payload) {
        ProbeException e = assertThrows(ProbeException.class,
                () -> probe.run(new ProbeRequest("0123456789abcdef0123456789abcdef", JdbcQueryProbe.TOPIC, "", "", payload)));
        for (Throwable t = e; t != null; t = t.getCause()) {
            seen.add(String.valueOf(t.getMessage()));
        }
        return e.getMessage();
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue("expected <" + part + "> in: " + text, text != null && text.contains(part));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<List<Object>> rows(Map<String, Object> result) {
        return (List<List<Object>>) result.get("rows");
    }

    private static int deadPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- queries

    @Test
    public void queryWithParametersAnswersColumnsAndJsonFriendlyValues() throws Exception {
        TestCredentials credentials = credentials();
        Map<String, Object> result = run(probe(credentials), payload("credential", "pg-reader",
                "sql", "SELECT id, name, cpus, ram, active, born, seen, seen_tz, at, blob, tags, note, uid, doc, load, big "
                        + "FROM host WHERE cpus >= ? AND name <> ? ORDER BY id",
                "parameters", List.of(2, "nobody")));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> columns = (List<Map<String, Object>>) result.get("columns");
        assertEquals(16, columns.size());
        assertEquals(Map.of("name", "id", "type", "int4"), columns.get(0));
        assertEquals(Map.of("name", "seen_tz", "type", "timestamptz"), columns.get(7));
        assertEquals(2, result.get("row_count"));
        assertEquals(false, result.get("truncated"));
        List<Object> db01 = rows(result).get(0);
        assertEquals(Arrays.asList(1, "db01", 8, new BigDecimal("16.50"), true, "2024-02-29", "2024-02-29T13:45:00",
                "2024-02-29T12:45:00Z", "13:45:00", Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff, 'A'}),
                List.of("prod", "db"), null, "123e4567-e89b-12d3-a456-426614174000", "{\"a\": 1}", 0.25, 9007199254740993L), db01);
        assertEquals(Arrays.asList(2, "web01", 2, null, null, null, null, null, null, null, null, null, null, null, null, null),
                rows(result).get(1));
        assertEquals("affinity recorded for the URL", List.of("pg-reader@" + pg.jdbcUrl()), credentials.workedCalls());
    }

    @Test
    public void booleanAndNullParameters() throws Exception {
        Map<String, Object> result = run(probe(credentials()), payload("credential", "pg-reader",
                "sql", "SELECT ?::boolean AS yes, ?::text IS NULL AS missing, ?::numeric * 2 AS twice",
                "parameters", Arrays.asList(true, null, 1.25)));
        assertEquals(List.of(List.of(true, true, new BigDecimal("2.50"))), rows(result));
    }

    @Test
    public void maxRowsTruncates() throws Exception {
        JdbcQueryProbe probe = probe(credentials());
        Map<String, Object> cut = run(probe, payload("credential", "pg-reader", "sql", "SELECT g FROM generate_series(1, 50) g",
                "max_rows", 10));
        assertEquals(10, cut.get("row_count"));
        assertEquals(true, cut.get("truncated"));
        assertEquals(List.of(10), rows(cut).get(9));

        Map<String, Object> whole = run(probe, payload("credential", "pg-reader", "sql", "SELECT g FROM generate_series(1, 50) g",
                "max_rows", 50));
        assertEquals(50, whole.get("row_count"));
        assertEquals(false, whole.get("truncated"));
    }

    @Test
    public void theSizeLimitStopsAtWholeRowsAndCutsASingleHugeValue() throws Exception {
        JdbcQueryProbe probe = probe(credentials(), 10_000);
        Map<String, Object> many = run(probe, payload("credential", "pg-reader",
                "sql", "SELECT repeat('x', 1000) FROM generate_series(1, 100)"));
        assertEquals(true, many.get("truncated"));
        int kept = (Integer) many.get("row_count");
        assertTrue("rows kept: " + kept, kept >= 8 && kept < 10);
        assertTrue(new ObjectMapper().writeValueAsString(many).length() <= 10_000);

        Map<String, Object> huge = run(probe, payload("credential", "pg-reader", "sql", "SELECT 7 AS n, repeat('y', 50000) AS text"));
        assertEquals(true, huge.get("truncated"));
        assertEquals(1, huge.get("row_count"));
        String text = (String) rows(huge).get(0).get(1);
        assertEquals(7, rows(huge).get(0).get(0));
        assertTrue("cut to " + text.length(), text.length() > 9_000 && text.length() < 10_000 && text.equals("y".repeat(text.length())));
    }

    @Test
    public void theRealLimitIs20MiB() throws Exception {
        Map<String, Object> result = run(probe(credentials()), payload("credential", "pg-reader",
                "sql", "SELECT repeat('z', 1048576) FROM generate_series(1, 25)"));
        assertEquals(true, result.get("truncated"));
        assertEquals(19, result.get("row_count"));
    }

    // ---------------------------------------------------------------- read-only and writes

    @Test
    public void readOnlyByDefaultPostgresRefusesTheWrite() throws Exception {
        String message = error(probe(credentials()), payload("credential", "pg-admin", "sql", "INSERT INTO note (text) VALUES (?)",
                "parameters", List.of("not kept")));
        assertContains(message, "SQL error on " + pg.jdbcUrl() + ": ERROR: cannot execute INSERT in a read-only transaction",
                "(SQLState 25006)", "\"read_only\": false");
        assertEquals(List.of(List.of(0L)), pg.query("SELECT count(*) FROM note WHERE text = 'not kept'"));
    }

    @Test
    public void writeWithReadOnlyFalseIsCommitted() throws Exception {
        JdbcQueryProbe probe = probe(credentials());
        Map<String, Object> inserted = run(probe, payload("credential", "pg-admin", "read_only", false,
                "sql", "INSERT INTO note (text) VALUES (?), (?)", "parameters", List.of("kept-1", "kept-2")));
        assertEquals(Map.of("update_count", 2L), inserted);
        assertEquals(List.of(List.of(2L)), pg.query("SELECT count(*) FROM note WHERE text LIKE 'kept-%'"));

        Map<String, Object> updated = run(probe, payload("credential", "pg-admin", "read_only", false,
                "sql", "UPDATE note SET text = 'changed' WHERE text = ?", "parameters", List.of("kept-1")));
        assertEquals(Map.of("update_count", 1L), updated);
        assertEquals(List.of(List.of(1L)), pg.query("SELECT count(*) FROM note WHERE text = 'changed'"));
    }

    // ---------------------------------------------------------------- credentials

    @Test
    public void wrongPasswordNamesTheCredentialNeverThePassword() throws Exception {
        TestCredentials credentials = credentials();
        String message = error(probe(credentials), payload("credential", "pg-wrong", "sql", "SELECT 1"));
        assertEquals("authentication failed on " + pg.jdbcUrl() + " with credential 'pg-wrong' (jdbc): FATAL: password "
                + "authentication failed for user \"reader\" (SQLState 28P01).", message);
        assertEquals(List.of(), credentials.workedCalls());
    }

    @Test
    public void withoutANamedCredentialTheCandidatesAreTriedInOrder() throws Exception {
        TestCredentials credentials = TestCredentials.builder()
                .add(CredentialType.JDBC, "pg-wrong", "user_name", "reader", "password", WRONG_PASSWORD)
                .add(CredentialType.JDBC, "pg-reader", "user_name", "reader", "password", READER_PASSWORD)
                .build();
        Map<String, Object> result = run(probe(credentials), payload("sql", "SELECT current_user"));
        assertEquals(List.of(List.of("reader")), rows(result));
        assertEquals(List.of("pg-reader@" + pg.jdbcUrl()), credentials.workedCalls());

        TestCredentials allWrong = TestCredentials.builder()
                .add(CredentialType.JDBC, "pg-wrong", "user_name", "reader", "password", WRONG_PASSWORD)
                .basic("pg-basic-wrong", "postgres", WRONG_PASSWORD)
                .build();
        assertContains(error(probe(allWrong), payload("sql", "SELECT 1")), "no jdbc or basic credential worked for " + pg.jdbcUrl(),
                "'pg-wrong': FATAL: password authentication failed for user \"reader\" (SQLState 28P01)",
                "'pg-basic-wrong': FATAL: password authentication failed for user \"postgres\"");
    }

    @Test
    public void withoutAnyCredentialPostgresAsksForAPassword() throws Exception {
        assertContains(error(probe(null), payload("sql", "SELECT 1")), "cannot connect to " + pg.jdbcUrl(), "no password was provided", "(SQLState 08004)");
    }

    @Test
    public void credentialErrors() throws Exception {
        assertEquals("no credential 'nope' on this agent", error(probe(credentials()), payload("credential", "nope", "sql", "SELECT 1")));
        assertEquals("credential 'lab-ssh' (ssh_key) cannot be used for JDBC: the type ssh_key is not supported; use a jdbc or basic "
                + "credential.", error(probe(credentials()), payload("credential", "lab-ssh", "sql", "SELECT 1")));
        assertContains(error(probe(null), payload("credential", "pg-reader", "sql", "SELECT 1")), "no credential store");
    }

    @Test
    public void theDatabaseNeverEchoesThePasswordIntoTheResult() throws Exception {
        Map<String, Object> result = run(probe(credentials()), payload("credential", "pg-reader",
                "sql", "SELECT ?::text AS echoed", "parameters", List.of("pw=" + READER_PASSWORD)));
        assertEquals(List.of(List.of("pw=********")), rows(result));
    }

    // ---------------------------------------------------------------- failures

    @Test
    public void deadPortIsAConnectionError() throws Exception {
        int port = deadPort();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/midway";
        long started = System.nanoTime();
        assertContains(error(probe(credentials()), payload("url", url, "credential", "pg-reader", "sql", "SELECT 1")),
                "cannot connect to " + url + ": Connection to 127.0.0.1:" + port + " refused", "(SQLState 08001)");
        assertTrue(System.nanoTime() - started < 5_000_000_000L);
    }

    @Test
    public void aSlowStatementEndsInTheTimeoutQuicklyAndIsCancelledOnTheServer() throws Exception {
        long started = System.nanoTime();
        String message = error(probe(credentials()), payload("credential", "pg-reader", "sql", "SELECT pg_sleep(5)", "timeout_ms", 500));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals("the statement on " + pg.jdbcUrl() + " did not finish within 500 ms (payload.timeout_ms); it was cancelled.",
                message);
        assertTrue("took " + tookMs + " ms", tookMs >= 450 && tookMs < 2_500);
        awaitNoSleepingBackend();
    }

    @Test
    public void interruptingTheWorkerCancelsTheStatement() throws Exception {
        JdbcQueryProbe probe = probe(credentials());
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                probe.run(new ProbeRequest("0123456789abcdef0123456789abcdef", JdbcQueryProbe.TOPIC, "", "",
                        payload("credential", "pg-reader", "sql", "SELECT pg_sleep(30)")));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        worker.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sleepingBackends() == 0) {
            assertTrue("the statement never started", System.nanoTime() < deadline);
            Thread.sleep(20);
        }
        worker.interrupt();
        worker.join(5_000);
        assertFalse("the worker still runs", worker.isAlive());
        assertTrue(String.valueOf(outcome.get()), outcome.get() instanceof InterruptedException);
        awaitNoSleepingBackend();
    }

    @Test
    public void badSqlGivesTheServersMessage() throws Exception {
        assertContains(error(probe(credentials()), payload("credential", "pg-reader", "sql", "SELEC name FROM host")),
                "SQL error on " + pg.jdbcUrl() + ": ERROR: syntax error at or near \"SELEC\"", "(SQLState 42601)");
        assertContains(error(probe(credentials()), payload("credential", "pg-reader", "sql", "SELECT nope FROM host")),
                "column \"nope\" does not exist", "(SQLState 42703)");
    }

    @Test
    public void noDriverForTheUrlListsTheInstalledOnes() throws Exception {
        assertEquals("no JDBC driver for jdbc:mysql://127.0.0.1/x; installed drivers: org.postgresql.Driver 42.7.8, org.h2.Driver 2.3.232.",
                error(probe(credentials()), payload("url", "jdbc:mysql://127.0.0.1/x", "sql", "SELECT 1")));
    }

    private static long sleepingBackends() {
        return (Long) pg.query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%' AND state = 'active'")
                .get(0).get(0);
    }

    private static void awaitNoSleepingBackend() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sleepingBackends() > 0) {
            assertTrue("the statement still runs on the server", System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }
}
