package io.midway.testing.servers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import org.junit.Test;

public class PostgresServerTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    @Test
    public void startsWithAPasswordProtectedSuperuserAndTheMidwayDatabaseAndStopsClean() throws Exception {
        long started = System.nanoTime();
        Path folder;
        int port;
        try (PostgresServer pg = PostgresServer.start()) {
            long startMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue("start took " + startMs + " ms", startMs < 15_000);
            folder = pg.folder();
            port = pg.port();
            assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/midway", pg.jdbcUrl());
            assertEquals("postgres", pg.user());

            pg.execute("CREATE TABLE host (name text, cpus int)", "INSERT INTO host VALUES ('db01', 8), ('web01', 2)",
                    "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'", "GRANT SELECT ON host TO reader");
            assertEquals(List.of(List.of("db01", 8), List.of("web01", 2)), pg.query("SELECT name, cpus FROM host ORDER BY name"));
            assertEquals(List.of(List.of("midway")), pg.query("SELECT current_database()"));

            // the second role logs in with its own password over TCP
            try (Connection reader = DriverManager.getConnection(pg.jdbcUrl(), "reader", "reader-pw")) {
                assertTrue(reader.isValid(2));
            }
            // SCRAM is enforced: a wrong password is refused with 28P01
            SQLException refused = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(pg.jdbcUrl(), "postgres", "not-the-password"));
            assertEquals("28P01", refused.getSQLState());

            IllegalStateException bad = assertThrows(IllegalStateException.class, () -> pg.execute("SELEC 1"));
            assertTrue(bad.getMessage(), bad.getMessage().contains("syntax error"));
        }
        assertFalse("folder removed", Files.exists(folder));
        assertFalse("port closed", ExternalServer.accepts(port));
    }
}
