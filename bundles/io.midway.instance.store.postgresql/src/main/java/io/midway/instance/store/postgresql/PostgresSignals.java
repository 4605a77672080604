package io.midway.instance.store.postgresql;

import io.midway.instance.store.sql.Statements;
import io.midway.instance.store.NodeSignals;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.function.Consumer;

import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeSignals} over PostgreSQL's LISTEN/NOTIFY on the channel {@value #CHANNEL}: one
 * notification per agent name. The listener keeps a connection of its own (a pooled one would be
 * handed to others between waits) and comes back after the server or the network went away.
 */
final class PostgresSignals implements NodeSignals {

    /** The notification channel. */
    static final String CHANNEL = "midway_wake";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSignals.class);
    /** Longest wait for notifications before the listener looks whether it is to stop. */
    private static final int WAIT_MS = 1000;

    private final JdbcConnectionPool pool;
    private final Statements sql;
    private final ConnectionSource listenerConnection;
    private volatile boolean running;
    private Thread listener;

    /** Opens a connection outside the pool, for the listener. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection open() throws SQLException;
    }

    /**
     * @param pool the store's connections, for notifications
     * @param sql the engine's SQL ({@code signals.wake}, {@code signals.listen})
     * @param listenerConnection opens a connection of the listener's own: closing it must end its
     *     session on the server (not a pooled handle, whose close keeps the session)
     */
    PostgresSignals(JdbcConnectionPool pool, Statements sql, ConnectionSource listenerConnection) {
        this.pool = pool;
        this.sql = sql;
        this.listenerConnection = listenerConnection;
    }

    @Override
    public void wake(Collection<String> agents) {
        if (agents.isEmpty()) {
            return;
        }
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.get("signals.wake"))) {
            ps.setArray(1, c.createArrayOf("text", agents.toArray(new String[0])));
            ps.execute();
        } catch (SQLException | IllegalStateException e) {
            // The waiting polls of other nodes answer at their timeout instead.
            LOG.warn("Could not tell the other instance nodes about work for {} agent(s): {}", agents.size(), e.getMessage());
        }
    }

    @Override
    public synchronized void listen(Consumer<String> woken) {
        if (listener != null) {
            return;
        }
        running = true;
        listener = new Thread(() -> loop(woken), "midway-node-signals");
        listener.setDaemon(true);
        listener.start();
    }

    private void loop(Consumer<String> woken) {
        long backoffMs = 500;
        while (running) {
            try (Connection c = listenerConnection.open(); Statement s = c.createStatement()) {
                s.execute(sql.get("signals.listen"));
                PGConnection pg = c.unwrap(PGConnection.class);
                LOG.info("Listening for wake-ups from other instance nodes (PostgreSQL channel {})", CHANNEL);
                backoffMs = 500;
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MS);
                    if (notifications == null) {
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        try {
                            woken.accept(n.getParameter());
                        } catch (RuntimeException e) {
                            LOG.warn("A wake-up for {} failed", n.getParameter(), e);
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.warn("Lost the wake-ups from other instance nodes ({}); listening again in {} ms", e.getMessage(),
                        backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 30_000);
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (listener != null) {
            listener.interrupt();
            try {
                listener.join(WAIT_MS * 3L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            listener = null;
        }
    }
}
