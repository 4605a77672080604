package io.midway.agent.internal.transport;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.agent.internal.HostIdentity;
import io.midway.agent.internal.AgentSettings;
import io.midway.agent.internal.AgentState;
import io.midway.agent.internal.AgentTimings;
import io.midway.agent.internal.results.ResultSender;
import io.midway.agent.internal.work.WorkDispatcher;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;

/**
 * The connection loop, on its own thread: registers with the instance, then long-polls the ECC
 * queue for as many records as the worker pools can take and dispatches them. While the instance
 * is unreachable it retries with capped exponential backoff; when the instance no longer knows
 * the agent (404 on poll) it registers again. A refused login is logged once per change of the
 * problem, with what to check.
 *
 * <p>The registration carries the agent's capabilities (the installed protocols); when they
 * change, the agent registers again at once, so the instance updates its record. Each poll
 * reply's {@code sync_revision} goes to file sync.
 */
public final class EccPoller {

    /** What file sync hears from the connection loop, on the poll thread; must return at once. */
    public interface SyncSignals {
        /** The instance took the registration: it is reachable (sync at start need not wait for a poll). */
        void registered();

        /**
         * @param syncRevision a poll reply's {@code sync_revision}, or {@code null} when it had none
         */
        void polled(String syncRevision);

        /** File sync is off. */
        SyncSignals NONE = new SyncSignals() {
            @Override
            public void registered() {
            }

            @Override
            public void polled(String syncRevision) {
            }
        };
    }

    /** What the core upgrade hears from the connection loop, on the poll thread; must return at once. */
    public interface UpgradeSignals {
        /** The instance took the registration. */
        void registered();

        /**
         * @param instanceVersion a poll reply's {@code instance_version}, or {@code null}
         * @param pinnedVersion a poll reply's {@code pinned_version}, or {@code null}
         */
        void polled(String instanceVersion, String pinnedVersion);

        /** No upgrades. */
        UpgradeSignals NONE = new UpgradeSignals() {
            @Override
            public void registered() {
            }

            @Override
            public void polled(String instanceVersion, String pinnedVersion) {
            }
        };
    }

    private static final Logger LOG = LoggerFactory.getLogger(EccPoller.class);
    /** How long a poll waits for room in the pools when they are full. */
    private static final long FULL_WAIT_MS = 1000;

    /** The {@code instance_version} of the last poll reply, sent with the next poll like the revision. */
    private volatile String lastInstanceVersion;
    private volatile UpgradeSignals upgrade = UpgradeSignals.NONE;
    /** Keeps the credential store current; {@code null} for none. */
    private volatile CredentialFetcher credentials;

    /**
     * The {@code sync_revision} of the last poll reply, sent with the next poll: a revision that
     * changed while no poll of ours was waiting then comes back at once, not with the next work.
     */
    private volatile String lastSyncRevision;

    private final InstanceClient client;
    private final AgentState state;
    private final WorkDispatcher dispatcher;
    private final ResultSender sender;
    private final String agentName;
    private final String version;
    private volatile ConfigFetcher config;
    private volatile long pollWaitMs;
    private final long minPollIntervalMs;
    private final Backoff backoff;
    private final Supplier<List<String>> capabilities;
    private final SyncSignals sync;
    private final Object registration = new Object();

    private volatile boolean running;
    /** Wakes the pause between two polls when the poller stops. */
    private final Object pause = new Object();
    private Thread thread;
    private ExecutorService advertiser;
    private String lastProblem;
    private volatile boolean registered;
    private volatile AgentIdentity identity;
    private volatile String sharedUser;
    private volatile String sharedPassword;
    /** How long a stopping agent tries to tell the instance, and waits for its poll to end. */
    private static final java.time.Duration RELEASE_TIMEOUT = java.time.Duration.ofSeconds(2);
    private volatile List<String> advertised;
    /** The public key of the last registration, {@code null} when it had none. */
    private volatile String advertisedKey;
    /**
     * What the first registration after the start says the agent still holds (crash recovery),
     * {@code null} once it went through (or when not known): later registrations say nothing.
     */
    private volatile List<String> heldAtStart;

    /**
     * @param client the instance
     * @param state shared agent state
     * @param dispatcher runs the records
     * @param sender delivers the results
     * @param settings the agent settings
     * @param version the core's version
     * @param timings retry timings
     * @param capabilities the capabilities now (protocol names, sorted)
     * @param sync told when the agent registered and each poll reply's {@code sync_revision}
     */
    public EccPoller(InstanceClient client, AgentState state, WorkDispatcher dispatcher, ResultSender sender,
            AgentSettings settings, String version, AgentTimings timings, Supplier<List<String>> capabilities,
            SyncSignals sync) {
        this.capabilities = capabilities;
        this.sync = sync;
        this.client = client;
        this.state = state;
        this.dispatcher = dispatcher;
        this.sender = sender;
        this.agentName = settings.agentName();
        this.version = version;
        this.pollWaitMs = settings.pollWaitMs();
        this.minPollIntervalMs = timings.minPollInterval().toMillis();
        this.backoff = new Backoff(timings.backoffMin(), timings.backoffMax());
    }

    /** @param signals told of registrations and of each poll reply's versions */
    public void upgradeSignals(UpgradeSignals signals) {
        this.upgrade = signals;
    }

    /**
     * @param fetcher gives the registration's public key and each poll's credential revision, and
     *     hears each poll reply's {@code credential_revision}
     */
    /** @param millis how long the next polls may wait on the instance (a live configuration change) */
    public void pollWaitMs(long millis) {
        this.pollWaitMs = Math.max(0, millis);
    }

    /**
     * @param fetcher keeps the settings from the instance at its configuration revision; it hears
     *     each poll reply's {@code config_revision}
     */
    public void configFetcher(ConfigFetcher fetcher) {
        this.config = fetcher;
    }

    /**
     * Crash recovery: the next registration names these records as the ones the agent still holds
     * of those leased to it, and the instance makes every other record leased to it ready again at
     * once. Set before {@link #start()}, with what the agent knows at its start (journal, spool);
     * used by one successful registration only.
     *
     * @param held sys_ids of the output records the agent will answer, or {@code null} to say nothing
     */
    public void heldAtStart(List<String> held) {
        this.heldAtStart = held == null ? null : List.copyOf(held);
    }

    public void credentialFetcher(CredentialFetcher fetcher) {
        this.credentials = fetcher;
        fetcher.onKeyReady(this::capabilitiesChanged);
    }

    private String publicKey() {
        CredentialFetcher fetcher = credentials;
        return fetcher == null ? null : fetcher.publicKey();
    }

    public synchronized void start() {
        running = true;
        state.connection(AgentState.REGISTERING);
        thread = DaemonThreads.newThread("midway-ecc-poller", this::loop);
        thread.start();
        advertiser = io.midway.agent.internal.lifecycle.OnDemandThread.named("midway-capabilities");
    }

    /**
     * The capabilities changed: registers again at once (on another thread) when registered; else
     * the next registration carries them.
     */
    public void capabilitiesChanged() {
        ExecutorService executor;
        synchronized (this) {
            executor = advertiser;
        }
        if (executor == null || !running || !registered) {
            return;
        }
        try {
            executor.execute(this::advertiseIfChanged);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void advertiseIfChanged() {
        synchronized (registration) {
            List<String> current = capabilities.get();
            String key = publicKey();
            if (!registered || current.equals(advertised) && Objects.equals(key, advertisedKey)) {
                return;
            }
            try {
                AgentRecord record = registerAs(new Registration(agentName, version, HostIdentity.hostName(),
                        HostIdentity.ipAddress(), current, key));
                boolean newKey = key != null && !key.equals(advertisedKey);
                advertised = current;
                advertisedKey = key;
                state.instanceSays(record.status(), record.validated());
                LOG.info("Advertised capabilities {}{} to instance {}", current,
                        key == null ? "" : " and the credential key", client.baseUrl());
                CredentialFetcher fetcher = credentials;
                if (newKey && fetcher != null) {
                    fetcher.keyRegistered();
                }
            } catch (IOException e) {
                LOG.warn("Cannot advertise capabilities {} to instance {} yet ({}); trying again after the next poll",
                        current, client.baseUrl(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops polling: interrupts a poll in progress and waits for the thread.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    /** Sleeps at most this long, less when {@link #stop()} comes meanwhile. */
    private void pauseWhileRunning(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (pause) {
            for (long left = millis; running && left > 0; left = (deadline - System.nanoTime()) / 1_000_000L) {
                pause.wait(left);
            }
        }
    }

    public void stop() throws InterruptedException {
        Thread t;
        ExecutorService executor;
        synchronized (this) {
            t = thread;
            thread = null;
            executor = advertiser;
            advertiser = null;
        }
        running = false;
        synchronized (pause) {
            pause.notifyAll();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        if (t != null && registered) {
            // Tell the instance, so that its waiting poll is answered now and the thread ends on
            // its own: work written before the next start then waits for it, instead of going
            // to this poll's connection (held until its lease expires).
            try {
                client.releasePolls(agentName, RELEASE_TIMEOUT);
                t.join(RELEASE_TIMEOUT.toMillis());
            } catch (IOException e) {
                LOG.debug("Could not tell instance {} that this agent stops polling: {}", client.baseUrl(), e.getMessage());
            }
        }
        if (t != null) {
            t.interrupt();
            t.join(5000);
            if (t.isAlive()) {
                LOG.warn("The ECC poller did not stop within 5 s");
            }
        }
    }

    private void loop() {
        try {
            while (running) {
                boolean ok = registered ? pollOnce() : register();
                if (!ok && running) {
                    Thread.sleep(backoff.nextDelayMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the agent is now registered */
    private boolean register() throws InterruptedException {
        try {
            AgentRecord record;
            synchronized (registration) {
                List<String> current = capabilities.get();
                String key = publicKey();
                List<String> held = heldAtStart;
                record = registerAs(new Registration(agentName, version, HostIdentity.hostName(),
                        HostIdentity.ipAddress(), current, key, held));
                advertised = current;
                advertisedKey = key;
                registered = true;
                heldAtStart = null;
                if (held != null) {
                    LOG.info("Told instance {} that this agent, just started, still holds {} leased record(s) (journal "
                            + "and spool); every other record leased to it is handed out again at once",
                            client.baseUrl(), held.size());
                }
            }
            state.instanceSays(record.status(), record.validated());
            state.connection(AgentState.CONNECTED);
            backoff.reset();
            recovered();
            LOG.info("Registered as '{}' (version {}, capabilities {}) with instance {}: status {}, {}", agentName,
                    version, advertised, client.baseUrl(), record.status(),
                    record.validated() ? "validated" : "not validated yet");
            sender.wake();
            // a protocol that came while the registration was on its way was not in it: say so now,
            // not after the first long poll
            capabilitiesChanged();
            try {
                sync.registered();
            } catch (RuntimeException e) {
                LOG.error("File sync could not take the registration", e);
            }
            try {
                upgrade.registered();
            } catch (RuntimeException e) {
                LOG.error("The core upgrade could not take the registration", e);
            }
            return true;
        } catch (InstanceException e) {
            if (e.statusCode() == 401 && identity != null && identity.refused(client, sharedUser, sharedPassword)) {
                return false; // enrolls again at the next attempt
            }
            failed(e, e.isAuthFailure() ? AgentState.REGISTERING : AgentState.UNREACHABLE);
        } catch (IOException e) {
            failed(e, AgentState.UNREACHABLE);
        }
        return false;
    }

    /**
     * Registers as the agent's own identity (loaded from its file first), or, before the agent has
     * one, as the shared user asking to be enrolled; keeps the identity the instance then makes.
     */
    private AgentRecord registerAs(Registration registration) throws IOException, InterruptedException {
        if (identity != null) {
            identity.apply(client);
        }
        InstanceClient.Registered reply = client.enrollOrRegister(registration);
        if (reply.identityUser() != null && identity != null) {
            identity.enrolled(client, reply);
        }
        return reply.agent();
    }

    /**
     * The agent's own identity on the instance, and the shared user that enrolls it.
     *
     * @param agentIdentity the identity file
     * @param shared the shared (enrollment) user
     * @param password its password, or {@code null}
     */
    public void identity(AgentIdentity agentIdentity, String shared, String password) {
        this.identity = agentIdentity;
        this.sharedUser = shared;
        this.sharedPassword = password;
    }

    /**
     * Loads the agent's own identity (when it has one) into the client now, before the first
     * registration: results sent at start (the spool, work journaled by an upgrade) then go as
     * this agent, not as the shared user, which the instance refuses (403) for an enrolled agent.
     */
    public void applyIdentity() {
        AgentIdentity own = identity;
        if (own != null) {
            own.apply(client);
        }
    }

    /** @return whether the poll went through */
    private boolean pollOnce() throws InterruptedException {
        // A full agent waits for room (at most a second, then polls anyway for news and heartbeats)
        // instead of leasing one record at a time
        dispatcher.awaitCapacity(FULL_WAIT_MS);
        long started = System.nanoTime();
        PollReply reply;
        String sentCredentials;
        String sentSettings;
        try {
            CredentialFetcher fetcher = credentials;
            ConfigFetcher settings = config;
            sentCredentials = fetcher == null ? null : fetcher.pollRevision();
            sentSettings = settings == null ? null : settings.pollRevision();
            reply = client.poll(agentName, Math.max(1, dispatcher.freeCapacity()), pollWaitMs, lastSyncRevision,
                    lastInstanceVersion, sentCredentials, sentSettings);
        } catch (InstanceException e) {
            if (e.statusCode() == 404) {
                LOG.info("Instance {} does not know agent '{}' (404): registering again", client.baseUrl(), agentName);
                registered = false;
                state.connection(AgentState.REGISTERING);
                return true;
            }
            if (e.isAuthFailure()) {
                registered = false;
            }
            failed(e, e.isAuthFailure() ? AgentState.REGISTERING : AgentState.UNREACHABLE);
            return false;
        } catch (IOException e) {
            failed(e, AgentState.UNREACHABLE);
            return false;
        }
        boolean wasConnected = AgentState.CONNECTED.equals(state.connection());
        // A reply that brings a new revision is news, not an idle round: the next poll goes at once
        // (it names the new revisions, so the instance waits on it) — a hot deploy's first item must
        // not wait out the minimum poll interval behind the reply that announced the upload.
        boolean news = !Objects.equals(reply.syncRevision(), lastSyncRevision)
                || !Objects.equals(reply.instanceVersion(), lastInstanceVersion);
        state.instanceSays(reply.agentStatus(), reply.validated());
        state.instanceVersion(reply.instanceVersion(), reply.syncRevision());
        lastSyncRevision = reply.syncRevision();
        lastInstanceVersion = reply.instanceVersion();
        state.connection(AgentState.CONNECTED);
        backoff.reset();
        if (!wasConnected) {
            sender.wake();
        }
        recovered();
        if (!capabilities.get().equals(advertised) || !Objects.equals(publicKey(), advertisedKey)) {
            // new capabilities, or a credential store that came (or went) after the registration
            advertiseIfChanged();
        }
        CredentialFetcher fetcher = credentials;
        if (fetcher != null) {
            try {
                fetcher.polled(reply.credentialRevision());
            } catch (RuntimeException e) {
                LOG.error("The credential store could not take revision {}", reply.credentialRevision(), e);
            }
        }
        ConfigFetcher settings = config;
        if (settings != null) {
            try {
                settings.polled(reply.configRevision());
            } catch (RuntimeException e) {
                LOG.error("The settings from the instance could not take revision {}", reply.configRevision(), e);
            }
        }
        try {
            sync.polled(reply.syncRevision());
        } catch (RuntimeException e) {
            LOG.error("File sync could not take revision {}", reply.syncRevision(), e);
        }
        try {
            upgrade.polled(reply.instanceVersion(), reply.pinnedVersion());
        } catch (RuntimeException e) {
            LOG.error("The core upgrade could not take instance version {}", reply.instanceVersion(), e);
        }
        // The instance answers at once while a poll names a credential or settings revision other
        // than its own (just after a start, or a change): news too when the next poll names the
        // new one (its fetch is under way or done), so that poll waits on the instance. Not when it
        // still names another (a fetch that failed or waits): the pause then keeps it from looping.
        news |= revisionTaken(sentCredentials, reply.credentialRevision(),
                fetcher == null ? null : fetcher.pollRevision());
        news |= revisionTaken(sentSettings, reply.configRevision(), settings == null ? null : settings.pollRevision());
        List<EccRecord> records = reply.result() == null ? List.of() : reply.result();
        for (EccRecord record : records) {
            dispatcher.dispatch(record);
        }
        if (records.isEmpty() && !news) {
            long elapsedMs = (System.nanoTime() - started) / 1_000_000L;
            if (elapsedMs < minPollIntervalMs) {
                // not once the agent stops: stop() released this poll and waits for this thread
                // (an upgrade's or restart's pause would otherwise last the whole interval)
                LOG.debug("Poll answered in {} ms without work or news (sync revision {}, credentials {}, settings {}): "
                        + "next poll in {} ms", elapsedMs, reply.syncRevision(), reply.credentialRevision(),
                        reply.configRevision(), minPollIntervalMs - elapsedMs);
                pauseWhileRunning(minPollIntervalMs - elapsedMs);
            }
        }
        return true;
    }

    /**
     * @param sent the revision the poll named
     * @param announced the instance's revision in its reply
     * @param next the revision the next poll names
     * @return whether the reply announced a revision the next poll takes up
     */
    static boolean revisionTaken(String sent, String announced, String next) {
        return announced != null && !announced.equals(sent) && announced.equals(next);
    }

    private void failed(IOException e, String connection) {
        state.connection(connection);
        String message = e instanceof InstanceException ie && ie.isAuthFailure() ? authMessage(ie)
                : e.getMessage() == null ? e.toString() : e.getMessage();
        state.error(message);
        if (!message.equals(lastProblem)) {
            LOG.warn("{}; retrying", message);
            LOG.debug("Connection failure", e);
            lastProblem = message;
        }
    }

    private void recovered() {
        if (lastProblem != null) {
            LOG.info("Connected to instance {} again", client.baseUrl());
            lastProblem = null;
        }
    }

    private String authMessage(InstanceException e) {
        String who = "instance " + client.baseUrl() + " refused user '" + client.user() + "' (" + e.statusCode() + ")";
        if (e.statusCode() == 403) {
            String said = e.getMessage() == null ? "" : e.getMessage();
            return who + (said.contains("disabled by an admin") ? ": this agent's identity is disabled by an admin"
                    : said.contains("is enrolled") ? ": this agent's name is enrolled with another identity (an admin "
                            + "deletes it to enroll this agent afresh)"
                            : ": the user needs the mid_server role on the instance, for this agent's name");
        }
        if (client.usesOwnIdentity()) {
            return who + ": this agent's own identity is refused (disabled or deleted by an admin)";
        }
        return client.hasPassword() ? who + ": check MIDWAY_AGENT_PASSWORD"
                : who + ": no password is set; set MIDWAY_AGENT_PASSWORD";
    }
}
