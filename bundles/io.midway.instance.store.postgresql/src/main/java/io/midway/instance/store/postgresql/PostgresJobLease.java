package io.midway.instance.store.postgresql;

import io.midway.instance.store.JobLease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.ConnectionPoolDataSource;
import javax.sql.PooledConnection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.store.sql.Statements;

/**
 * {@link JobLease} over a PostgreSQL session-level advisory lock ({@code jobs.lock} in
 * {@code postgresql.sql}), held by a connection of its own, outside the pool: the lock lives as
 * long as that session. When the holder's process dies, or its connection breaks, the server
 * ends the session and frees the lock, and the next node to try takes it. A renewal that fails
 * (a broken connection, a check that times out) drops the connection and reports the lease lost.
 */
final class PostgresJobLease implements JobLease {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresJobLease.class);
    /** The longest a statement on the lock's connection may take before the lease counts as lost. */
    static final int NETWORK_TIMEOUT_MS = 2000;

    private final ConnectionPoolDataSource source;
    private final Statements sql;
    /** The physical connection: closing only the handle it gives would leave the session, and the lock, open. */
    private PooledConnection physical;
    private Connection connection;
    private boolean held;
    private boolean closed;

    PostgresJobLease(ConnectionPoolDataSource source, Statements sql) {
        this.source = source;
        this.sql = sql;
    }

    @Override
    public synchronized boolean renew() {
        if (closed) {
            return false;
        }
        try {
            if (connection == null) {
                physical = source.getPooledConnection();
                connection = physical.getConnection();
                connection.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MS);
                try (PreparedStatement ps = connection.prepareStatement(sql.get("jobs.session"))) {
                    ps.execute();
                }
            }
            held = held ? held(sql.get("jobs.check")) : held(sql.get("jobs.lock"));
        } catch (SQLException | RuntimeException e) {
            LOG.debug("The singleton jobs' lock connection failed: {}", e.getMessage());
            held = false;
            drop();
        }
        return held;
    }

    /** Runs a statement that answers one row with a boolean column {@code held}. */
    private boolean held(String statement) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(statement); ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean("held");
        }
    }

    @Override
    public boolean exclusive() {
        return true;
    }

    @Override
    public synchronized void release() {
        held = false;
        drop();
    }

    @Override
    public synchronized void close() {
        closed = true;
        held = false;
        drop();
    }

    /** Closes the lock's connection: the server ends the session and frees the lock. */
    private void drop() {
        if (physical != null) {
            try {
                physical.close();
            } catch (SQLException e) {
                LOG.debug("Closing the singleton jobs' lock connection: {}", e.getMessage());
            }
        }
        physical = null;
        connection = null;
    }
}
