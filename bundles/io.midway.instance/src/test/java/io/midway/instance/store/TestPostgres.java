package io.midway.instance.store;

import io.midway.testing.servers.PostgresServer;

/**
 * One real PostgreSQL server for the store's contract tests on that engine, started at the first
 * use and stopped when the test JVM ends (starting one per test class would cost seconds each).
 */
public final class TestPostgres {

    private static PostgresServer server;

    private TestPostgres() {
    }

    /** @return the server, started on first use */
    public static synchronized PostgresServer server() {
        if (server == null) {
            server = PostgresServer.start();
            PostgresServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-postgres-stop"));
        }
        return server;
    }

    /**
     * @param fresh whether to empty the database first
     * @return a store on the server's database
     */
    public static InstanceStore open(boolean fresh) {
        return InstanceStore.open(setup(fresh));
    }

    /**
     * @param fresh whether to empty the database first
     * @return what a store on the server's database is opened from (to wrap its connections)
     */
    public static EngineSetup setup(boolean fresh) {
        PostgresServer pg = server();
        if (fresh) {
            pg.execute("DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
        }
        return io.midway.instance.store.postgresql.PostgresEngine.setup(pg.jdbcUrl(), pg.user(), pg.password());
    }
}
