package io.midway.instance.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.store.sql.Statements;

/**
 * The persistent store of the instance: an embedded H2 database (file {@code instance.mv.db} in
 * the given directory) holding the ECC queue, the agents, the events, the file-sync metadata, the agent cores,
 * the credentials (their secrets encrypted by the caller) and the agents' credential affinity.
 * Every commit reaches the file before it returns ({@code WRITE_DELAY=0}), so a killed process
 * loses nothing it answered.
 */
public final class InstanceStore implements AutoCloseable {

    /**
     * Work done with one connection.
     *
     * @param <T> the result
     */
    @FunctionalInterface
    public interface SessionWork<T> {
        /**
         * @param session the session
         * @return the result
         * @throws SQLException on a database error
         */
        T run(StoreSession session) throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(InstanceStore.class);
    /** The schema version this code writes: the highest migration, the same on every engine. */
    public static final int SCHEMA_VERSION = 15;

    /** The database folder of the embedded engine; {@code null} for a database server. */
    private final Path directory;
    /** Where the data is, for messages: the folder, or the JDBC URL (never a password). */
    private final String location;
    private final JdbcConnectionPool pool;
    /** The engine's SQL. */
    private final Statements sql;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Wake-ups between nodes on a database server; {@code null} on the embedded engine. */
    private NodeSignals signals;
    /** The singleton jobs' lease: always held on the embedded engine. */
    private JobLease jobLease = JobLease.ALWAYS;

    private InstanceStore(EngineSetup engine, JdbcConnectionPool pool) {
        this.directory = engine.directory();
        this.location = engine.location();
        this.pool = pool;
        this.sql = engine.statements();
    }

    /**
     * Opens an engine's database and brings its schema up to date (the engine bundles call this:
     * {@code io.midway.instance.store.h2}, {@code io.midway.instance.store.postgresql}).
     *
     * @param engine what the engine brings: its connections, its SQL, its signals and job lease
     * @return the open store
     * @throws StoreException if the database cannot be reached or its schema brought up to date,
     *     with the reason
     */
    public static InstanceStore open(EngineSetup engine) {
        if (engine.statements().schemaVersion() != SCHEMA_VERSION) {
            throw new IllegalStateException(engine.statements().dialect() + ".sql has "
                    + engine.statements().schemaVersion() + " migrations, this store " + SCHEMA_VERSION
                    + ": every engine must have the same schema versions");
        }
        JdbcConnectionPool pool = JdbcConnectionPool.create(engine.dataSource());
        pool.setMaxConnections(16);
        InstanceStore store = new InstanceStore(engine, pool);
        try {
            store.createSchema();
            store.signals = engine.signals(pool).orElse(null);
            store.jobLease = engine.jobLease();
        } catch (SQLException | RuntimeException e) {
            pool.dispose();
            throw new StoreException("cannot open the instance database " + engine.description() + ": " + e.getMessage(), e);
        }
        LOG.info("Instance database open: {} ({})", engine.location(), engine.name());
        return store;
    }

    /**
     * Applies, in order, every migration above the version the database records, recording each
     * version as it is reached (a migration cut short is run again at the next open: its
     * statements are idempotent). A database newer than this code is left alone, with a warning.
     */
    private void createSchema() throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql.get("schema.lock"));
            try {
                migrate(connection, statement);
            } finally {
                statement.execute(sql.get("schema.unlock"));
            }
        }
    }

    private void migrate(Connection connection, Statement statement) throws SQLException {
        statement.execute(sql.get("schema.version.create"));
        int found;
        try (var rs = statement.executeQuery(sql.get("schema.version.read"))) {
            rs.next();
            found = rs.getInt(1);
            if (rs.wasNull()) {
                found = -1;
            }
        }
        if (found > SCHEMA_VERSION) {
            LOG.warn("The instance database has schema version {}, newer than this instance's {}", found,
                    SCHEMA_VERSION);
            return;
        }
        for (int version = Math.max(found, 0) + 1; version <= SCHEMA_VERSION; version++) {
            for (String step : sql.migration(version)) {
                statement.execute(step);
            }
            try (var ps = connection.prepareStatement(sql.get(found < 0 && version == 1
                    ? "schema.version.insert" : "schema.version.update"))) {
                ps.setInt(1, version);
                ps.executeUpdate();
            }
            if (found < 0) {
                found = 0;
            }
        }
        if (found > 0 && found < SCHEMA_VERSION) {
            LOG.info("Instance database schema migrated from version {} to {}", found, SCHEMA_VERSION);
        }
    }

    /**
     * @param failure what a piece of work threw
     * @return whether it is a deadlock or a serialization failure (SQLState 40P01, 40001): the
     *     database rolled the work back, and running it again may succeed
     */
    public static boolean isRetryable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && ("40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** @return the database directory of the embedded engine; {@code null} for a database server */
    public Path directory() {
        return directory;
    }

    /** @return where the data is: the embedded database's folder, or the server's JDBC URL */
    public String location() {
        return location;
    }

    /** @return the wake-ups between instance nodes, on a database server; empty on the embedded engine */
    public java.util.Optional<NodeSignals> signals() {
        return java.util.Optional.ofNullable(signals);
    }

    /**
     * @return whether several instance nodes may share this database (a database server, with
     *     wake-ups between nodes); the embedded engine is used by one node alone
     */
    public boolean sharedByNodes() {
        return signals != null;
    }

    /**
     * @return the lease on the singleton jobs (heartbeat monitor, lease reaper, failover): held by
     *     one node of a database at a time; always held on the embedded engine
     */
    public JobLease jobLease() {
        return jobLease;
    }

    /** @return the engine: {@code h2} or {@code postgresql} */
    public String engine() {
        return sql.dialect();
    }

    /**
     * Runs work in one transaction: committed when it returns, rolled back when it throws.
     *
     * @param <T> the result
     * @param work the work
     * @return its result
     * @throws StoreException on a database error; a {@link RuntimeException} of the work passes through
     */
    public <T> T transaction(SessionWork<T> work) {
        try (Connection connection = connection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(new StoreSession(connection, sql));
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollback(connection);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        }
    }

    /** One piece of work of a {@link #group(List) group}. */
    public interface GroupWork {
        /**
         * @param session the session of the group's transaction
         * @throws SQLException on a database error (rolls back this piece only)
         */
        void run(StoreSession session) throws SQLException;

        /**
         * This piece threw; what it wrote was rolled back, the others go on.
         *
         * @param failure what it threw
         */
        void failed(Throwable failure);
    }

    /**
     * Runs several pieces of work in one transaction (one commit for all: a group commit), each
     * behind its own savepoint: a piece that throws is rolled back alone and told through
     * {@link GroupWork#failed}; the others are committed together.
     *
     * @param works the pieces, run in order
     * @throws StoreException when the transaction itself fails (nothing of the group is committed)
     */
    public void group(List<? extends GroupWork> works) {
        try (Connection connection = connection()) {
            connection.setAutoCommit(false);
            try {
                StoreSession session = new StoreSession(connection, sql);
                for (GroupWork work : works) {
                    Savepoint savepoint = connection.setSavepoint();
                    try {
                        work.run(session);
                    } catch (SQLException | RuntimeException | Error e) {
                        connection.rollback(savepoint);
                        work.failed(e);
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                rollback(connection);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        }
    }

    /**
     * Runs read-only work.
     *
     * @param <T> the result
     * @param work the work
     * @return its result
     * @throws StoreException on a database error
     */
    public <T> T read(SessionWork<T> work) {
        try (Connection connection = connection()) {
            return work.run(new StoreSession(connection, sql));
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        }
    }

    /** @return a pooled connection; {@link StoreClosedException} once the store is closed */
    private Connection connection() throws SQLException {
        if (closed.get()) {
            throw new StoreClosedException(location);
        }
        try {
            return pool.getConnection();
        } catch (IllegalStateException e) {
            // close() disposed of the pool between the check and here
            throw new StoreClosedException(location);
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("Rollback failed: {}", e.getMessage());
        }
    }

    /** Closes the database; everything committed stays on disk. Closing twice does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (signals != null) {
            signals.close();
        }
        jobLease.close();
        if (directory != null) {
            // The embedded database is closed with the process's last connection to it.
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("SHUTDOWN");
            } catch (SQLException e) {
                LOG.warn("Database shutdown in {} failed: {}", location, e.getMessage());
            }
        }
        pool.dispose();
        LOG.info("Instance database {} closed", location);
    }
}
