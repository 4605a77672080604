package io.midway.instance.internal;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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

import io.midway.instance.internal.cluster.AgentCluster;
import io.midway.instance.internal.cluster.ClusterRouter;
import io.midway.instance.internal.store.InstanceStore;
import io.midway.instance.internal.store.StoreException;
import io.midway.instance.internal.store.StoreSession;
import io.midway.instance.internal.store.StoreSession.PendingHeartbeat;
import io.midway.instance.internal.store.TableQuery;
import io.midway.instance.internal.store.TableSchema;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.EventRecord;
import io.midway.wire.InputBatch;
import io.midway.wire.InputRecord;
import io.midway.wire.InstanceInfo;
import io.midway.wire.Json;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;
import io.midway.wire.SealedSecret;
import io.midway.wire.SyncReport;

/**
 * The instance: ECC queue, agent registry, leases, heartbeats, events and the file-sync revision
 * over the persistent {@link InstanceStore}. The servlets are thin over this class; the
 * {@link HeartbeatMonitor} and the {@link LeaseReaper} call it on a schedule, the
 * {@link FileSyncService} changes the file-sync set through {@link #changeSyncFiles}. All writes
 * are serialised by one lock and run in one transaction each; waiting long polls are woken by an
 * in-memory signal per agent, and all of them when the file-sync revision changes.
 */
@Component(service = EccService.class, configurationPid = EccService.PID)
@Designate(ocd = InstanceConfiguration.class)
public class EccService {

    /** Configuration pid. */
    public static final String PID = "io.midway.instance";
    /** Framework property (MIDWAY_DB_URL): a PostgreSQL database instead of the embedded H2. */
    public static final String DB_URL_PROPERTY = "midway.db.url";
    /** Framework property (MIDWAY_DB_USER): its user. */
    public static final String DB_USER_PROPERTY = "midway.db.user";
    /** Framework property (MIDWAY_DB_PASSWORD): its password. */
    public static final String DB_PASSWORD_PROPERTY = "midway.db.password";

    /**
     * The engine is configuration, never code: {@value #DB_URL_PROPERTY} names a PostgreSQL
     * database; without it the embedded H2 database in {@code <midway.data>/db} is used.
     */
    private static InstanceStore openStore(BundleContext context) {
        String url = context.getProperty(DB_URL_PROPERTY);
        if (url == null || url.isBlank()) {
            return InstanceStore.open(dataDirectory(context).resolve("db"));
        }
        String password;
        try {
            password = ConfigurationSecrets.reveal(dataDirectory(context).resolve(CredentialCipher.KEY_FILE),
                    "MIDWAY_DB_PASSWORD", context.getProperty(DB_PASSWORD_PROPERTY));
        } catch (IllegalArgumentException e) {
            throw new io.midway.instance.internal.store.StoreException("cannot open the instance database " + url.trim()
                    + ": " + e.getMessage(), e);
        }
        return InstanceStore.openPostgresql(url.trim(), context.getProperty(DB_USER_PROPERTY), password);
    }

    /** Framework property naming the state directory. */
    public static final String DATA_PROPERTY = "midway.data";
    /** The most records one poll may lease. */
    public static final int MAX_POLL_RECORDS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(EccService.class);
    private static final Set<String> INPUT_STATES = Set.of(EccRecord.STATE_PROCESSED, EccRecord.STATE_ERROR);
    /** The statuses an agent may report for itself. */
    private static final List<String> AGENT_STATUSES = List.of(AgentRecord.STATUS_PAUSED, AgentRecord.STATUS_UP,
            AgentRecord.STATUS_UPGRADING, AgentRecord.STATUS_UPGRADE_FAILED);
    /** The statuses an admin may set. */
    private static final List<String> ADMIN_STATUSES = List.of(AgentRecord.STATUS_PAUSED, AgentRecord.STATUS_UP);

    /**
     * The result of a registration.
     *
     * @param agent the agent as stored
     * @param created whether it was new
     */
    public record Registered(AgentRecord agent, boolean created) {
    }

    /**
     * A public key an agent registered, checked.
     *
     * @param text the key in its canonical text form (base64 X.509)
     * @param fingerprint its fingerprint, shown on the agent
     */
    private record AgentKey(String text, String fingerprint) {

        /** @return the checked key, or {@code null} when the registration carries none */
        static AgentKey of(String publicKey) {
            if (publicKey == null || publicKey.isBlank()) {
                return null;
            }
            PublicKey key;
            try {
                key = SealedSecret.parsePublicKey(publicKey);
            } catch (IllegalArgumentException e) {
                throw RequestException.badRequest("invalid value for field 'public_key': " + e.getMessage(),
                        "a base64 X.509 RSA public key of at least " + SealedSecret.MIN_KEY_BITS + " bits");
            }
            return new AgentKey(SealedSecret.publicKeyText(key), SealedSecret.fingerprint(key));
        }
    }

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

    /** Event: an agent registered a public key other than its validated one (it is not validated until an admin says so). */
    public static final String MID_SERVER_REKEY = "mid_server.rekey";

    @FunctionalInterface
    private interface Work<T> {
        T run(StoreSession session, Changes changes) throws SQLException;
    }

    private final InstanceStore store;
    private final Clock clock;
    private final Object writeLock = new Object();
    /** Writes waiting to be run by whichever writer holds the lock next. */
    private final java.util.concurrent.ConcurrentLinkedQueue<PendingWrite<?>> pendingWrites =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The most writes one transaction takes. */
    private static final int MAX_WRITE_GROUP = 256;
    private final ExecutorService wakeExecutor;
    private final ScheduledExecutorService pollTimer;
    private final PollWaiters waiters;
    /** Breaks ties in selection and spreads load-balanced work; {@link java.util.Random} is safe to share between threads. */
    private final java.util.Random random = new java.util.Random();
    /** Chooses agents for work that names none. */
    private final io.midway.instance.internal.selection.AgentSelector selector =
            new io.midway.instance.internal.selection.AgentSelector(random);
    /** Sends work addressed to a cluster member where its cluster says. */
    private final ClusterRouter clusterRouter = new ClusterRouter(random);
    private final List<Consumer<EventRecord>> listeners = new CopyOnWriteArrayList<>();
    private volatile InstanceSettings settings;
    private volatile long syncRevision;
    private volatile long credentialRevision;
    /** The version the last core upload made the instance version; {@code null}: none yet. */
    private volatile String publishedVersion;
    private volatile boolean closed;

    /**
     * Opens the store under {@code <midway.data>/db} and starts serving.
     *
     * @param context the bundle context, for framework properties
     * @param config the configuration
     */
    @Activate
    public EccService(BundleContext context, InstanceConfiguration config) {
        this(openStore(context), settings(context, config), Clock.systemUTC());
    }

    /**
     * @param store the open store; closed by {@link #close()}
     * @param settings the settings
     * @param clock the time source
     */
    public EccService(InstanceStore store, InstanceSettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.wakeExecutor = Executors.newFixedThreadPool(2, threads("midway-poll-wake"));
        this.pollTimer = Executors.newSingleThreadScheduledExecutor(threads("midway-poll-timer"));
        this.waiters = new PollWaiters(wakeExecutor);
        // Several nodes on one database: work made ready on another node wakes this node's polls,
        // and a revision another node changed (file sync, credentials, the instance version) is
        // read again and answered to every waiting poll.
        store.signals().ifPresent(signals -> signals.listen(this::woken));
        this.syncRevision = store.read(StoreSession::syncRevision);
        this.credentialRevision = store.read(StoreSession::credentialRevision);
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
        closed = true;
        RequestException stopping = new RequestException(RequestException.Kind.UNAVAILABLE,
                "the instance is stopping", "poll again in a moment");
        for (Runnable waiter : waiters.drain()) {
            ((LongPoll) waiter).fail(stopping);
        }
        pollTimer.shutdownNow();
        wakeExecutor.shutdown();
        try {
            if (!wakeExecutor.awaitTermination(2, TimeUnit.SECONDS)) {
                wakeExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (writeLock) {
            store.close();
        }
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
    public InstanceInfo instanceInfo() {
        requireOpen();
        synchronized (writeLock) {
            requireOpen();
            String version = instanceVersion();
            return new InstanceInfo(version, store.read(s -> s.findCore(version))
                    .map(StoreSession.StoredCore::core).orElse(null));
        }
    }

    /** @param listener called with each new event, after it is stored */
    public void addEventListener(Consumer<EventRecord> listener) {
        listeners.add(listener);
    }

    /** @param listener a listener added before */
    public void removeEventListener(Consumer<EventRecord> listener) {
        listeners.remove(listener);
    }

    // --- agents ----------------------------------------------------------------------------

    /**
     * Registers a new agent ({@code Up}, validated when auto-validation is on, event
     * {@code mid_server.up}) or refreshes a known one (a {@code Down} agent comes back {@code Up}).
     *
     * @param registration what the agent says about itself
     * @return the agent and whether it is new
     */
    public Registered register(Registration registration) {
        if (registration == null) {
            throw RequestException.badRequest("the request body must be a JSON object");
        }
        String name = registration.name() == null ? null : registration.name().trim();
        AgentNames.check(name);
        List<String> capabilities = strings(registration.capabilities(), "capabilities");
        AgentKey key = AgentKey.of(registration.publicKey());
        return write((s, c) -> {
            String now = Json.time(c.now);
            Optional<AgentRecord> existing = s.findAgentByName(name);
            if (existing.isEmpty()) {
                // an admin may have made it a cluster member before it registered
                String cluster = ClusterRouter.clusterOf(s.clusters(), name).map(AgentCluster::name).orElse("");
                AgentRecord agent = new AgentRecord(newSysId(), name, AgentRecord.STATUS_UP, settings.autoValidate(),
                        registration.version(), registration.hostName(), registration.ipAddress(), now,
                        AgentChange.unionOfCapabilities(capabilities, List.of()), List.of(), List.of(), cluster, false,
                        null, null, null, key == null ? null : key.fingerprint(), List.of(), capabilities);
                s.insertAgent(agent, c.now.toEpochMilli());
                if (key != null) {
                    s.setAgentPublicKey(name, key.text(), key.fingerprint());
                    LOG.info("Agent {} registered with public key {}", name, key.fingerprint());
                }
                c.event(s, EventRecord.MID_SERVER_UP, name, "registered" + describe(registration)
                        + (agent.validated() ? ", validated" : ", not validated yet"));
                return new Registered(agent, true);
            }
            AgentRecord old = existing.get();
            String status = old.status();
            if (AgentRecord.STATUS_DOWN.equals(status)) {
                status = AgentRecord.STATUS_UP;
                c.event(s, EventRecord.MID_SERVER_UP, name, "registered again after being Down");
            }
            // A key other than the one the agent has does not replace it (the MID Server's rekey):
            // it waits for an admin's validation, and a validated agent is validated no more, so
            // it gets no credentials and no standard work until then. auto.validate applies to a
            // first registration only.
            boolean validated = old.validated();
            String fingerprint = old.publicKeyFingerprint();
            boolean rekey = key != null && fingerprint != null && !key.fingerprint().equals(fingerprint);
            if (key != null && fingerprint == null) {
                fingerprint = key.fingerprint();
            }
            if (rekey) {
                validated = false;
            }
            // the agent's advertised capabilities are replaced; those set by hand stay
            List<String> manual = old.manualCapabilities() == null ? List.of() : old.manualCapabilities();
            AgentRecord agent = new AgentRecord(old.sysId(), name, status, validated, registration.version(),
                    registration.hostName(), registration.ipAddress(), now,
                    AgentChange.unionOfCapabilities(capabilities, manual), old.applications(),
                    old.ipRanges(), old.cluster(), old.isDefault(), old.syncRevision(), old.syncState(),
                    old.pinnedVersion(), fingerprint, manual, capabilities);
            s.updateAgent(agent);
            if (key != null && old.publicKeyFingerprint() == null) {
                s.setAgentPublicKey(name, key.text(), key.fingerprint());
                LOG.info("Agent {} registered its public key {}", name, key.fingerprint());
            } else if (rekey) {
                s.setAgentPendingKey(name, key.text(), key.fingerprint());
                LOG.warn("Agent {} registered another public key {} (validated: {}): it is not validated until an "
                        + "admin validates the new key", name, key.fingerprint(), old.publicKeyFingerprint());
                c.event(s, MID_SERVER_REKEY, name, "registered another public key " + key.fingerprint()
                        + " (validated key " + old.publicKeyFingerprint() + "); not validated until an admin "
                        + "validates it" + (old.validated() ? "" : " (it was not validated before either)"));
            } else if (key != null) {
                // back to the validated key: a key that was waiting is forgotten
                s.setAgentPendingKey(name, null, null);
            }
            c.wake(name);
            return new Registered(agent, false);
        });
    }

    /**
     * An agent asks to be paused or resumed (its own shell or console).
     *
     * @param name the agent name
     * @param status {@code Paused} or {@code Up}
     * @return the agent as stored
     */
    public AgentRecord changeStatus(String name, String status) {
        return changeStatus(name, status, null);
    }

    /**
     * An agent reports its status: paused or resumed (its own shell or console), or the course of
     * an upgrade of its core ({@code Upgrading}, {@code Upgrade Failed}, then {@code Up}). Each
     * writes its event ({@code mid_server.paused}, {@code .up}, {@code .upgrading},
     * {@code .upgrade_failed}) with the detail as the event detail. The same status again does
     * nothing unless it comes with a detail (another upgrade attempt, another failure).
     *
     * @param name the agent name
     * @param status {@code Paused}, {@code Up}, {@code Upgrading} or {@code Upgrade Failed}
     * @param detail a sentence for the event, or {@code null}
     * @return the agent as stored
     */
    public AgentRecord changeStatus(String name, String status, String detail) {
        if (name == null || name.isBlank()) {
            throw RequestException.badRequest("field 'name' is required");
        }
        if (status == null || status.isBlank()) {
            throw RequestException.badRequest("field 'status' is required", String.join(", ", AGENT_STATUSES));
        }
        if (!AGENT_STATUSES.contains(status)) {
            throw RequestException.badRequest("status must be one of: " + String.join(", ", AGENT_STATUSES),
                    "got '" + status + "'");
        }
        String sentence = detail == null || detail.isBlank() ? null : detail.trim();
        return write((s, c) -> {
            AgentRecord agent = s.findAgentByName(name.trim()).orElseThrow(() -> notRegistered(name.trim()));
            AgentRecord changed = applyStatus(s, c, agent, status, "the agent", sentence);
            s.updateAgent(changed);
            return changed;
        });
    }

    /**
     * An admin changes an agent.
     *
     * @param sysId the agent's sys_id
     * @param change what to change
     * @return the agent as stored
     */
    public AgentRecord updateAgent(String sysId, AgentChange change) {
        return write((s, c) -> {
            AgentRecord agent = s.findAgent(sysId)
                    .orElseThrow(() -> RequestException.notFound("no agent with sys_id " + sysId));
            if (change.status() != null) {
                if (!ADMIN_STATUSES.contains(change.status())) {
                    throw RequestException.badRequest("status must be one of: " + String.join(", ", ADMIN_STATUSES),
                            "got '" + change.status() + "'");
                }
                agent = applyStatus(s, c, agent, change.status(), "an admin", null);
            }
            String pinned = agent.pinnedVersion();
            if (change.pinnedVersion() != null) {
                pinned = change.pinnedVersion().isEmpty() ? null : change.pinnedVersion();
                if (!Objects.equals(pinned, agent.pinnedVersion())) {
                    LOG.info("Agent {} {} by an admin", agent.name(),
                            pinned == null ? "unpinned (follows the instance version " + instanceVersion() + ")"
                                    : "pinned to core version " + pinned);
                    c.wake(agent.name());
                }
            }
            String cluster = agent.cluster() == null ? "" : agent.cluster();
            if (change.cluster() != null && !change.cluster().equals(cluster)) {
                moveToCluster(s, c, agent.name(), change.cluster());
                cluster = change.cluster();
            }
            boolean validated = change.validated() != null ? change.validated() : agent.validated();
            String fingerprint = agent.publicKeyFingerprint();
            if (Boolean.TRUE.equals(change.validated())) {
                // Validating an agent validates the key it registered last: a waiting one replaces
                // the old, and its credentials are sealed for it from now on.
                Optional<StoreSession.PendingKey> pending = s.agentPendingKey(agent.name());
                if (pending.isPresent()) {
                    s.setAgentPublicKey(agent.name(), pending.get().text(), pending.get().fingerprint());
                    s.setAgentPendingKey(agent.name(), null, null);
                    fingerprint = pending.get().fingerprint();
                    s.incrementCredentialRevision();
                    LOG.info("Agent {}: its new public key {} is validated by an admin", agent.name(), fingerprint);
                }
            }
            if (validated != agent.validated()) {
                LOG.info("Agent {} {} by an admin", agent.name(), validated ? "validated" : "invalidated");
                c.wake(agent.name());
            }
            List<String> advertised = agent.advertisedCapabilities() == null ? agent.capabilities()
                    : agent.advertisedCapabilities();
            List<String> manual = agent.manualCapabilities() == null ? List.of() : agent.manualCapabilities();
            if (change.manualCapabilities() != null && !change.manualCapabilities().equals(manual)) {
                manual = change.manualCapabilities();
                LOG.info("Agent {}: capabilities set by hand {} by an admin", agent.name(),
                        manual.isEmpty() ? "cleared" : "now " + manual);
            }
            AgentRecord changed = new AgentRecord(agent.sysId(), agent.name(), agent.status(), validated,
                    agent.version(), agent.hostName(), agent.ipAddress(), agent.lastRefreshed(),
                    AgentChange.unionOfCapabilities(advertised, manual),
                    change.applications() != null ? change.applications() : agent.applications(),
                    change.ipRanges() != null ? change.ipRanges() : agent.ipRanges(),
                    cluster,
                    change.isDefault() != null ? change.isDefault() : agent.isDefault(),
                    agent.syncRevision(), agent.syncState(), pinned, fingerprint, manual, advertised);
            s.updateAgent(changed);
            return changed;
        });
    }

    private AgentRecord applyStatus(StoreSession s, Changes c, AgentRecord agent, String status, String by,
            String detail) throws SQLException {
        if (status.equals(agent.status()) && detail == null) {
            return agent;
        }
        switch (status) {
            case AgentRecord.STATUS_PAUSED -> c.event(s, EventRecord.MID_SERVER_PAUSED, agent.name(),
                    detail != null ? detail : "paused by " + by);
            case AgentRecord.STATUS_UPGRADING -> c.event(s, EventRecord.MID_SERVER_UPGRADING, agent.name(),
                    detail != null ? detail : "upgrading its core from " + or(agent.version(), "an unknown version")
                            + " (was " + agent.status() + ")");
            case AgentRecord.STATUS_UPGRADE_FAILED -> c.event(s, EventRecord.MID_SERVER_UPGRADE_FAILED, agent.name(),
                    detail != null ? detail : "the upgrade of its core failed");
            default -> c.event(s, EventRecord.MID_SERVER_UP, agent.name(),
                    detail != null ? detail : "resumed by " + by + " (was " + agent.status() + ")");
        }
        c.wake(agent.name());
        return withStatus(agent, status);
    }

    // --- agent clusters --------------------------------------------------------------------

    /**
     * Creates an agent cluster; its members' {@code ecc_agent.cluster} shows its name. Members
     * need not be registered yet (an admin may define the cluster first): an agent that registers
     * later with a member's name is a member.
     *
     * @param change the body: {@code name}, {@code type} required; {@code members} optional
     * @return the stored cluster
     * @throws RequestException 400 without a name or type, 409 for a taken name or a member that is
     *     in another cluster (named)
     */
    public AgentCluster createCluster(ClusterChange change) {
        if (change.name() == null) {
            throw RequestException.badRequest("field 'name' is required");
        }
        if (change.type() == null) {
            throw RequestException.badRequest("field 'type' is required",
                    "one of: " + io.midway.instance.internal.cluster.ClusterType.labels());
        }
        return write((s, c) -> {
            long now = c.now.toEpochMilli();
            AgentCluster cluster = new AgentCluster(newSysId(), change.name(), change.type(),
                    change.members() == null ? List.of() : change.members(), now, now);
            List<AgentCluster> all = s.clusters();
            requireFree(all, cluster);
            s.insertCluster(cluster);
            s.setAgentCluster(cluster.members(), cluster.name());
            LOG.info("Agent cluster {} ({}) created: {}, members {}", cluster.name(), cluster.sysId(),
                    cluster.type().label(), cluster.members());
            return cluster;
        });
    }

    /**
     * Changes the fields the body names; members that leave lose their {@code ecc_agent.cluster},
     * members (old and new) show the new name. Work already moved stays where it is.
     *
     * @param sysId the cluster's sys_id
     * @param change the fields to change
     * @return the cluster as stored
     * @throws RequestException 400 for nothing to change, 404 for an unknown sys_id, 409 for a taken
     *     name or a member in another cluster
     */
    public AgentCluster updateCluster(String sysId, ClusterChange change) {
        if (change.isEmpty()) {
            throw RequestException.badRequest("nothing to change", "fields that can be changed: name, type, members");
        }
        return write((s, c) -> {
            AgentCluster old = s.findCluster(sysId).orElseThrow(() -> clusterNotFound(sysId));
            AgentCluster cluster = new AgentCluster(sysId, change.name() != null ? change.name() : old.name(),
                    change.type() != null ? change.type() : old.type(),
                    change.members() != null ? change.members() : old.members(), old.createdMs(),
                    c.now.toEpochMilli());
            requireFree(s.clusters(), cluster);
            s.updateCluster(cluster);
            List<String> left = old.members().stream().filter(m -> !cluster.hasMember(m)).toList();
            s.setAgentCluster(left, "");
            s.setAgentCluster(cluster.members(), cluster.name());
            LOG.info("Agent cluster {} ({}) changed: {}, members {}{}", cluster.name(), sysId, cluster.type().label(),
                    cluster.members(), old.name().equals(cluster.name()) ? "" : " (was named " + old.name() + ")");
            return cluster;
        });
    }

    /**
     * Deletes a cluster; its members' {@code ecc_agent.cluster} is cleared. Work stays where it is.
     *
     * @param sysId the cluster's sys_id
     * @throws RequestException 404 for an unknown sys_id
     */
    public void deleteCluster(String sysId) {
        write((s, c) -> {
            AgentCluster old = s.findCluster(sysId).orElseThrow(() -> clusterNotFound(sysId));
            s.deleteCluster(sysId);
            s.setAgentCluster(old.members(), "");
            LOG.info("Agent cluster {} ({}) deleted; its members {} are in no cluster now", old.name(), sysId,
                    old.members());
            return null;
        });
    }

    /**
     * @param query a query on {@link TableSchema#ECC_AGENT_CLUSTER}
     * @return the matching clusters
     */
    public List<AgentCluster> clusters(TableQuery query) {
        requireTable(query, TableSchema.ECC_AGENT_CLUSTER);
        requireOpen();
        return store.read(s -> s.queryClusters(query));
    }

    /**
     * @param sysId a sys_id
     * @return the cluster
     */
    public Optional<AgentCluster> cluster(String sysId) {
        requireOpen();
        return store.read(s -> s.findCluster(sysId));
    }

    /** 409 when the cluster's name is taken or a member of it is in another cluster. */
    private static void requireFree(List<AgentCluster> all, AgentCluster cluster) {
        for (AgentCluster other : all) {
            if (other.sysId().equals(cluster.sysId())) {
                continue;
            }
            if (other.name().equals(cluster.name())) {
                throw RequestException.conflict("a cluster named '" + cluster.name() + "' exists",
                        "its sys_id is " + other.sysId() + "; names are unique");
            }
            for (String member : cluster.members()) {
                if (other.hasMember(member)) {
                    throw RequestException.conflict("agent '" + member + "' is already in cluster '" + other.name()
                            + "'", "an agent is in at most one cluster: remove it from '" + other.name()
                            + "' first (PATCH /api/now/table/ecc_agent_cluster/" + other.sysId() + ")");
                }
            }
        }
    }

    /** An admin sets {@code ecc_agent.cluster}: the agent leaves its cluster and joins the named one as its last member. */
    private static void moveToCluster(StoreSession s, Changes c, String agentName, String clusterName)
            throws SQLException {
        AgentCluster target = null;
        if (!clusterName.isEmpty()) {
            target = s.findClusterByName(clusterName).orElseThrow(() -> RequestException.badRequest(
                    "no cluster named '" + clusterName + "'",
                    "create it with POST /api/now/table/ecc_agent_cluster, or send \"\" to take the agent out of its cluster"));
        }
        long now = c.now.toEpochMilli();
        for (AgentCluster cluster : s.clusters()) {
            if (cluster.hasMember(agentName)) {
                s.updateCluster(new AgentCluster(cluster.sysId(), cluster.name(), cluster.type(),
                        cluster.members().stream().filter(m -> !m.equals(agentName)).toList(), cluster.createdMs(), now));
                LOG.info("Agent {} left cluster {}", agentName, cluster.name());
            }
        }
        if (target != null) {
            target = s.findClusterByName(clusterName).orElseThrow();
            if (target.hasMember(agentName)) {
                return;
            }
            List<String> members = new ArrayList<>(target.members());
            members.add(agentName);
            s.updateCluster(new AgentCluster(target.sysId(), target.name(), target.type(), members, target.createdMs(),
                    now));
            LOG.info("Agent {} joined cluster {} as its last member", agentName, target.name());
        }
    }

    private static RequestException clusterNotFound(String sysId) {
        return new RequestException(RequestException.Kind.NOT_FOUND, "No Record found",
                "no ecc_agent_cluster record with sys_id " + sysId);
    }

    // --- polling ---------------------------------------------------------------------------

    /**
     * Leases what is ready for an agent, now, without waiting.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @return the reply
     * @throws RequestException 404 for an unknown agent, 400 for a bad {@code max}
     */
    public PollReply poll(String agentName, int max) {
        if (agentName == null || agentName.isBlank()) {
            throw RequestException.badRequest("query parameter 'agent' is required");
        }
        if (max < 1 || max > MAX_POLL_RECORDS) {
            throw RequestException.badRequest("max must be between 1 and " + MAX_POLL_RECORDS, "got " + max);
        }
        PollReply quiet = quietPoll(agentName, max);
        if (quiet != null) {
            return quiet;
        }
        return write((s, c) -> {
            AgentRecord agent = s.findAgentByName(agentName).orElseThrow(() -> notRegistered(agentName));
            agent = withLastRefreshed(agent, Json.time(c.now));
            s.updateAgent(agent);
            if (AgentRecord.STATUS_DOWN.equals(agent.status())) {
                offerHeartbeat(s, c, agent.name());
            }
            List<EccRecord> leased = lease(s, c, agent, max);
            return new PollReply(leased, Long.toString(syncRevision), instanceVersion(), agent.status(),
                    agent.validated(), agent.pinnedVersion(), Long.toString(credentialRevision));
        });
    }

    /**
     * Answers a poll that has nothing to lease and nothing to record — the agent's
     * {@code last_refreshed} already shows this second, it is not Down, nothing is ready for it —
     * from a read, without queueing for the writer: most polls of many idle agents.
     *
     * @return the empty reply, or {@code null} when the poll must write
     */
    private PollReply quietPoll(String agentName, int max) {
        requireOpen();
        String now = Json.time(clock.instant());
        return store.read(s -> {
            Optional<AgentRecord> found = s.findAgentByName(agentName);
            if (found.isEmpty()) {
                return null;
            }
            AgentRecord agent = found.get();
            if (AgentRecord.STATUS_DOWN.equals(agent.status()) || !now.equals(agent.lastRefreshed())) {
                return null;
            }
            if (!readyFor(s, agent, 1).isEmpty()) {
                return null;
            }
            return new PollReply(List.of(), Long.toString(syncRevision), instanceVersion(), agent.status(),
                    agent.validated(), agent.pinnedVersion(), Long.toString(credentialRevision));
        });
    }

    /**
     * Leases what is ready for an agent; if nothing is, waits up to
     * {@code min(waitMs, poll_max_wait_ms)} and completes as soon as work is written for it, or
     * (with no records) as soon as the file-sync revision changes.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @return the reply, completed at once or later; 503 ({@link RequestException}) when stopping
     * @throws RequestException 404 for an unknown agent, 400 for bad parameters
     */
    public CompletableFuture<PollReply> longPoll(String agentName, int max, long waitMs) {
        return longPoll(agentName, max, waitMs, null);
    }

    /**
     * Like {@link #longPoll(String, int, long)}, and answers at once, even with no records, when the
     * agent says it has applied another file-sync revision than the current one: a change made
     * while none of its polls was waiting reaches it without waiting for work or a timeout.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    public CompletableFuture<PollReply> longPoll(String agentName, int max, long waitMs, String knownRevision) {
        return longPoll(agentName, max, waitMs, knownRevision, null);
    }

    /**
     * Like {@link #longPoll(String, int, long, String)}, and also answers at once when the agent
     * says it knows another instance version than the current one. A waiting poll completes as
     * soon as the instance version or the agent's pinned version changes.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    public CompletableFuture<PollReply> longPoll(String agentName, int max, long waitMs, String knownRevision,
            String knownInstanceVersion) {
        return longPoll(agentName, max, waitMs, knownRevision, knownInstanceVersion, null);
    }

    /**
     * Like {@link #longPoll(String, int, long, String, String)}, and also answers at once when the
     * agent says it holds another credential revision than the current one. A waiting poll
     * completes as soon as the credentials change.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @param knownCredentialRevision the credential revision the agent holds, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    public CompletableFuture<PollReply> longPoll(String agentName, int max, long waitMs, String knownRevision,
            String knownInstanceVersion, String knownCredentialRevision) {
        if (waitMs < 0) {
            throw RequestException.badRequest("wait_ms must not be negative", "got " + waitMs);
        }
        long before = waiters.generation(agentName);
        PollReply first = poll(agentName, max);
        long wait = Math.min(waitMs, settings.pollMaxWait().toMillis());
        boolean revisionNews = knownRevision != null && !knownRevision.equals(first.syncRevision());
        boolean versionNews = knownInstanceVersion != null && !knownInstanceVersion.equals(first.instanceVersion());
        boolean credentialNews = knownCredentialRevision != null
                && !knownCredentialRevision.equals(first.credentialRevision());
        if (!first.result().isEmpty() || wait <= 0 || revisionNews || versionNews || credentialNews) {
            return CompletableFuture.completedFuture(first);
        }
        // An agent polls from one thread: an older poll still waiting was left by a connection
        // that is gone (an agent restarted or crashed mid-poll). Answer it empty now, or it would
        // lease the next record to a dead connection and hold it until the lease expires.
        for (Runnable older : waiters.take(agentName)) {
            if (older instanceof LongPoll stale) {
                stale.supersede();
            }
        }
        LongPoll waiting = new LongPoll(agentName, max, first);
        waiters.add(agentName, waiting);
        try {
            waiting.timeout = pollTimer.schedule(waiting::expire, wait, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            waiters.remove(agentName, waiting);
            return CompletableFuture.completedFuture(first);
        }
        if (closed) {
            waiting.fail(new RequestException(RequestException.Kind.UNAVAILABLE, "the instance is stopping", ""));
        } else if (waiters.generation(agentName) != before) {
            // work was signalled between the first poll and add(): look again
            wakeExecutor.execute(waiting);
        }
        return waiting.future;
    }

    /**
     * Answers the waiting long polls of an agent with nothing, leasing nothing: the agent is
     * stopping, and work written from now on waits for its next poll instead of going to a
     * connection that nobody will read.
     *
     * @param agentName the agent
     * @return how many polls were waiting
     */
    public int releasePolls(String agentName) {
        int released = 0;
        for (Runnable waiting : waiters.take(agentName)) {
            if (waiting instanceof LongPoll poll) {
                poll.supersede();
                released++;
            }
        }
        return released;
    }

    /**
     * @param agentName an agent
     * @return how many long polls of it are waiting
     */
    public int waitingPolls(String agentName) {
        return waiters.count(agentName);
    }

    /** What an agent may take now: not validated, heartbeats only; paused or replacing its core, interactive work only. */
    private static List<EccRecord> readyFor(StoreSession s, AgentRecord agent, int max) throws SQLException {
        return readyFor(s, agent, max, 0);
    }

    /** As {@link #readyFor(StoreSession, AgentRecord, int)}; with a lease expiry (not 0), claimed until then in one statement. */
    private static List<EccRecord> readyFor(StoreSession s, AgentRecord agent, int max, long leaseExpiresMs)
            throws SQLException {
        boolean heartbeatOnly = !agent.validated();
        boolean interactiveOnly = AgentRecord.STATUS_PAUSED.equals(agent.status())
                || AgentRecord.STATUS_UPGRADING.equals(agent.status());
        String agentField = EccRecord.agentField(agent.name());
        return leaseExpiresMs == 0 ? s.readyFor(agentField, heartbeatOnly, interactiveOnly, max)
                : s.claim(agentField, heartbeatOnly, interactiveOnly, max, leaseExpiresMs);
    }

    private List<EccRecord> lease(StoreSession s, Changes c, AgentRecord agent, int max) throws SQLException {
        List<EccRecord> ready = readyFor(s, agent, max, c.now.plus(settings.lease()).toEpochMilli());
        if (ready.isEmpty()) {
            return List.of();
        }
        List<EccRecord> leased = new ArrayList<>();
        for (EccRecord r : ready) {
            leased.add(new EccRecord(r.sysId(), r.agent(), r.topic(), r.name(), r.source(), r.payload(), r.queue(),
                    EccRecord.STATE_PROCESSING, r.responseTo(), r.priority(), r.errorString(), r.sysCreatedOn(),
                    r.processed()));
        }
        return leased;
    }

    /** A Down agent that polls again gets its heartbeat at once, so it can come back Up. */
    private void offerHeartbeat(StoreSession s, Changes c, String agentName) throws SQLException {
        Optional<PendingHeartbeat> pending = s.pendingHeartbeat(EccRecord.agentField(agentName));
        if (pending.isEmpty()) {
            insertHeartbeat(s, c, agentName);
        } else if (EccRecord.STATE_PROCESSING.equals(pending.get().state())) {
            s.markReady(pending.get().sysId());
        }
    }

    private void insertHeartbeat(StoreSession s, Changes c, String agentName) throws SQLException {
        EccRecord heartbeat = new EccRecord(newSysId(), EccRecord.agentField(agentName), EccRecord.TOPIC_HEARTBEAT,
                EccRecord.TOPIC_HEARTBEAT, null, null, EccRecord.QUEUE_OUTPUT, EccRecord.STATE_READY, null,
                EccRecord.PRIORITY_INTERACTIVE, null, Json.time(c.now), null);
        s.insertRecord(heartbeat, c.now.toEpochMilli());
        s.setLastHeartbeat(agentName, c.now.toEpochMilli());
        c.wake(agentName);
    }

    // --- input and output ------------------------------------------------------------------

    /**
     * Stores the results an agent posts. Each record is checked on its own: one that names no
     * output record, has no {@code response_to}, a wrong {@code state} or a field longer than its
     * column is refused (status {@code refused} with the reason) and the others are stored. When
     * every record is refused the batch is a 400 (nothing to store). The first input for an output
     * is stored and ends the output; repeats are reported as duplicates.
     *
     * @param batch the results
     * @return one outcome per record, in order
     */
    public List<InputResult> input(InputBatch batch) {
        if (batch == null || batch.records() == null) {
            throw RequestException.badRequest("field 'records' is required", "body: {\"records\":[{\"response_to\":…}]}");
        }
        List<InputRecord> records = batch.records();
        String[] refusals = new String[records.size()];
        for (int i = 0; i < records.size(); i++) {
            refusals[i] = inputProblem(records.get(i), "records[" + i + "]");
        }
        return write((s, c) -> {
            List<InputResult> results = new ArrayList<>();
            String now = Json.time(c.now);
            boolean anyAccepted = false;
            // the batch by batches (issue 15): one read of the outputs, one of their inputs, one
            // insert of the new inputs, one update per (state, error_string) of the outputs they end
            List<String> asked = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                if (refusals[i] == null) {
                    asked.add(records.get(i).responseTo().trim());
                }
            }
            Map<String, EccRecord> outputs = s.findRecords(asked);
            Map<String, String> firstInputs = s.firstInputsFor(asked);
            List<EccRecord> inputs = new ArrayList<>();
            Map<List<String>, List<String>> completions = new LinkedHashMap<>();
            List<String> heartbeatsAnswered = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                InputRecord r = records.get(i);
                String where = "records[" + i + "]";
                if (refusals[i] != null) {
                    results.add(InputResult.refused(r == null ? null : r.responseTo(), refusals[i]));
                    continue;
                }
                String responseTo = r.responseTo().trim();
                Optional<EccRecord> output = Optional.ofNullable(outputs.get(responseTo))
                        .filter(o -> EccRecord.QUEUE_OUTPUT.equals(o.queue()));
                if (output.isEmpty()) {
                    results.add(InputResult.refused(responseTo,
                            where + ".response_to '" + responseTo + "' names no output record"));
                    continue;
                }
                anyAccepted = true;
                String first = firstInputs.get(responseTo);
                if (first != null) {
                    results.add(new InputResult(responseTo, first, InputResult.DUPLICATE));
                    continue;
                }
                String state = r.state() == null ? EccRecord.STATE_PROCESSED : r.state();
                String error = EccRecord.STATE_ERROR.equals(state) ? r.errorString() : null;
                EccRecord input = new EccRecord(newSysId(), output.get().agent(), or(r.topic(), output.get().topic()),
                        or(r.name(), output.get().name()), or(r.source(), output.get().source()),
                        r.payload(), EccRecord.QUEUE_INPUT, state, responseTo, output.get().priority(), error, now, now);
                inputs.add(input);
                firstInputs.put(responseTo, input.sysId());
                completions.computeIfAbsent(java.util.Arrays.asList(state, error), k -> new ArrayList<>())
                        .add(responseTo);
                if (EccRecord.TOPIC_HEARTBEAT.equals(output.get().topic())
                        && output.get().agent().startsWith(EccRecord.AGENT_PREFIX)) {
                    heartbeatsAnswered.add(output.get().agent().substring(EccRecord.AGENT_PREFIX.length()));
                }
                results.add(new InputResult(responseTo, input.sysId(), InputResult.INSERTED));
            }
            s.insertRecords(inputs, c.now.toEpochMilli());
            for (Map.Entry<List<String>, List<String>> done : completions.entrySet()) {
                s.completeOutputs(done.getValue(), done.getKey().get(0), done.getKey().get(1), now);
            }
            for (String agentName : heartbeatsAnswered) {
                heartbeatAnswered(s, c, agentName);
            }
            if (!anyAccepted && !results.isEmpty()) {
                throw RequestException.badRequest(results.get(0).error(),
                        results.size() == 1 ? "nothing was stored" : "every record was refused; nothing was stored");
            }
            return results;
        });
    }

    /** @return why one posted result cannot be stored, null when it can */
    private static String inputProblem(InputRecord r, String where) {
        if (r == null) {
            return where + " must be an object";
        }
        if (r.responseTo() == null || r.responseTo().isBlank()) {
            return where + ".response_to is required";
        }
        if (r.state() != null && !INPUT_STATES.contains(r.state())) {
            return where + ".state must be processed or error, got '" + abbreviate(r.state()) + "'";
        }
        try {
            FieldLimits.check(where + ".response_to", r.responseTo().trim(), FieldLimits.RESPONSE_TO);
            FieldLimits.check(where + ".topic", r.topic(), FieldLimits.TOPIC);
            FieldLimits.check(where + ".name", r.name(), FieldLimits.LONG_TEXT);
            FieldLimits.check(where + ".source", r.source(), FieldLimits.LONG_TEXT);
            FieldLimits.check(where + ".error_string", r.errorString(), FieldLimits.LONG_TEXT);
        } catch (RequestException e) {
            return e.getMessage();
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }

    private void heartbeatAnswered(StoreSession s, Changes c, String agentName) throws SQLException {
        Optional<AgentRecord> found = s.findAgentByName(agentName);
        if (found.isEmpty()) {
            return;
        }
        AgentRecord agent = withLastRefreshed(found.get(), Json.time(c.now));
        if (AgentRecord.STATUS_DOWN.equals(agent.status())) {
            agent = withStatus(agent, AgentRecord.STATUS_UP);
            c.event(s, EventRecord.MID_SERVER_UP, agentName, "answered a heartbeat; back Up");
            c.wake(agentName);
        }
        s.updateAgent(agent);
    }

    /**
     * Inserts an output record and wakes the addressed agent. {@code mid.server.*} fans out: one
     * copy per registered agent; the record itself is stored {@code processed} and returned.
     *
     * @param request the validated request
     * @return the stored record
     */
    public EccRecord insertOutput(OutputRequest request) {
        return write((s, c) -> {
            Inserting inserting = new Inserting(s);
            EccRecord stored = output(c, request, inserting);
            inserting.store(c);
            return stored;
        });
    }

    /**
     * Inserts output records in one transaction, all or none, and wakes each addressed agent once,
     * after the commit. Each request is handled as by {@link #insertOutput(OutputRequest)}.
     *
     * @param requests the validated requests, at most {@link OutputRequest#MAX_BATCH_RECORDS}
     * @return the stored records, in the order of the requests
     * @throws RequestException (400) when there are none or too many
     */
    public List<EccRecord> insertOutputs(List<OutputRequest> requests) {
        if (requests.isEmpty() || requests.size() > OutputRequest.MAX_BATCH_RECORDS) {
            throw RequestException.badRequest("between 1 and " + OutputRequest.MAX_BATCH_RECORDS
                    + " records can be inserted at once", "got " + requests.size());
        }
        return write((s, c) -> {
            Inserting inserting = new Inserting(s);
            List<EccRecord> stored = new ArrayList<>(requests.size());
            for (OutputRequest request : requests) {
                stored.add(output(c, request, inserting));
            }
            inserting.store(c);
            return stored;
        });
    }

    /**
     * The rows one write inserts, and what deciding them needs, read at most once per write: the
     * agents (for fan-out, routing and clusters) and the clusters.
     */
    private static final class Inserting {
        final StoreSession s;
        final List<EccRecord> rows = new ArrayList<>();
        /** The sys_ids of the per-agent copies of mid.server.* records. */
        final List<String> broadcastCopies = new ArrayList<>();
        private List<AgentRecord> agents;
        private Map<String, AgentRecord> agentsByName;
        private List<AgentCluster> clusters;

        Inserting(StoreSession s) {
            this.s = s;
        }

        List<AgentRecord> agents() throws SQLException {
            if (agents == null) {
                agents = s.agents();
            }
            return agents;
        }

        Map<String, AgentRecord> agentsByName() throws SQLException {
            if (agentsByName == null) {
                agentsByName = byName(agents());
            }
            return agentsByName;
        }

        List<AgentCluster> clusters() throws SQLException {
            if (clusters == null) {
                clusters = s.clusters();
            }
            return clusters;
        }

        void store(Changes c) throws SQLException {
            s.insertRecords(rows, c.now.toEpochMilli());
            s.markBroadcast(broadcastCopies);
        }
    }

    /** Adds the rows of one request, notes the agents to wake, returns the record it answers. */
    private EccRecord output(Changes c, OutputRequest request, Inserting inserting) throws SQLException {
        String now = Json.time(c.now);
        String processed = EccRecord.STATE_READY.equals(request.state()) ? null : now;
        if (request.routed()) {
            return routed(c, request, inserting, now, processed);
        }
        if (request.fanOut()) {
            EccRecord all = output(request, EccRecord.AGENT_ALL, EccRecord.STATE_PROCESSED, now, now);
            inserting.rows.add(all);
            for (AgentRecord agent : inserting.agents()) {
                EccRecord copy = output(request, EccRecord.agentField(agent.name()), request.state(), now, processed);
                inserting.rows.add(copy);
                inserting.broadcastCopies.add(copy.sysId());
                c.wake(agent.name());
            }
            return all;
        }
        String agentName = request.agent().substring(EccRecord.AGENT_PREFIX.length());
        Optional<ClusterRouter.Redirect> redirect = redirect(request, agentName, inserting);
        EccRecord record;
        if (redirect.isPresent()) {
            agentName = redirect.get().agent();
            record = new EccRecord(newSysId(), EccRecord.agentField(agentName), request.topic(), request.name(),
                    request.source(), request.payload(), EccRecord.QUEUE_OUTPUT, request.state(), request.responseTo(),
                    request.priority(), request.errorString(), now, processed, null, null, redirect.get().note());
        } else {
            record = output(request, request.agent(), request.state(), now, processed);
        }
        inserting.rows.add(record);
        c.wake(agentName);
        return record;
    }

    /** Where the cluster of the addressed agent sends new ready work, if elsewhere. */
    private Optional<ClusterRouter.Redirect> redirect(OutputRequest request, String agentName, Inserting inserting)
            throws SQLException {
        if (!EccRecord.STATE_READY.equals(request.state()) || ClusterRouter.isHostBound(request.topic())
                || ClusterRouter.clusterOf(inserting.clusters(), agentName).isEmpty()) {
            return Optional.empty();
        }
        return clusterRouter.atInsert(agentName, request.topic(), inserting.clusters(), inserting.agentsByName());
    }

    private static Map<String, AgentRecord> byName(List<AgentRecord> agents) {
        Map<String, AgentRecord> byName = new LinkedHashMap<>();
        for (AgentRecord agent : agents) {
            byName.put(agent.name(), agent);
        }
        return byName;
    }

    /**
     * Chooses the agent for a request that names none (MID selection, DESIGN §9) with the
     * algorithm of {@code mid.selection.algorithm}; the record keeps the choice and why. When no
     * agent may take it, the record is stored in state {@code error} with the reason, addressed to
     * no agent.
     */
    private EccRecord routed(Changes c, OutputRequest request, Inserting inserting, String now, String processed)
            throws SQLException {
        String source = request.source() == null ? "" : request.source().trim();
        io.midway.instance.internal.selection.SelectionRequest criteria;
        try {
            criteria = io.midway.instance.internal.selection.SelectionRequest.of(request.application(), source,
                    request.capability(), settings.selectionAlgorithm());
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest(e.getMessage(),
                    "work with no agent is routed by application, source (the target IP address) and capability");
        }
        io.midway.instance.internal.selection.Selection selection;
        try {
            selection = selector.selectAmong(criteria, inserting.agents());
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest("no agent can be chosen: " + e.getMessage(),
                    "correct the agent's ip_ranges with PATCH /api/now/table/ecc_agent/{sys_id}");
        }
        EccRecord record;
        if (selection.isChosen()) {
            String agentName = selection.agent();
            String reason = selection.reason();
            Optional<ClusterRouter.Redirect> redirect = redirect(request, agentName, inserting);
            if (redirect.isPresent()) {
                agentName = redirect.get().agent();
                reason = reason + "; " + redirect.get().note();
            }
            record = new EccRecord(newSysId(), EccRecord.agentField(agentName), request.topic(), request.name(),
                    request.source(), request.payload(), EccRecord.QUEUE_OUTPUT, request.state(), request.responseTo(),
                    request.priority(), request.errorString(), now, processed, criteria.application(),
                    emptyToNull(criteria.capability()), reason);
            c.wake(agentName);
        } else {
            record = new EccRecord(newSysId(), "", request.topic(), request.name(), request.source(), request.payload(),
                    EccRecord.QUEUE_OUTPUT, EccRecord.STATE_ERROR, request.responseTo(), request.priority(),
                    "No agent may take this work: " + selection.reason(), now, now, criteria.application(),
                    emptyToNull(criteria.capability()), selection.reason());
        }
        inserting.rows.add(record);
        return record;
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static EccRecord output(OutputRequest r, String agent, String state, String now, String processed) {
        return new EccRecord(newSysId(), agent, r.topic(), r.name(), r.source(), r.payload(), EccRecord.QUEUE_OUTPUT,
                state, r.responseTo(), r.priority(), r.errorString(), now, processed);
    }

    // --- heartbeats and leases -------------------------------------------------------------

    /**
     * Writes a {@code HeartbeatProbe} for every agent whose last one is at least an interval old
     * and that has none pending.
     *
     * @return how many were written
     */
    public int sendDueHeartbeats() {
        return write((s, c) -> {
            long cutoff = c.now.minus(settings.heartbeatInterval()).toEpochMilli();
            List<String> due = s.agentsDueForHeartbeat(cutoff);
            for (String name : due) {
                insertHeartbeat(s, c, name);
            }
            if (!due.isEmpty()) {
                LOG.debug("Heartbeat written for {}", due);
            }
            return due.size();
        });
    }

    /**
     * Marks {@code Down} every agent whose pending heartbeat is older than the timeout.
     *
     * @return how many went Down
     */
    public int markSilentAgentsDown() {
        return write((s, c) -> {
            Duration timeout = settings.heartbeatTimeout();
            long cutoff = c.now.minus(timeout).toEpochMilli();
            List<String> down = new ArrayList<>();
            for (AgentRecord agent : s.agents()) {
                if (AgentRecord.STATUS_DOWN.equals(agent.status())) {
                    continue;
                }
                Optional<PendingHeartbeat> pending = s.pendingHeartbeat(EccRecord.agentField(agent.name()));
                if (pending.isEmpty() || pending.get().createdMs() >= cutoff) {
                    continue;
                }
                long silent = (c.now.toEpochMilli() - pending.get().createdMs()) / 1000;
                String lastHeard = agent.lastRefreshed() == null ? "never heard from"
                        : "last heard from " + secondsSince(agent.lastRefreshed(), c.now) + " s ago";
                s.updateAgent(withStatus(agent, AgentRecord.STATUS_DOWN));
                c.event(s, EventRecord.MID_SERVER_DOWN, agent.name(), "no answer to the heartbeat sent " + silent
                        + " s ago (timeout " + timeout.toSeconds() + " s); " + lastHeard + "; was " + agent.status());
                down.add(agent.name());
            }
            // only once every silent agent is Down, so no work moves to an agent going Down with it
            if (!down.isEmpty()) {
                List<AgentCluster> clusters = s.clusters();
                if (!clusters.isEmpty()) {
                    Map<String, AgentRecord> agents = byName(s.agents());
                    for (String name : down) {
                        failOver(s, c, name, clusters, agents);
                    }
                }
            }
            return down.size();
        });
    }

    /**
     * Moves the waiting work of a cluster member that went Down to the members its cluster names
     * (see {@link ClusterRouter}), in the transaction that marked it Down, and writes the event:
     * {@code mid_server.failover} with how many records went from whom to whom, or
     * {@code mid_server.cluster.down} when no member can take them and they wait.
     */
    private void failOver(StoreSession s, Changes c, String down, List<AgentCluster> clusters,
            Map<String, AgentRecord> agents) throws SQLException {
        Optional<ClusterRouter.Takeover> found = clusterRouter.takeover(down, clusters, agents);
        if (found.isEmpty()) {
            return;
        }
        ClusterRouter.Takeover takeover = found.get();
        AgentCluster cluster = takeover.cluster();
        List<StoreSession.WaitingOutput> waiting = s.waitingOutputs(EccRecord.agentField(down));
        List<StoreSession.WaitingOutput> movable = waiting.stream()
                .filter(r -> !r.broadcast() && !ClusterRouter.isHostBound(r.topic())).toList();
        int kept = waiting.size() - movable.size();
        String keptText = kept == 0 ? "" : "; " + kept + " record" + (kept == 1 ? "" : "s")
                + " bound to its host (topics " + String.join(", ", new java.util.TreeSet<>(ClusterRouter.HOST_BOUND_TOPICS))
                + ", or its copy of mid.server.* work) " + (kept == 1 ? "stays" : "stay");
        String label = "cluster " + cluster.name() + " (" + cluster.type().label() + ")";
        if (!takeover.possible()) {
            List<String> members = new ArrayList<>();
            for (String member : cluster.members()) {
                AgentRecord agent = agents.get(member);
                members.add(member + " (" + (agent == null ? "not registered" : agent.status()
                        + (agent.validated() ? "" : ", not validated")) + ")");
            }
            c.event(s, EventRecord.MID_SERVER_CLUSTER_DOWN, down, label + ": no other member is Up and validated ("
                    + String.join(", ", members) + "); " + movable.size() + " record" + (movable.size() == 1 ? "" : "s")
                    + " of " + down + (movable.size() == 1 ? " waits" : " wait") + " until it or another member is Up");
            LOG.warn("Agent {} went Down and no member of cluster {} can take its {} waiting record(s)", down,
                    cluster.name(), movable.size());
            return;
        }
        Map<String, String> moves = new LinkedHashMap<>();
        Map<String, String> notes = new LinkedHashMap<>();
        Map<String, Integer> perTarget = new java.util.TreeMap<>();
        int processing = 0;
        for (StoreSession.WaitingOutput record : movable) {
            String target = clusterRouter.target(takeover);
            moves.put(record.sysId(), EccRecord.agentField(target));
            notes.put(record.sysId(), ClusterRouter.note(takeover, target));
            perTarget.merge(target, 1, Integer::sum);
            if (EccRecord.STATE_PROCESSING.equals(record.state())) {
                processing++;
            }
        }
        int moved = s.moveOutputs(moves, notes);
        perTarget.keySet().forEach(c::wake);
        String to = perTarget.isEmpty() ? String.join(", ", takeover.targets())
                : perTarget.size() == 1 ? perTarget.keySet().iterator().next()
                : perTarget.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                        .collect(java.util.stream.Collectors.joining(", "));
        c.event(s, EventRecord.MID_SERVER_FAILOVER, down, label + ": " + moved + " record" + (moved == 1 ? "" : "s")
                + " of " + down + " (" + (moved - processing) + " ready, " + processing + " processing) moved to " + to
                + keptText);
    }

    /**
     * Puts every leased output whose lease expired back to {@code ready} and wakes its agent.
     *
     * @return how many were released
     */
    public int reapExpiredLeases() {
        return write((s, c) -> {
            List<String> agents = s.expireLeases(c.now.toEpochMilli());
            for (String agent : new LinkedHashSet<>(agents)) {
                if (agent.startsWith(EccRecord.AGENT_PREFIX)) {
                    c.wake(agent.substring(EccRecord.AGENT_PREFIX.length()));
                }
            }
            if (!agents.isEmpty()) {
                LOG.info("Lease expired for {} output record(s) of {}; they are ready again", agents.size(),
                        new LinkedHashSet<>(agents));
            }
            return agents.size();
        });
    }

    // --- file sync -------------------------------------------------------------------------

    /** @return the current file-sync revision, as it rides on every poll reply */
    public String syncRevision() {
        return Long.toString(syncRevision);
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
        return write((s, c) -> change.apply(new SyncFilesTransaction() {
            @Override
            public StoreSession session() {
                return s;
            }

            @Override
            public Instant now() {
                return c.now;
            }

            @Override
            public long nextRevision() throws SQLException {
                if (c.syncRevision == null) {
                    c.syncRevision = s.incrementSyncRevision();
                }
                return c.syncRevision;
            }

            @Override
            public void onCommit(Runnable action) {
                c.onCommit.add(action);
            }

            @Override
            public void onRollback(Runnable action) {
                c.onRollback.add(action);
            }
        }));
    }

    /**
     * Reads the file-sync set, serialised with its changes, so the files and the revision read
     * together are consistent and the files named exist on disk while the work runs.
     *
     * @param <T> the result
     * @param work the reading
     * @return its result
     */
    public <T> T readSyncFiles(InstanceStore.SessionWork<T> work) {
        requireOpen();
        synchronized (writeLock) {
            requireOpen();
            return store.read(work);
        }
    }

    /**
     * Records how an agent applied a file-sync snapshot: its {@code sync_revision} and
     * {@code sync_state}, and an event {@code file_sync.applied} or {@code file_sync.failed}
     * listing the result of each file.
     *
     * @param report what the agent reports
     * @return the agent as stored
     * @throws RequestException 400 for a malformed report, 404 for an unknown agent
     */
    public AgentRecord syncReport(SyncReport report) {
        SyncReportEvent event = SyncReportEvent.of(report);
        return write((s, c) -> {
            AgentRecord agent = s.findAgentByName(event.agentName())
                    .orElseThrow(() -> notRegistered(event.agentName()));
            AgentRecord changed = withSync(agent, Json.time(c.now), event.revision(), event.state());
            s.updateAgent(changed);
            c.event(s, event.name(), agent.name(), event.detail());
            return changed;
        });
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

    /** @return the current credential revision, as it rides on every poll reply */
    public String credentialRevision() {
        return Long.toString(credentialRevision);
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
        return write((s, c) -> change.apply(new CredentialsTransaction() {
            @Override
            public StoreSession session() {
                return s;
            }

            @Override
            public Instant now() {
                return c.now;
            }

            @Override
            public long nextRevision() throws SQLException {
                if (c.credentialRevision == null) {
                    c.credentialRevision = s.incrementCredentialRevision();
                }
                return c.credentialRevision;
            }
        }));
    }

    /**
     * Reads credentials (or anything else) from the store, without waiting for writes.
     *
     * @param <T> the result
     * @param work the reading
     * @return its result
     */
    public <T> T readStore(InstanceStore.SessionWork<T> work) {
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
        return write((s, c) -> work.run(s));
    }

    // --- agent cores -----------------------------------------------------------------------

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
        return write((s, c) -> change.apply(new CoresTransaction() {
            @Override
            public StoreSession session() {
                return s;
            }

            @Override
            public Instant now() {
                return c.now;
            }

            @Override
            public String instanceVersion() {
                return c.instanceVersion != null ? c.instanceVersion : EccService.this.instanceVersion();
            }

            @Override
            public void publish(String version) throws SQLException {
                s.setInstanceVersion(version);
                c.instanceVersion = version;
            }

            @Override
            public void onCommit(Runnable action) {
                c.onCommit.add(action);
            }

            @Override
            public void onRollback(Runnable action) {
                c.onRollback.add(action);
            }
        }));
    }

    /**
     * Reads the stored agent cores, serialised with their changes, so the rows read and the jars
     * on disk agree while the work runs.
     *
     * @param <T> the result
     * @param work the reading
     * @return its result
     */
    public <T> T readCores(InstanceStore.SessionWork<T> work) {
        requireOpen();
        synchronized (writeLock) {
            requireOpen();
            return store.read(work);
        }
    }

    // --- reads -----------------------------------------------------------------------------

    /**
     * @param query a query on {@link TableSchema#ECC_QUEUE}
     * @return the matching records
     */
    public List<EccRecord> records(TableQuery query) {
        requireTable(query, TableSchema.ECC_QUEUE);
        requireOpen();
        return store.read(s -> s.queryRecords(query));
    }

    /**
     * @param query a query on either table
     * @return how many records match it (the Aggregate API's count)
     */
    public long count(TableQuery query) {
        requireOpen();
        return store.read(s -> s.count(query));
    }

    /**
     * @param sysId a sys_id
     * @return the ECC record
     */
    public Optional<EccRecord> record(String sysId) {
        requireOpen();
        return store.read(s -> s.findRecord(sysId));
    }

    /**
     * @param query a query on {@link TableSchema#ECC_AGENT}
     * @return the matching agents
     */
    public List<AgentRecord> agents(TableQuery query) {
        requireTable(query, TableSchema.ECC_AGENT);
        requireOpen();
        return store.read(s -> s.queryAgents(query));
    }

    /**
     * Chooses an agent for work with the given criteria among the registered agents, as routing
     * would, without enqueuing anything ({@code POST /api/mid/admin/select}).
     *
     * @param application the application, e.g. {@code Discovery}
     * @param ip the target IP, may be empty
     * @param capability the capability, may be empty
     * @param algorithm {@code legacy} or {@code new}; empty or {@code null} for the instance property
     *     {@code mid.selection.algorithm}
     * @return the choice and its explanation
     * @throws RequestException (400) on a missing application, an IP that is not an address, or an
     *     unknown algorithm
     */
    public io.midway.instance.internal.selection.Selection select(String application, String ip, String capability,
            String algorithm) {
        requireOpen();
        io.midway.instance.internal.selection.SelectionRequest request;
        try {
            request = io.midway.instance.internal.selection.SelectionRequest.of(application, ip, capability,
                    algorithm == null || algorithm.isBlank() ? settings.selectionAlgorithm() : algorithm);
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest(e.getMessage(), "send {\"application\",\"ip\",\"capability\",\"algorithm\"}; "
                    + "algorithm is legacy or new (default: mid.selection.algorithm, now " + settings.selectionAlgorithm() + ")");
        }
        List<AgentRecord> all = store.read(s -> s.agents());
        try {
            return selector.selectAmong(request, all);
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest(e.getMessage(), "correct the agent's ip_ranges with PATCH /api/now/table/ecc_agent/{sys_id}");
        }
    }

    /**
     * @param sysId a sys_id
     * @return the agent
     */
    public Optional<AgentRecord> agent(String sysId) {
        requireOpen();
        return store.read(s -> s.findAgent(sysId));
    }

    /**
     * @param name an agent name
     * @return the agent
     */
    public Optional<AgentRecord> agentByName(String name) {
        requireOpen();
        return store.read(s -> s.findAgentByName(name));
    }

    /**
     * @param limit the most events
     * @return the newest events, newest first
     */
    public List<EventRecord> latestEvents(int limit) {
        requireOpen();
        return store.read(s -> s.latestEvents(limit));
    }

    /** @return the queue's records by queue, topic and state */
    public List<io.midway.instance.internal.store.StoreSession.TopicCount> queueByTopic() {
        requireOpen();
        return store.read(s -> s.countsByTopic());
    }

    /** @return where the data is, for operators: the embedded database's folder, or the server's URL */
    public String databaseLocation() {
        return store.location();
    }

    /** @return the database engine: {@code h2} or {@code postgresql} */
    public String databaseEngine() {
        return store.engine();
    }

    /**
     * @param since a sequence number, 0 for all
     * @param limit the most events to return
     * @return the events after {@code since}, oldest first
     */
    public List<EventRecord> events(long since, int limit) {
        requireOpen();
        return store.read(s -> s.eventsSince(since, limit));
    }

    // --- plumbing --------------------------------------------------------------------------

    /**
     * Runs a write. Writes that arrive together share one transaction and one commit (a group
     * commit: the commit is what costs, as every commit reaches the file), each behind its own
     * savepoint, so one failing write rolls back alone. A write returns once it is committed.
     */
    private <T> T write(Work<T> work) {
        requireOpen();
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
                publish(p.changes);
            }
        }
        return mine.result();
    }

    /** Runs a group of writes in one transaction; under the write lock. */
    private void runGroup(List<PendingWrite<?>> group) {
        if (closed) {
            for (PendingWrite<?> p : group) {
                p.failure = stopping();
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
                if (p.changes.syncRevision != null) {
                    syncRevision = p.changes.syncRevision;
                }
                if (p.changes.credentialRevision != null) {
                    credentialRevision = p.changes.credentialRevision;
                }
                if (p.changes.instanceVersion != null) {
                    publishedVersion = p.changes.instanceVersion;
                }
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

    private static void run(List<Runnable> actions, String when) {
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("An action after {} failed", when, e);
            }
        }
    }

    /** What another node's wake-up names: an agent, or {@value #EVERY_AGENT} for a revision change. */
    private void woken(String agentOrAll) {
        if (!EVERY_AGENT.equals(agentOrAll)) {
            waiters.signal(agentOrAll);
            return;
        }
        if (closed) {
            return;
        }
        synchronized (writeLock) {
            store.read(s -> {
                syncRevision = s.syncRevision();
                credentialRevision = s.credentialRevision();
                publishedVersion = s.instanceVersion();
                return null;
            });
        }
        waiters.signalAll();
    }

    /** The wake-up that tells other nodes a revision changed (no agent name has this form). */
    static final String EVERY_AGENT = "*";

    private void publish(Changes changes) {
        boolean revisionChanged = changes.syncRevision != null || changes.instanceVersion != null
                || changes.credentialRevision != null;
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
        for (EventRecord event : changes.events) {
            LOG.info("Event {} #{} {}: {}", event.name(), event.seq(), event.agent(), event.detail());
            for (Consumer<EventRecord> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("Event listener failed on {}", event.name(), e);
                }
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw stopping();
        }
    }

    private static RequestException stopping() {
        return new RequestException(RequestException.Kind.UNAVAILABLE, "the instance is stopping", "");
    }

    private static void requireTable(TableQuery query, TableSchema table) {
        if (query.table() != table) {
            throw new IllegalArgumentException("query on " + query.table() + " where " + table + " was expected");
        }
    }

    private static RequestException notRegistered(String agentName) {
        return new RequestException(RequestException.Kind.NOT_FOUND, "agent " + agentName + " is not registered",
                "register with POST /api/mid/agents/register first");
    }

    private static List<String> strings(List<String> list, String field) {
        if (list == null) {
            return List.of();
        }
        List<String> clean = new ArrayList<>();
        for (String s : list) {
            if (s == null) {
                throw RequestException.badRequest("field '" + field + "' must hold strings only");
            }
            if (!s.isBlank()) {
                clean.add(s.trim());
            }
        }
        return clean;
    }

    private static String describe(Registration r) {
        StringBuilder text = new StringBuilder();
        if (r.version() != null) {
            text.append(" version ").append(r.version());
        }
        if (r.hostName() != null) {
            text.append(" on ").append(r.hostName());
        }
        if (r.ipAddress() != null) {
            text.append(" (").append(r.ipAddress()).append(')');
        }
        return text.length() == 0 ? "" : ":" + text;
    }

    private static String or(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static long secondsSince(String wireTime, Instant now) {
        try {
            return Duration.between(Json.parseTime(wireTime), now).toSeconds();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static String newSysId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static AgentRecord withStatus(AgentRecord a, String status) {
        return new AgentRecord(a.sysId(), a.name(), status, a.validated(), a.version(), a.hostName(), a.ipAddress(),
                a.lastRefreshed(), a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                a.syncRevision(), a.syncState(), a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }

    private static AgentRecord withLastRefreshed(AgentRecord a, String time) {
        return new AgentRecord(a.sysId(), a.name(), a.status(), a.validated(), a.version(), a.hostName(),
                a.ipAddress(), time, a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                a.syncRevision(), a.syncState(), a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }

    private static AgentRecord withSync(AgentRecord a, String time, String revision, String state) {
        return new AgentRecord(a.sysId(), a.name(), a.status(), a.validated(), a.version(), a.hostName(),
                a.ipAddress(), time, a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                revision, state, a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Events and wake-ups of one write, published after it commits. */
    private static final class Changes {
        final Instant now;
        final List<EventRecord> events = new ArrayList<>();
        final Set<String> wake = new LinkedHashSet<>();
        final List<Runnable> onCommit = new ArrayList<>();
        final List<Runnable> onRollback = new ArrayList<>();
        /** The new file-sync revision, when this write changed the set. */
        Long syncRevision;
        /** The new credential revision, when this write changed the credentials. */
        Long credentialRevision;
        /** The new instance version, when this write published an agent core. */
        String instanceVersion;

        Changes(Instant now) {
            this.now = now;
        }

        void event(StoreSession s, String name, String agent, String detail) throws SQLException {
            events.add(s.insertEvent(name, agent, Json.time(now), detail));
        }

        void wake(String agentName) {
            wake.add(agentName);
        }
    }

    /** One waiting long poll. */
    private final class LongPoll implements Runnable {
        final String agentName;
        final int max;
        final CompletableFuture<PollReply> future = new CompletableFuture<>();
        volatile ScheduledFuture<?> timeout;
        private boolean done;

        /** The answer when nothing comes; its sync revision is the one the poll started with. */
        private final PollReply empty;

        LongPoll(String agentName, int max, PollReply empty) {
            this.agentName = agentName;
            this.max = max;
            this.empty = empty;
        }

        /** A newer poll of the same agent arrived: answer this one with nothing, leasing nothing. */
        synchronized void supersede() {
            if (done) {
                return;
            }
            finish();
            future.complete(empty);
        }

        /** Woken: lease what is ready, if anything. */
        @Override
        public void run() {
            attempt(false);
        }

        /** Out of time: answer with whatever there is, possibly nothing. */
        void expire() {
            attempt(true);
        }

        synchronized void fail(RuntimeException e) {
            if (done) {
                return;
            }
            finish();
            future.completeExceptionally(e);
        }

        private synchronized void attempt(boolean last) {
            if (done) {
                return;
            }
            if (future.isDone()) {
                // the caller went away: lease nothing more for it
                finish();
                return;
            }
            PollReply reply;
            try {
                reply = poll(agentName, max);
            } catch (RuntimeException e) {
                finish();
                future.completeExceptionally(e);
                return;
            }
            if (last || !reply.result().isEmpty() || !reply.syncRevision().equals(empty.syncRevision())
                    || !Objects.equals(reply.instanceVersion(), empty.instanceVersion())
                    || !Objects.equals(reply.pinnedVersion(), empty.pinnedVersion())
                    || !Objects.equals(reply.credentialRevision(), empty.credentialRevision())) {
                finish();
                future.complete(reply);
            }
        }

        private void finish() {
            done = true;
            waiters.remove(agentName, this);
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
