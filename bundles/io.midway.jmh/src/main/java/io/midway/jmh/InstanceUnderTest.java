package io.midway.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.midway.instance.internal.InstanceServices;
import io.midway.instance.internal.InstanceSettings;
import io.midway.instance.api.OutputRequest;
import io.midway.testing.servers.PostgresServer;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentRegistration;

/**
 * The instance in-process, as its unit tests run it: an {@link InstanceServices} over a real H2 file
 * database in a temporary folder, with one validated agent registered.
 */
final class InstanceUnderTest implements AutoCloseable {

    static final String AGENT = "bench1";

    final Path folder;
    final InstanceServices service;

    /** The PostgreSQL server of a {@code postgresql} instance, else {@code null}. */
    private final PostgresServer postgres;

    InstanceUnderTest() throws IOException {
        this("h2");
    }

    /**
     * @param store {@code h2} (a file database in a temporary folder) or {@code postgresql} (a
     *     throw-away server of this machine's PostgreSQL, started here and stopped by {@link #close()})
     */
    InstanceUnderTest(String store) throws IOException {
        folder = Files.createTempDirectory("midway-jmh-");
        // long lease and wait: nothing expires or times out while measuring
        InstanceSettings settings = new InstanceSettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1),
                true, Duration.ofSeconds(30), "0.0.0-jmh");
        if ("postgresql".equals(store)) {
            postgres = PostgresServer.start();
            service = new InstanceServices(io.midway.instance.store.postgresql.PostgresEngine.open(postgres.jdbcUrl(), postgres.user(),
                    postgres.password()), settings, Clock.systemUTC());
        } else {
            postgres = null;
            service = new InstanceServices(io.midway.instance.store.h2.H2Engine.open(folder.resolve("db")), settings, Clock.systemUTC());
        }
        service.agents().register(new AgentRegistration(AGENT, "1.0.0", "localhost", "127.0.0.1", List.of("tcp")));
    }

    /** @return a ready output record for the agent, priority standard, no payload */
    static OutputRequest output(String topic) {
        return new OutputRequest(QueueRecord.agentField(AGENT), topic, topic, "127.0.0.1", null, QueueRecord.STATE_READY,
                QueueRecord.PRIORITY_STANDARD, null, null);
    }

    /** @return a new JDBC connection to this instance's database (the caller closes it) */
    java.sql.Connection connect() throws java.sql.SQLException {
        if (postgres != null) {
            return java.sql.DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        }
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + folder.resolve("db").resolve("instance").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE");
        ds.setUser("sa");
        ds.setPassword("");
        return ds.getConnection();
    }

    @Override
    public void close() throws IOException {
        service.close();
        if (postgres != null) {
            postgres.close();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
