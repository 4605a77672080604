package io.midway.instance.internal;

import io.midway.instance.store.StoredCore;
import io.midway.instance.api.InstanceStatus;
import io.midway.instance.api.InstanceException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.StoreSession;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceDescription;

import org.osgi.service.component.annotations.Reference;

/**
 * The core of the instance: its store (opened from the framework properties: the engine is
 * configuration), its settings (configuration pid {@value #PID}), its one {@link GroupWriter},
 * the revisions that ride on every poll reply (file sync, credentials, instance version), the
 * waiting long polls' wake-ups (in this JVM, and through the store's signals to other nodes on
 * the same database) and the event listeners. The instance's services ({@link AgentService},
 * {@link PollService}, {@link OutputService}, {@link ClusterService}, …) write and read through it.
 */
@Component(service = {InstanceCore.class, InstanceStatus.class}, configurationPid = InstanceCore.PID)
@Designate(ocd = InstanceConfiguration.class)
public class InstanceCore implements GroupWriter.Hooks, InstanceStatus {

    /** Configuration pid. */
    public static final String PID = "io.midway.instance";
    /** Framework property (MIDWAY_DB_URL): a PostgreSQL database instead of the embedded H2. */
    public static final String DB_URL_PROPERTY = "midway.db.url";
    /** Framework property (MIDWAY_DB_USER): its user. */
    public static final String DB_USER_PROPERTY = "midway.db.user";
    /** Framework property (MIDWAY_DB_PASSWORD): its password. */
    public static final String DB_PASSWORD_PROPERTY = "midway.db.password";

    /** Framework property naming the state directory. */
    public static final String DATA_PROPERTY = "midway.data";
    /** The most records one poll may lease. */
    private static final Logger LOG = LoggerFactory.getLogger(InstanceCore.class);

    private final InstanceStore store;
    private final boolean ownsStore;
    private final Clock clock;
    private final GroupWriter writer;
    private final ExecutorService wakeExecutor;
    private final PollWaiters waiters;
    /** What is kept in memory and written once a second: refresh times, and leases on a database this node uses alone. */
    private final MemoryWrites memoryWrites;
    private final List<Consumer<InstanceEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile InstanceSettings settings;
    private volatile long syncRevision;
    private volatile long credentialRevision;
    private volatile long configRevision;
    /** The version the last core upload made the instance version; {@code null}: none yet. */
    private volatile String publishedVersion;
    private volatile boolean closed;

    /**
     * Opens the store and starts serving.
     *
     * @param context the bundle context, for framework properties
     * @param config the configuration
     * @param store the store of the configured engine ({@link StoreProvider})
     */
    @Activate
    public InstanceCore(BundleContext context, InstanceConfiguration config, @Reference(name = "store") InstanceStore store) {
        this(store, settings(context, config), Clock.systemUTC(), false);
    }

    /**
     * @param store the open store; closed by {@link #close()}
     * @param settings the settings
     * @param clock the time source
     */
    public InstanceCore(InstanceStore store, InstanceSettings settings, Clock clock) {
        this(store, settings, clock, true);
    }

    /**
     * @param store the open store
     * @param ownsStore whether {@link #close()} closes it (the {@link StoreProvider} closes the store it registered)
     * @param settings the settings
     * @param clock the time source
     */
    private InstanceCore(InstanceStore store, InstanceSettings settings, Clock clock, boolean ownsStore) {
        this.store = store;
        this.ownsStore = ownsStore;
        this.settings = settings;
        this.clock = clock;
        this.writer = new GroupWriter(store, clock, this);
        this.wakeExecutor = Executors.newFixedThreadPool(2, threads("midway-poll-wake"));
        this.waiters = new PollWaiters(wakeExecutor);
        this.memoryWrites = new MemoryWrites(writer, clock, () -> closed, !store.sharedByNodes());
        // Several nodes on one database: work made ready on another node wakes this node's polls,
        // and a revision another node changed (file sync, credentials, the instance version) is
        // read again and answered to every waiting poll.
        store.signals().ifPresent(signals -> signals.listen(this::woken));
        this.syncRevision = store.read(StoreSession::syncRevision);
        this.credentialRevision = store.read(StoreSession::credentialRevision);
        this.configRevision = store.read(StoreSession::configRevision);
        this.publishedVersion = store.read(StoreSession::instanceVersion);
        logSettings("started");
    }

    /**
     * Applies a configuration change without reopening the store.
     *
     * @param context the bundle context
     * @param config the new configuration
     */
    @Modified
    void modified(BundleContext context, InstanceConfiguration config) {
        settings = settings(context, config);
        logSettings("reconfigured");
    }

    private static InstanceSettings settings(BundleContext context, InstanceConfiguration config) {
        return InstanceSettings.resolve(config, context::getProperty, context.getBundle().getVersion().toString());
    }

    /**
     * @param context the bundle context
     * @return the state directory, {@code midway.data} or {@code ./data/instance}
     */
    public static Path dataDirectory(BundleContext context) {
        String data = context.getProperty(DATA_PROPERTY);
        if (data == null || data.isBlank()) {
            Path fallback = Paths.get("data", "instance").toAbsolutePath();
            LOG.warn("Framework property {} is not set; keeping instance state in {}", DATA_PROPERTY, fallback);
            return fallback;
        }
        return Paths.get(data.trim());
    }

    private void logSettings(String what) {
        InstanceSettings s = settings;
        LOG.info("Instance {} {}: heartbeat every {} s, timeout {} s, lease {} s, auto-validate {}, longest poll {} ms, "
                + "file-sync revision {}", instanceVersion(), what, s.heartbeatInterval().toSeconds(),
                s.heartbeatTimeout().toSeconds(), s.lease().toSeconds(), s.autoValidate(), s.pollMaxWait().toMillis(),
                syncRevision);
    }

    /** Answers waiting polls with 503, stops the threads and closes the store. */
    @Deactivate
    public void close() {
        memoryWrites.close();
        closed = true;
        InstanceException stopping = new InstanceException(InstanceException.Reason.UNAVAILABLE,
                "the instance is stopping", "poll again in a moment");
        for (Runnable waiter : waiters.drain()) {
            if (waiter instanceof LongPoll poll) {
                poll.fail(stopping);
            }
        }
        wakeExecutor.shutdown();
        try {
            if (!wakeExecutor.awaitTermination(2, TimeUnit.SECONDS)) {
                wakeExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsStore) {
            synchronized (writer.writeLock) {
                store.close();
            }
        }
    }

    @Override
    public boolean closed() {
        return closed;
    }

    /** @return the time source */
    Clock clock() {
        return clock;
    }

    /** @return the waiting long polls, by agent */
    PollWaiters waiters() {
        return waiters;
    }

    /** @return the threads that answer woken polls */
    ExecutorService wakeExecutor() {
        return wakeExecutor;
    }

    /** @return the effective settings */
    public InstanceSettings settings() {
        return settings;
    }

    /**
     * @return the instance version, which agents follow: the version of the agent core uploaded
     *     last, or before any upload {@code midway.version}
     */
    public String instanceVersion() {
        String published = publishedVersion;
        return published != null ? published : settings.version();
    }

    /** @return the reply of {@code instance_info}: the instance version and the core of that version, if stored */
    public InstanceDescription instanceInfo() {
        requireOpen();
        synchronized (writer.writeLock) {
            requireOpen();
            String version = instanceVersion();
            return new InstanceDescription(version, store.read(s -> s.findCore(version))
                    .map(StoredCore::core).orElse(null));
        }
    }

    /** @param listener called with each new event, after it is stored */
    public void addEventListener(Consumer<InstanceEvent> listener) {
        listeners.add(listener);
    }

    /** @param listener a listener added before */
    public void removeEventListener(Consumer<InstanceEvent> listener) {
        listeners.remove(listener);
    }

    /** @return the current file-sync revision, as it rides on every poll reply */
    public String syncRevision() {
        return Long.toString(syncRevision);
    }

    /** @return the current credential revision, as it rides on every poll reply */
    public String credentialRevision() {
        return Long.toString(credentialRevision);
    }

    /** @return the current configuration revision (agent properties and parameters), as it rides on every poll reply */
    public String configRevision() {
        return Long.toString(configRevision);
    }

    /** @return where the data is, for operators: the embedded database's folder, or the server's URL */
    public String databaseLocation() {
        return store.location();
    }

    /** @return the database engine: {@code h2} or {@code postgresql} */
    public String databaseEngine() {
        return store.engine();
    }

    /** @return the lease on the singleton jobs of this node's database (see {@link SingletonJobs}) */
    public io.midway.instance.store.JobLease jobLease() {
        return store.jobLease();
    }

    /** @return when each agent was last heard from, as far as not yet written */
    RefreshTimes refreshTimes() {
        return memoryWrites.refreshTimes();
    }

    /**
     * @return the leases held in memory when this node uses its database alone (the embedded
     *     engine); {@code null} on a database several nodes share, where every lease is a row
     */
    MemoryLeases memoryLeases() {
        return memoryWrites.leases();
    }

    /** @param all every lease held in memory, not only those held longer than {@link MemoryLeases#WRITE_AFTER_MS}: written now */
    void writeHeldLeases(boolean all) {
        memoryWrites.writeHeldLeases(all);
    }

    /** Writes the refresh times held in memory now. */
    void writeRefreshTimes() {
        memoryWrites.writeRefreshTimes();
    }

    /**
     * Runs a write in the one writer (see {@link GroupWriter}); returns once it is committed.
     *
     * @param <T> the result
     * @param work the write
     * @return its result
     */
    <T> T write(GroupWriter.Work<T> work) {
        return writer.write(work);
    }
    /**
     * Reads credentials (or anything else) from the store, without waiting for writes.
     *
     * @param <T> the result
     * @param work the reading
     * @return its result
     */
    public <T> T read(InstanceStore.SessionWork<T> work) {
        requireOpen();
        return store.read(work);
    }

    /**
     * Writes to the store (identities, or anything else without events), in the instance's one
     * writer.
     *
     * @param <T> the result
     * @param work the writing
     * @return its result
     */
    public <T> T writeStore(InstanceStore.SessionWork<T> work) {
        return writer.write((s, c) -> work.run(s));
    }

    /**
     * Runs work in a transaction of its own, beside the writer (on a database server, which takes
     * concurrent transactions: a poll's claim, which wakes nobody and writes no event).
     *
     * @param <T> the result
     * @param work the work
     * @return its result
     */
    /**
     * Reads, serialised with the writes, so what is read together is consistent and the files it
     * names exist on disk while the work runs (file sync, agent cores).
     *
     * @param <T> the result
     * @param work the reading
     * @return its result
     */
    public <T> T transactionApart(InstanceStore.SessionWork<T> work) {
        requireOpen();
        return store.transaction(work);
    }

    /**
     * Reads from the store while no write is half made (under the writer's lock).
     *
     * @param <T> the result
     * @param work the reading
     * @return its result
     */
    public <T> T readSerialized(InstanceStore.SessionWork<T> work) {
        requireOpen();
        synchronized (writer.writeLock) {
            requireOpen();
            return store.read(work);
        }
    }

    @Override
    public void committed(Changes changes) {
        if (changes.syncRevision != null) {
            syncRevision = changes.syncRevision;
        }
        if (changes.credentialRevision != null) {
            credentialRevision = changes.credentialRevision;
        }
        if (changes.configRevision != null) {
            configRevision = changes.configRevision;
        }
        if (changes.instanceVersion != null) {
            publishedVersion = changes.instanceVersion;
        }
    }
    /** What another node's wake-up names: an agent, or {@value #EVERY_AGENT} for a revision change. */
    private void woken(String agentOrAll) {
        if (agentOrAll.startsWith(RELEASE_POLLS)) {
            LeaseRecovery.supersedeHere(this, agentOrAll.substring(RELEASE_POLLS.length()));
            return;
        }
        if (!EVERY_AGENT.equals(agentOrAll)) {
            waiters.signal(agentOrAll);
            return;
        }
        if (closed) {
            return;
        }
        synchronized (writer.writeLock) {
            store.read(s -> {
                syncRevision = s.syncRevision();
                credentialRevision = s.credentialRevision();
                configRevision = s.configRevision();
                publishedVersion = s.instanceVersion();
                return null;
            });
        }
        waiters.signalAll();
    }

    /**
     * Wakes an agent's waiting long polls, outside a write (a lease that expired in memory).
     *
     * @param agentName the agent
     */
    void wake(String agentName) {
        waiters.signal(agentName);
    }

    /** The wake-up that tells other nodes a revision changed (no agent name has this form). */
    static final String EVERY_AGENT = "*";

    /**
     * What a wake-up names to have every node answer an agent's waiting long polls empty (crash
     * recovery), followed by the agent's name; no agent name starts with {@code !}.
     */
    static final String RELEASE_POLLS = "!release-polls:";

    /**
     * Tells the other nodes on the same database to answer the agent's waiting long polls empty
     * (crash recovery); returns once the wake-up is sent, so that they see it before the wake-ups
     * of any later write.
     *
     * @param agentName the agent
     */
    void releasePollsOnOtherNodes(String agentName) {
        store.signals().ifPresent(signals -> signals.wake(List.of(RELEASE_POLLS + agentName)));
    }

    @Override
    public void published(Changes changes) {
        boolean revisionChanged = changes.syncRevision != null || changes.instanceVersion != null
                || changes.credentialRevision != null || changes.configRevision != null;
        if (revisionChanged) {
            waiters.signalAll();
        }
        for (String agent : changes.wake) {
            waiters.signal(agent);
        }
        // The other nodes on the same database: the same wake-ups, off the writer's thread.
        List<String> others = new ArrayList<>(changes.wake);
        if (revisionChanged) {
            others.add(EVERY_AGENT);
        }
        if (!others.isEmpty()) {
            store.signals().ifPresent(signals -> {
                try {
                    wakeExecutor.execute(() -> signals.wake(others));
                } catch (RejectedExecutionException e) {
                    LOG.debug("Not telling other nodes about {}: stopping", others);
                }
            });
        }
        for (InstanceEvent event : changes.events) {
            LOG.info("Event {} #{} {}: {}", event.name(), event.seq(), event.agent(), event.detail());
            for (Consumer<InstanceEvent> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("Event listener failed on {}", event.name(), e);
                }
            }
        }
    }

    @Override
    public void requireOpen() {
        if (closed) {
            throw stopping();
        }
    }

    static InstanceException stopping() {
        return new InstanceException(InstanceException.Reason.UNAVAILABLE, "the instance is stopping", "");
    }

    static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    // --- changes that take a revision ----------------------------------------------------

    /**
     * A change of the file-sync set, run by {@link #changeSyncFiles} in one transaction.
     *
     * @param <T> the result
     */
    @FunctionalInterface
    public interface SyncFilesChange<T> {
        /**
         * @param tx the transaction
         * @return the result
         * @throws SQLException on a database error
         */
        T apply(SyncFilesTransaction tx) throws SQLException;
    }

    /**
     * Changes the file-sync set in one transaction, serialised with every other write. When the
     * change takes a new revision ({@link SyncFilesTransaction#nextRevision()}), every poll reply
     * carries it from the commit on, and every waiting long poll completes at once.
     *
     * @param <T> the result
     * @param change the change
     * @return its result
     */
    public <T> T changeSyncFiles(SyncFilesChange<T> change) {
        final class Tx extends ChangeTransaction implements SyncFilesTransaction {
            Tx(StoreSession s, Changes c) {
                super(s, c);
            }

            @Override
            public long nextRevision() throws SQLException {
                if (changes.syncRevision == null) {
                    changes.syncRevision = session.incrementSyncRevision();
                }
                return changes.syncRevision;
            }
        }
        return writer.write((s, c) -> change.apply(new Tx(s, c)));
    }

    // --- credentials -----------------------------------------------------------------------

    /**
     * A change of the credentials, run by {@link #changeCredentials} in one transaction.
     *
     * @param <T> the result
     */
    @FunctionalInterface
    public interface CredentialsChange<T> {
        /**
         * @param tx the transaction
         * @return the result
         * @throws SQLException on a database error
         */
        T apply(CredentialsTransaction tx) throws SQLException;
    }

    /**
     * Changes the credentials in one transaction, serialised with every other write. When the
     * change takes a new revision ({@link CredentialsTransaction#nextRevision()}), every poll reply
     * carries it from the commit on, and every waiting long poll completes at once.
     *
     * @param <T> the result
     * @param change the change
     * @return its result
     */
    public <T> T changeCredentials(CredentialsChange<T> change) {
        final class Tx extends ChangeTransaction implements CredentialsTransaction {
            Tx(StoreSession s, Changes c) {
                super(s, c);
            }

            @Override
            public long nextRevision() throws SQLException {
                if (changes.credentialRevision == null) {
                    changes.credentialRevision = session.incrementCredentialRevision();
                }
                return changes.credentialRevision;
            }
        }
        return writer.write((s, c) -> change.apply(new Tx(s, c)));
    }

    /**
     * A change of the stored agent cores, run by {@link #changeCores} in one transaction.
     *
     * @param <T> the result
     */
    @FunctionalInterface
    public interface CoresChange<T> {
        /**
         * @param tx the transaction
         * @return the result
         * @throws SQLException on a database error
         */
        T apply(CoresTransaction tx) throws SQLException;
    }

    /**
     * Changes the stored agent cores in one transaction, serialised with every other write. When
     * the change publishes a version ({@link CoresTransaction#publish}), it is the instance version
     * from the commit on, it is persisted, and every waiting long poll completes at once.
     *
     * @param <T> the result
     * @param change the change
     * @return its result
     */
    public <T> T changeCores(CoresChange<T> change) {
        final class Tx extends ChangeTransaction implements CoresTransaction {
            Tx(StoreSession s, Changes c) {
                super(s, c);
            }

            @Override
            public String instanceVersion() {
                return changes.instanceVersion != null ? changes.instanceVersion : InstanceCore.this.instanceVersion();
            }

            @Override
            public void publish(String version) throws SQLException {
                session.setInstanceVersion(version);
                changes.instanceVersion = version;
            }
        }
        return writer.write((s, c) -> change.apply(new Tx(s, c)));
    }

    /**
     * What the transactions of {@link #changeSyncFiles}, {@link #changeCredentials} and
     * {@link #changeCores} share: the write's session and time, and the actions to run after its
     * commit or rollback.
     */
    private abstract static class ChangeTransaction {
        final StoreSession session;
        final Changes changes;

        ChangeTransaction(StoreSession session, Changes changes) {
            this.session = session;
            this.changes = changes;
        }

        public StoreSession session() {
            return session;
        }

        public Instant now() {
            return changes.now;
        }

        public void onCommit(Runnable action) {
            changes.onCommit.add(action);
        }

        public void onRollback(Runnable action) {
            changes.onRollback.add(action);
        }
    }
}
