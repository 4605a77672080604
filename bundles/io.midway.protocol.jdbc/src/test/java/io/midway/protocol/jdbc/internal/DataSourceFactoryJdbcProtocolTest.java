package io.midway.protocol.jdbc.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.h2.util.OsgiDataSourceFactory;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.postgresql.osgi.PGDataSourceFactory;

import io.midway.protocol.jdbc.JdbcDriverInfo;
import io.midway.protocol.jdbc.JdbcProtocol;
import io.midway.testing.servers.PostgresServer;

public class DataSourceFactoryJdbcProtocolTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
    private static final Map<String, Object> PG_SERVICE = Map.of("osgi.jdbc.driver.name", "PostgreSQL JDBC Driver",
            "osgi.jdbc.driver.version", "42.7.8", "osgi.jdbc.driver.class", "org.postgresql.Driver", "service.id", 11L);
    private static final Map<String, Object> H2_SERVICE = Map.of("osgi.jdbc.driver.name", "H2 JDBC Driver",
            "osgi.jdbc.driver.version", "2.3.232", "osgi.jdbc.driver.class", "org.h2.Driver", "service.id", 12L);

    private static PostgresServer pg;

    @BeforeClass
    public static void startPostgres() {
        pg = PostgresServer.start();
    }

    @AfterClass
    public static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertTrue(rows.next());
            return rows.getString(1);
        }
    }

    @Test
    public void connectsToPostgresAndH2WithTheDriverThatAcceptsTheUrl() throws Exception {
        DataSourceFactoryJdbcProtocol jdbc = new DataSourceFactoryJdbcProtocol(new PGDataSourceFactory(),
                new OsgiDataSourceFactory(org.h2.Driver.load()));
        try {
            try (Connection db = jdbc.connect(pg.jdbcUrl(), pg.user(), pg.password(), TEN_SECONDS)) {
                assertEquals("postgres midway", single(db, "SELECT current_user || ' ' || current_database()"));
                assertTrue("the driver's default: auto-commit", db.getAutoCommit());
            }
            try (Connection db = jdbc.connect("jdbc:h2:mem:protocol-test", null, null, TEN_SECONDS)) {
                assertEquals("H2", db.getMetaData().getDatabaseProductName());
                assertEquals("42", single(db, "SELECT 42"));
            }
            assertEquals(2, jdbc.drivers().size());
            assertEquals("org.postgresql.Driver", jdbc.driverFor(pg.jdbcUrl()).orElseThrow().driverClass());
            assertEquals("org.h2.Driver", jdbc.driverFor("jdbc:h2:mem:x").orElseThrow().driverClass());
            assertEquals(Optional.empty(), jdbc.driverFor("jdbc:mysql://127.0.0.1/x"));
        } finally {
            jdbc.deactivate();
        }
    }

    @Test
    public void driversComeAndGoWithoutARestart() throws Exception {
        DataSourceFactoryJdbcProtocol jdbc = new DataSourceFactoryJdbcProtocol();
        try {
            SQLException none = assertThrows(SQLException.class, () -> jdbc.connect("jdbc:h2:mem:x", null, null, TEN_SECONDS));
            assertEquals("08001", none.getSQLState());
            assertTrue(none.getMessage(), none.getMessage().startsWith("no JDBC driver for jdbc:h2:mem:x: no driver is installed"));

            OsgiDataSourceFactory h2 = new OsgiDataSourceFactory(org.h2.Driver.load());
            jdbc.addDriver(h2, H2_SERVICE);
            SQLException noPostgres = assertThrows(SQLException.class,
                    () -> jdbc.connect(pg.jdbcUrl() + "?password=" + pg.password(), pg.user(), pg.password(), TEN_SECONDS));
            assertEquals("no JDBC driver for " + pg.jdbcUrl() + "; installed drivers: H2 JDBC Driver 2.3.232", noPostgres.getMessage());

            PGDataSourceFactory postgres = new PGDataSourceFactory();
            jdbc.addDriver(postgres, PG_SERVICE);
            assertEquals(List.of(new JdbcDriverInfo("PostgreSQL JDBC Driver", "42.7.8", "org.postgresql.Driver"),
                    new JdbcDriverInfo("H2 JDBC Driver", "2.3.232", "org.h2.Driver")), jdbc.drivers());
            try (Connection db = jdbc.connect(pg.jdbcUrl(), pg.user(), pg.password(), TEN_SECONDS)) {
                assertEquals("1", single(db, "SELECT 1"));
            }

            jdbc.removeDriver(postgres);
            assertEquals(List.of(new JdbcDriverInfo("H2 JDBC Driver", "2.3.232", "org.h2.Driver")), jdbc.drivers());
            assertThrows(SQLException.class, () -> jdbc.connect(pg.jdbcUrl(), pg.user(), pg.password(), TEN_SECONDS));
            try (Connection db = jdbc.connect("jdbc:h2:mem:x", null, null, TEN_SECONDS)) {
                assertEquals("1", single(db, "SELECT 1"));
            }
        } finally {
            jdbc.deactivate();
        }
    }

    @Test
    public void serviceRankingDecidesBetweenDriversForTheSameUrl() throws Exception {
        DataSourceFactoryJdbcProtocol jdbc = new DataSourceFactoryJdbcProtocol();
        jdbc.addDriver(new OsgiDataSourceFactory(org.h2.Driver.load()), H2_SERVICE);
        jdbc.addDriver(new OsgiDataSourceFactory(org.h2.Driver.load()), Map.of("osgi.jdbc.driver.name", "Preferred H2",
                "service.id", 20L, "service.ranking", 5));
        assertEquals("Preferred H2", jdbc.driverFor("jdbc:h2:mem:x").orElseThrow().name());
        jdbc.deactivate();
    }

    @Test
    public void wrongPasswordIsThePostgresAuthenticationErrorWithoutThePassword() throws Exception {
        DataSourceFactoryJdbcProtocol jdbc = new DataSourceFactoryJdbcProtocol(new PGDataSourceFactory());
        String canary = "Canary-Pw-0123456789";
        SQLException refused = assertThrows(SQLException.class, () -> jdbc.connect(pg.jdbcUrl(), pg.user(), canary, TEN_SECONDS));
        assertEquals("28P01", refused.getSQLState());
        assertTrue(refused.getMessage(), refused.getMessage().contains("password authentication failed for user \"postgres\""));
        assertFalse(refused.getMessage().contains(canary));
        jdbc.deactivate();
    }

    @Test
    public void deadPortIsRefusedAtOnce() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        DataSourceFactoryJdbcProtocol jdbc = new DataSourceFactoryJdbcProtocol(new PGDataSourceFactory());
        long started = System.nanoTime();
        SQLException refused = assertThrows(SQLException.class,
                () -> jdbc.connect("jdbc:postgresql://127.0.0.1:" + port + "/midway", "u", "p", TEN_SECONDS));
        assertEquals("08001", refused.getSQLState());
        assertTrue(refused.getMessage(), refused.getMessage().contains("refused"));
        assertTrue("refused at once", System.nanoTime() - started < 5_000_000_000L);
        jdbc.deactivate();
    }

    @Test
    public void aServerThatNeverAnswersEndsInTheLoginTimeout() throws Exception {
        DataSourceFactoryJdbcProtocol jdbc = new DataSourceFactoryJdbcProtocol(new PGDataSourceFactory());
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            String url = "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/midway";
            long started = System.nanoTime();
            SQLTimeoutException late = assertThrows(SQLTimeoutException.class,
                    () -> jdbc.connect(url, "u", "p", Duration.ofMillis(500)));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertEquals("no connection to " + url + " within 500 ms", late.getMessage());
            assertEquals("HYT00", late.getSQLState());
            assertTrue("took " + tookMs + " ms", tookMs >= 450 && tookMs < 3000);
        } finally {
            jdbc.deactivate();
        }
    }

    @Test
    public void displayHidesUserInfoParametersAndSettings() {
        assertEquals("jdbc:postgresql://db01:5432/cmdb", JdbcProtocol.display("jdbc:postgresql://db01:5432/cmdb?user=a&password=secret"));
        assertEquals("jdbc:h2:mem:test", JdbcProtocol.display("jdbc:h2:mem:test;PASSWORD=secret;DB_CLOSE_DELAY=-1"));
        assertEquals("jdbc:mysql://db01/x", JdbcProtocol.display("jdbc:mysql://bob:secret@db01/x"));
        assertEquals("jdbc:h2:/tmp/db", JdbcProtocol.display(" jdbc:h2:/tmp/db "));
    }

    @Test
    public void badArguments() {
        DataSourceFactoryJdbcProtocol jdbc = new DataSourceFactoryJdbcProtocol();
        assertThrows(IllegalArgumentException.class, () -> jdbc.connect(null, null, null, TEN_SECONDS));
        assertThrows(IllegalArgumentException.class, () -> jdbc.connect("jdbc:h2:mem:x", null, null, Duration.ZERO));
        jdbc.deactivate();
    }
}
