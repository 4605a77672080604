package io.midway.probe.jdbc.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.h2.util.OsgiDataSourceFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.jdbc.internal.DataSourceFactoryJdbcProtocol;
import io.midway.testing.probe.TestCredentials;

/** The JDBCProbe against H2, in memory and in a file, without credentials. */
public class JdbcQueryProbeH2Test {

    private DataSourceFactoryJdbcProtocol jdbc;
    private JdbcQueryProbe probe;
    private Path folder;

    @Before
    public void setUp() throws Exception {
        jdbc = new DataSourceFactoryJdbcProtocol(new OsgiDataSourceFactory(org.h2.Driver.load()));
        probe = new JdbcQueryProbe(jdbc, TestCredentials.builder().build(), JdbcQueryProbe.SIZE_LIMIT);
        folder = Files.createTempDirectory("midway-probe-jdbc-");
    }

    @After
    public void tearDown() throws Exception {
        probe.deactivate();
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static Map<String, Object> payload(String url, Object... pairs) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("url", url);
        for (int i = 0; i < pairs.length; i += 2) {
            payload.put((String) pairs[i], pairs[i + 1]);
        }
        return payload;
    }

    private Map<String, Object> run(Map<String, Object> payload) throws Exception {
        Map<String, Object> result = probe.run(new ProbeRequest("0123456789abcdef0123456789abcdef", JdbcQueryProbe.TOPIC, "", "", payload))
                .payload();
        new ObjectMapper().writeValueAsString(result); // JSON-friendly
        return result;
    }

    private String error(Map<String, Object> payload) {
        return assertThrows(ProbeException.class,
                () -> probe.run(new ProbeRequest("0123456789abcdef0123456789abcdef", JdbcQueryProbe.TOPIC, "", "", payload))).getMessage();
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

    @Test
    public void inMemoryDatabaseWithTypes() throws Exception {
        String url = "jdbc:h2:mem:probe-types;DB_CLOSE_DELAY=-1";
        run(payload(url, "read_only", false, "sql", "CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(8,2), "
                + "ok BOOLEAN, born DATE, stamp TIMESTAMP, zoned TIMESTAMP WITH TIME ZONE, raw VARBINARY(8), big BLOB, "
                + "body CLOB, tags VARCHAR ARRAY, ratio DOUBLE PRECISION, uid UUID)"));
        Map<String, Object> inserted = run(payload(url, "read_only", false, "sql",
                "INSERT INTO item VALUES (?, ?, ?, ?, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.5', "
                        + "TIMESTAMP WITH TIME ZONE '2024-01-02 03:04:05+02:00', X'0102', X'FFEE', 'long text', ARRAY['a','b'], "
                        + "CAST('NaN' AS DOUBLE PRECISION), '123e4567-e89b-12d3-a456-426614174000')",
                "parameters", Arrays.asList(1, "pen", 2.5, true)));
        assertEquals(Map.of("update_count", 1L), inserted);

        Map<String, Object> result = run(payload(url, "sql", "SELECT * FROM item WHERE name = ?", "parameters", List.of("pen")));
        assertEquals(Arrays.asList(1, "pen", new BigDecimal("2.50"), true, "2024-01-02", "2024-01-02T03:04:05.5", "2024-01-02T03:04:05+02:00",
                Base64.getEncoder().encodeToString(new byte[] {1, 2}), Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xee}),
                "long text", List.of("a", "b"), "NaN", "123e4567-e89b-12d3-a456-426614174000"), rows(result).get(0));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> columns = (List<Map<String, Object>>) result.get("columns");
        assertEquals(Map.of("name", "ID", "type", "INTEGER"), columns.get(0));
        assertEquals(1, result.get("row_count"));
        assertEquals(false, result.get("truncated"));
    }

    @Test
    public void aWriteUnderTheReadOnlyDefaultIsRolledBackEvenWhereTheDriverIgnoresReadOnly() throws Exception {
        String url = "jdbc:h2:mem:probe-readonly;DB_CLOSE_DELAY=-1";
        run(payload(url, "read_only", false, "sql", "CREATE TABLE t (v INT)"));
        assertEquals("the statement on " + url.substring(0, url.indexOf(';')) + " changed 1 row(s), but payload.read_only is true (the "
                + "default): the change was rolled back. Send \"read_only\": false to write.",
                error(payload(url, "sql", "INSERT INTO t VALUES (1)")));
        assertEquals(List.of(List.of(0L)), rows(run(payload(url, "sql", "SELECT COUNT(*) FROM t"))));
    }

    @Test
    public void fileDatabaseInATemporaryFolder() throws Exception {
        String url = "jdbc:h2:" + folder.resolve("cmdb").toAbsolutePath();
        run(payload(url, "read_only", false, "sql", "CREATE TABLE host (name VARCHAR(40), cpus INT)"));
        assertEquals(Map.of("update_count", 3L), run(payload(url, "read_only", false,
                "sql", "INSERT INTO host VALUES ('db01', 8), ('web01', 2), ('tiny', 1)")));
        assertTrue("the database file exists", Files.exists(folder.resolve("cmdb.mv.db")));

        Map<String, Object> result = run(payload(url, "sql", "SELECT name FROM host WHERE cpus > ? ORDER BY name",
                "parameters", List.of(1), "max_rows", 1));
        assertEquals(List.of(List.of("db01")), rows(result));
        assertEquals(true, result.get("truncated"));
    }

    @Test
    public void h2ErrorsCarryTheirSqlState() throws Exception {
        assertContains(error(payload("jdbc:h2:mem:probe-errors", "sql", "SELECT * FROM missing")),
                "SQL error on jdbc:h2:mem:probe-errors: Table \"MISSING\" not found", "(SQLState 42S04).");
    }

    @Test
    public void badPayloadsSayWhatIsWrong() {
        String url = "jdbc:h2:mem:x";
        assertEquals("payload.url is missing: it must be a JDBC URL such as jdbc:postgresql://db.example.com:5432/cmdb.",
                error(payload(null, "sql", "SELECT 1")));
        assertContains(error(payload("postgresql://db/x", "sql", "SELECT 1")), "Bad payload.url 'postgresql://db/x'", "a JDBC URL");
        assertEquals("Bad payload.url: it holds a password; name a credential in payload.credential instead.",
                error(payload("jdbc:postgresql://db/x?user=a&password=Canary", "sql", "SELECT 1")));
        assertEquals("Bad payload.url: it holds a password; name a credential in payload.credential instead.",
                error(payload("jdbc:h2:mem:x;PASSWORD=Canary", "sql", "SELECT 1")));
        assertContains(error(payload(url)), "payload.sql is missing");
        assertContains(error(payload(url, "sql", "SELECT 1", "max_rows", 0)), "payload.max_rows", "from 1 to 100000");
        assertContains(error(payload(url, "sql", "SELECT 1", "max_rows", 100_001)), "payload.max_rows");
        assertContains(error(payload(url, "sql", "SELECT 1", "timeout_ms", 300_001)), "payload.timeout_ms", "from 1 to 300000");
        assertContains(error(payload(url, "sql", "SELECT 1", "read_only", "no")), "payload.read_only", "true or false");
        assertContains(error(payload(url, "sql", "SELECT 1", "parameters", "x")), "payload.parameters must be a list");
        assertContains(error(payload(url, "sql", "SELECT ?", "parameters", List.of(Map.of("a", 1)))), "payload.parameters[0] is an object");
        assertContains(error(payload(url, "sql", "SELECT 1", "credential", 7)), "payload.credential must be a string");
    }
}
