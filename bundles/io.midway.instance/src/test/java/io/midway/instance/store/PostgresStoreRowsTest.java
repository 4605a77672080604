package io.midway.instance.store;

import org.junit.AfterClass;
import org.junit.BeforeClass;

import io.midway.testing.servers.PostgresServer;

/** The round trips of {@link StoreRowsTest} on a real PostgreSQL server: the same contract on both engines. */
public class PostgresStoreRowsTest extends StoreRowsTest {

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

    @Override
    protected InstanceStore openStore() {
        pg.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
        return io.midway.instance.store.postgresql.PostgresEngine.open(pg.jdbcUrl(), pg.user(), pg.password());
    }
}
