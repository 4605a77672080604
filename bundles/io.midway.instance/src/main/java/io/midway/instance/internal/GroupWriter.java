package io.midway.instance.internal;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.StoreException;
import io.midway.instance.store.StoreSession;

/**
 * The instance's one writer: every write runs in a transaction of the {@link InstanceStore}, and
 * writes that arrive together share one transaction and one commit (a group commit), each behind
 * its own savepoint. What a write changes besides its rows (events, wake-ups, revisions) is kept
 * in its {@link Changes} and handed to the {@link Hooks} after the commit.
 */
final class GroupWriter {

    private static final Logger LOG = LoggerFactory.getLogger(GroupWriter.class);

    /**
     * A write: runs in a transaction, notes its events and wake-ups in the changes.
     *
     * @param <T> its result
     */
    @FunctionalInterface
    interface Work<T> {
        /**
         * @param session the transaction
         * @param changes what the write changes besides its rows
         * @return the result
         * @throws SQLException on a database error
         */
        T run(StoreSession session, Changes changes) throws SQLException;
    }

    /** What the writer tells its owner. */
    interface Hooks {
        /** @return whether the instance is stopping: writes are refused */
        boolean closed();

        /** Throws 503 when the instance is stopping. */
        void requireOpen();

        /**
         * A write committed; called under the write lock, before its commit actions.
         *
         * @param changes what it changed
         */
        void committed(Changes changes);

        /**
         * A write committed; called after the write lock is released, to wake and tell.
         *
         * @param changes what it changed
         */
        void published(Changes changes);
    }

    /** The most writes one transaction takes. */
    private static final int MAX_WRITE_GROUP = 256;

    private final InstanceStore store;
    private final Clock clock;
    private final Hooks hooks;
    /** Held while a group runs; also by readers that must not see a change half made. */
    final Object writeLock = new Object();
    /** Writes waiting to be run by whichever writer holds the lock next. */
    private final ConcurrentLinkedQueue<PendingWrite<?>> pendingWrites = new ConcurrentLinkedQueue<>();

    GroupWriter(InstanceStore store, Clock clock, Hooks hooks) {
        this.store = store;
        this.clock = clock;
        this.hooks = hooks;
    }

    /**
     * Runs a write. Writes that arrive together share one transaction and one commit (a group
     * commit: the commit is what costs, as every commit reaches the file), each behind its own
     * savepoint, so one failing write rolls back alone. A write returns once it is committed.
     */
    <T> T write(Work<T> work) {
        hooks.requireOpen();
        PendingWrite<T> mine = new PendingWrite<>(work);
        pendingWrites.add(mine);
        List<PendingWrite<?>> led = new ArrayList<>();
        synchronized (writeLock) {
            while (!mine.done) {
                List<PendingWrite<?>> group = new ArrayList<>();
                for (PendingWrite<?> p = pendingWrites.poll(); p != null; p = pendingWrites.poll()) {
                    group.add(p);
                    if (group.size() == MAX_WRITE_GROUP) {
                        break;
                    }
                }
                runGroup(group);
                led.addAll(group);
            }
        }
        for (PendingWrite<?> p : led) {
            if (p.failure == null) {
                hooks.published(p.changes);
            }
        }
        return mine.result();
    }

    /** Runs a group of writes in one transaction; under the write lock. */
    private void runGroup(List<PendingWrite<?>> group) {
        if (hooks.closed()) {
            for (PendingWrite<?> p : group) {
                p.failure = InstanceCore.stopping();
            }
        } else {
            List<PendingWrite<?>> todo = group;
            for (int attempt = 1; ; attempt++) {
                for (PendingWrite<?> p : todo) {
                    p.changes = new Changes(clock.instant());
                    p.failure = null;
                }
                try {
                    store.group(todo);
                } catch (RuntimeException | Error e) {
                    for (PendingWrite<?> p : todo) {
                        if (p.failure == null) {
                            p.failure = e;
                        }
                    }
                }
                // Several nodes on one database: writes of two nodes may deadlock (each holds a row
                // the other updates next); the database rolls one back, which is run again.
                List<PendingWrite<?>> again = todo.stream()
                        .filter(p -> p.failure != null && InstanceStore.isRetryable(p.failure)).toList();
                if (again.isEmpty() || attempt == MAX_WRITE_ATTEMPTS) {
                    break;
                }
                for (PendingWrite<?> p : again) {
                    run(p.changes.onRollback, "rollback");
                }
                LOG.debug("{} write(s) met another node's lock (attempt {}): running them again", again.size(), attempt);
                try {
                    Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 10 * attempt));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                todo = again;
            }
        }
        for (PendingWrite<?> p : group) {
            if (p.failure != null) {
                if (p.changes != null) {
                    run(p.changes.onRollback, "rollback");
                }
            } else {
                hooks.committed(p.changes);
                run(p.changes.onCommit, "commit");
            }
            p.done = true;
        }
    }

    /** How often a write that another node's transaction deadlocked is run, in all. */
    private static final int MAX_WRITE_ATTEMPTS = 5;

    /** A write waiting for its group; its fields are guarded by the write lock. */
    private static final class PendingWrite<T> implements InstanceStore.GroupWork {
        final Work<T> work;
        Changes changes;
        T result;
        Throwable failure;
        boolean done;

        PendingWrite(Work<T> work) {
            this.work = work;
        }

        @Override
        public void run(StoreSession session) throws SQLException {
            result = work.run(session, changes);
        }

        @Override
        public void failed(Throwable e) {
            failure = e;
        }

        T result() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new StoreException("database error: " + failure.getMessage(), failure);
            }
            return result;
        }
    }


    static void run(List<Runnable> actions, String when) {
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("An action after {} failed", when, e);
            }
        }
    }
}
