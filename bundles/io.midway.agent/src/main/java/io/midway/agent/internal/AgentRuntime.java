package io.midway.agent.internal;

import io.midway.agent.internal.lifecycle.Supervisor;
import io.midway.agent.internal.transport.AgentIdentity;
import io.midway.agent.internal.transport.InstanceException;
import io.midway.agent.internal.transport.InstanceTrust;
import io.midway.agent.internal.work.ProbeRunner;
import io.midway.agent.internal.lifecycle.AgentLifecycle;
import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.agent.internal.results.ResultOutbox;
import io.midway.agent.internal.results.ResultSender;
import io.midway.agent.internal.results.ResultSpool;
import io.midway.agent.internal.transport.ConfigFetcher;
import io.midway.agent.internal.transport.CredentialFetcher;
import io.midway.agent.internal.transport.EccPoller;
import io.midway.agent.internal.transport.InstanceClient;
import io.midway.agent.internal.work.HeartbeatResponder;
import io.midway.agent.internal.work.ProbeRegistry;
import io.midway.agent.internal.work.ProtocolRegistry;
import io.midway.agent.internal.work.SystemCommandResponder;
import io.midway.agent.internal.work.WorkDispatcher;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.deploy.DeployFolder;
import io.midway.agent.internal.sync.FileSyncer;
import io.midway.agent.internal.sync.PluginBundles;
import io.midway.agent.internal.sync.PluginFramework;
import io.midway.agent.internal.upgrade.UpgradeCoordinator;
import io.midway.agent.internal.upgrade.UpgradeHost;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.probe.Probe;
import io.midway.api.protocol.Protocol;
import io.midway.api.upgrade.CoreUpgrader;
import io.midway.api.credential.store.CredentialStore;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.InputRecord;
import io.midway.wire.InstanceInfo;
import io.midway.wire.StatusChange;

/**
 * The running agent, without OSGi: the probe and protocol registries, the worker pools, the
 * result spool and sender, the ECC poller and, given the framework, file sync, wired together.
 * {@link AgentCore} creates one per activation; tests create it directly.
 */
public final class AgentRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRuntime.class);

    /** How long a bundle file sync started may take to become healthy. */
    static final Duration SYNC_HEALTH_TIMEOUT = Duration.ofSeconds(5);

    private volatile AgentSettings settings;
    private final String version;
    private final AgentTimings timings;
    private final AgentState state = new AgentState();
    private final ProbeRegistry probes = new ProbeRegistry();
    private final ProtocolRegistry protocols = new ProtocolRegistry();
    private final InstanceClient client;
    private final ResultSpool spool;
    private final ResultSender sender;
    private final ResultOutbox outbox;
    private final WorkDispatcher dispatcher;
    private final EccPoller poller;
    private final FileSyncer fileSyncer;
    private final PluginBundles pluginBundles;
    private final DeployFolder deployFolder;
    private final UpgradeCoordinator upgrade;
    private final CredentialFetcher credentials;
    private volatile ConfigFetcher config;
    /** Restart and stop commands waiting for their answer to be delivered, by SystemCommand sys_id. */
    private final Map<String, SystemCommandResponder.Action> pendingCommands = new java.util.concurrent.ConcurrentHashMap<>();
    /** Set while a restart or stop is under way: a second one is refused. */
    private final java.util.concurrent.atomic.AtomicBoolean commandUnderWay = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile AgentLifecycle lifecycle;
    private java.util.function.Function<String, String> environment = System::getenv;
    private boolean started;

    /**
     * Prepares an agent without file sync; {@link #start()} connects it.
     *
     * @param settings the effective settings
     * @param version the core's version, reported to the instance
     * @param timings retry and shutdown timings
     * @throws IOException when the spool directory cannot be created
     */
    public AgentRuntime(AgentSettings settings, String version, AgentTimings timings) throws IOException {
        this(settings, version, timings, null);
    }

    /**
     * Prepares the agent; {@link #start()} connects it.
     *
     * @param settings the effective settings
     * @param version the core's version, reported to the instance
     * @param timings retry and shutdown timings
     * @param framework the bundles, for file sync; {@code null} for none
     * @throws IOException when the spool directory cannot be created
     */
    public AgentRuntime(AgentSettings settings, String version, AgentTimings timings, PluginFramework framework)
            throws IOException {
        this(settings, version, timings, framework, () -> null, UpgradeCoordinator.WORK_GRACE);
    }

    /**
     * Prepares the agent with core upgrades; {@link #start()} connects it.
     *
     * @param settings the effective settings
     * @param version the core's version, reported to the instance
     * @param timings retry and shutdown timings
     * @param framework the bundles, for file sync; {@code null} for none
     * @param upgrader the core upgrader service now, or {@code null} when none is present
     * @param upgradeWorkGrace how long running work may take to finish before an upgrade
     * @throws IOException when the spool directory cannot be created
     */
    public AgentRuntime(AgentSettings settings, String version, AgentTimings timings, PluginFramework framework,
            Supplier<CoreUpgrader> upgrader, Duration upgradeWorkGrace) throws IOException {
        this(settings, version, timings, framework, upgrader, upgradeWorkGrace, () -> null);
    }

    /**
     * Prepares the agent with core upgrades and a credential store; {@link #start()} connects it.
     *
     * @param settings the effective settings
     * @param version the core's version, reported to the instance
     * @param timings retry and shutdown timings
     * @param framework the bundles, for file sync; {@code null} for none
     * @param upgrader the core upgrader service now, or {@code null} when none is present
     * @param upgradeWorkGrace how long running work may take to finish before an upgrade
     * @param credentialStore the credential store service now, or {@code null} when none is
     *     present: its public key is registered and it is kept at the instance's credential revision
     * @throws IOException when the spool directory cannot be created
     */
    public AgentRuntime(AgentSettings settings, String version, AgentTimings timings, PluginFramework framework,
            Supplier<CoreUpgrader> upgrader, Duration upgradeWorkGrace, Supplier<CredentialStore> credentialStore)
            throws IOException {
        this(settings, version, timings, framework, upgrader, upgradeWorkGrace, credentialStore, null);
    }

    /**
     * Prepares the agent with core upgrades, a credential store and a deploy folder; {@link #start()}
     * connects it.
     *
     * @param settings the effective settings
     * @param version the core's version, reported to the instance
     * @param timings retry and shutdown timings
     * @param framework the bundles, for file sync and the deploy folder; {@code null} for none
     * @param upgrader the core upgrader service now, or {@code null} when none is present
     * @param upgradeWorkGrace how long running work may take to finish before an upgrade
     * @param credentialStore the credential store service now, or {@code null} when none is present
     * @param deployDir the agent's deploy folder, watched while the agent runs; {@code null} for none
     * @throws IOException when the spool directory cannot be created
     */
    public AgentRuntime(AgentSettings settings, String version, AgentTimings timings, PluginFramework framework,
            Supplier<CoreUpgrader> upgrader, Duration upgradeWorkGrace, Supplier<CredentialStore> credentialStore,
            Path deployDir) throws IOException {
        this.settings = settings;
        this.version = version;
        this.timings = timings;
        this.client = new InstanceClient(settings.instanceUrl(), settings.agentUser(), settings.agentPassword(),
                timings.connectTimeout(), tls(settings));
        this.spool = new ResultSpool(settings.spoolDir());
        this.sender = new ResultSender(spool, client, state, settings.resultBatchSize(), timings);
        this.outbox = new ResultOutbox(spool, this::deliverAsThisAgent, settings.resultBatchSize(), sender::wake,
                this::spoolFailed);
        HeartbeatResponder heartbeat = new HeartbeatResponder(version, Instant.now(), probes::topics);
        // SystemCommand grab_logs: the log file io.midway.logging writes, <data>/agent.log.
        // restart and stop: SystemCommandControl, carried out by the AgentLifecycle the core sets.
        ProbeRunner runner = new ProbeRunner(probes, heartbeat,
                new SystemCommandResponder(settings.dataDir().resolve("agent.log"), new SystemCommandControl()),
                settings.agentName());
        this.dispatcher = new WorkDispatcher(settings, runner, this::spoolResult);
        if (framework != null) {
            this.fileSyncer = new FileSyncer(settings.agentName(), client, framework, settings.syncDir(),
                    SYNC_HEALTH_TIMEOUT, timings.backoffMin(), timings.backoffMax());
            FileSyncer syncer = fileSyncer;
            this.deployFolder = deployDir == null ? null
                    : new DeployFolder(deployDir, framework, syncer::provides,
                            settings.syncDir().resolveSibling("deploy-state.properties"));
            this.pluginBundles = new PluginBundles(framework, fileSyncer::installed, deployFolder);
            // an item for a probe that a sync in flight is installing waits for it (hot deploy)
            runner.pendingProbes(syncer::awaitSyncs);
        } else {
            this.fileSyncer = null;
            this.deployFolder = null;
            this.pluginBundles = null;
        }
        EccPoller.SyncSignals syncSignals = fileSyncer == null ? EccPoller.SyncSignals.NONE
                : new EccPoller.SyncSignals() {
                    @Override
                    public void registered() {
                        fileSyncer.connected();
                    }

                    @Override
                    public void polled(String syncRevision) {
                        fileSyncer.revisionSeen(syncRevision);
                    }
                };
        this.poller = new EccPoller(client, state, dispatcher, sender, settings, version, timings, protocols::names,
                syncSignals);
        this.credentials = new CredentialFetcher(client, settings.agentName(), credentialStore);
        poller.credentialFetcher(credentials);
        this.identityFile = new AgentIdentity(settings.syncDir().resolveSibling(AgentIdentity.FILE), credentialStore);
        poller.identity(identityFile, settings.agentUser(), settings.agentPassword());
        this.upgrade = new UpgradeCoordinator(version, settings.dataDir(), new Host(), upgrader, upgradeWorkGrace);
        poller.upgradeSignals(new EccPoller.UpgradeSignals() {
            @Override
            public void registered() {
                upgrade.registered();
            }

            @Override
            public void polled(String instanceVersion, String pinnedVersion) {
                upgrade.polled(instanceVersion, pinnedVersion);
            }
        });
    }

    /**
     * Lets the agent restart and stop itself on the instance's {@code SystemCommand}; without it those
     * commands are answered with an error.
     *
     * @param lifecycle restarts bundles and stops the framework
     */
    /** @param refusals bundles refused after an install from the console or the shell, for the listings */
    void refusedBundles(java.util.function.Supplier<List<io.midway.api.agent.PluginBundleDTO>> refusals) {
        if (pluginBundles != null) {
            pluginBundles.refusals(refusals);
        }
    }

    /** @param gate whether a core offered for an upgrade may be installed (signatures) */
    void signing(io.midway.agent.internal.signing.SignatureGate gate) {
        upgrade.signing(gate);
    }

    void lifecycle(AgentLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /**
     * For tests: the environment in which the supervisor is looked for.
     *
     * @param env the process environment
     */
    void environment(java.util.function.Function<String, String> env) {
        this.environment = env;
    }

    /** Restart and stop, as the SystemCommand responder sees them. */
    private final class SystemCommandControl implements SystemCommandResponder.Control {
        @Override
        public List<String> plugins() throws SystemCommandResponder.CommandException {
            if (lifecycle == null || pluginBundles == null) {
                throw new SystemCommandResponder.CommandException("restart mode in_place is not available in this "
                        + "agent: it runs without its OSGi framework");
            }
            return activePlugins().stream().map(d -> d.symbolicName).toList();
        }

        @Override
        public java.util.Optional<String> supervisor() {
            return lifecycle == null ? java.util.Optional.empty() : Supervisor.detect(environment);
        }

        @Override
        public void afterAnswer(String sysId, SystemCommandResponder.Action action)
                throws SystemCommandResponder.CommandException {
            if (lifecycle == null) {
                throw new SystemCommandResponder.CommandException("SystemCommand restart and stop are not available in "
                        + "this agent: it runs without its OSGi framework");
            }
            if (sysId == null || !commandUnderWay.compareAndSet(false, true)) {
                throw new SystemCommandResponder.CommandException("a restart or stop of this agent is already under "
                        + "way; this one is not carried out");
            }
            pendingCommands.put(sysId, action);
        }
    }

    private List<PluginBundleDTO> activePlugins() {
        if (pluginBundles == null) {
            return List.of();
        }
        return java.util.Arrays.stream(pluginBundles.list())
                .filter(d -> d.id >= 0 && "ACTIVE".equals(d.state)).toList();
    }

    /**
     * Delivers the answer to a restart or stop command and waits for the instance to confirm it; when
     * it cannot be delivered it is spooled (sent after the restart, or at the next start). Then
     * carries out the command on a thread of its own, which nothing joins.
     */
    private void answerThenAct(InputRecord answer, SystemCommandResponder.Action action) {
        state.countResult(!EccRecord.STATE_ERROR.equals(answer.state()));
        boolean delivered = false;
        boolean refused = false;
        long deadline = System.nanoTime() + commandAnswerWait.toNanos();
        while (!delivered && System.nanoTime() < deadline) {
            try {
                client.postInput(new io.midway.wire.InputBatch(List.of(answer)));
                delivered = true;
            } catch (IOException e) {
                if (e instanceof InstanceException refusal && refusal.statusCode() >= 400 && refusal.statusCode() < 500
                        && refusal.statusCode() != 401 && refusal.statusCode() != 408 && refusal.statusCode() != 429) {
                    // Refused (e.g. the command record was deleted): sending it again would not help.
                    LOG.warn("The instance refused the answer to SystemCommand {}: {}; carrying out the command anyway",
                            answer.responseTo(), e.getMessage());
                    refused = true;
                    break;
                }
                LOG.warn("Cannot deliver the answer to SystemCommand {} yet: {}", answer.responseTo(), e.getMessage());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!delivered && !refused) {
            try {
                spool.write(answer);
                sender.wake();
                LOG.warn("The answer to SystemCommand {} is spooled: the instance did not take it within {} s; it is "
                        + "sent when the agent runs again", answer.responseTo(), commandAnswerWait.toSeconds());
            } catch (IOException e) {
                LOG.error("Cannot spool the answer to SystemCommand {}: {}; the instance hands the command out again "
                        + "after its lease", answer.responseTo(), e.getMessage());
            }
        }
        LOG.info("SystemCommand {}: {}", answer.responseTo(), answer.payload().path("result").asText(action.name()));
        Thread t = new Thread(() -> act(action), "midway-system-command");
        t.setDaemon(false);
        t.start();
    }

    /** How long the answer to a restart or stop may take to reach the instance before it is spooled. */
    static final Duration COMMAND_ANSWER_WAIT = Duration.ofSeconds(15);
    private volatile Duration commandAnswerWait = COMMAND_ANSWER_WAIT;

    /**
     * For tests: how long the answer to a restart or stop may take to reach the instance.
     *
     * @param wait the time
     */
    void commandAnswerWait(Duration wait) {
        this.commandAnswerWait = wait;
    }

    /**
     * Carries out a restart or stop, as an upgrade hands over the core: stops polling, journals the
     * queued records (replayed by the core that starts next), lets running work finish within the
     * grace time. A stop instead lets queued work run (as on SIGTERM) and reports Down.
     */
    private void act(SystemCommandResponder.Action action) {
        AgentLifecycle l = lifecycle;
        try {
            if (action == SystemCommandResponder.Action.STOP) {
                poller.stop();
                try {
                    changeStatus(AgentRecord.STATUS_DOWN, "stopped by a SystemCommand from the instance");
                } catch (IOException e) {
                    LOG.warn("Cannot tell the instance the agent stops: {}", e.getMessage());
                }
                l.stopProcess(AgentLifecycle.EXIT_STOP);
                return;
            }
            List<Long> plugins = activePlugins().stream().map(d -> d.id).toList();
            poller.stop();
            List<EccRecord> queued = dispatcher.takeBackQueued();
            try {
                upgrade.journal().write(queued);
            } catch (IOException e) {
                LOG.warn("Cannot journal {} queued records ({}); they run before the restart", queued.size(),
                        e.getMessage());
                queued.forEach(dispatcher::dispatch);
            }
            if (!dispatcher.awaitIdle(UpgradeCoordinator.WORK_GRACE.toMillis())) {
                LOG.warn("Running work did not finish within {} s before the restart; the instance hands it out again "
                        + "after its lease", UpgradeCoordinator.WORK_GRACE.toSeconds());
            }
            if (action == SystemCommandResponder.Action.RESTART_IN_PLACE) {
                LOG.info("Restarting the core and {} plug-ins in place ({} queued records journaled)", plugins.size(),
                        queued.size());
                l.restartInPlace(plugins);
            } else {
                LOG.info("Ending the process with status {} for its supervisor to start it again ({} queued records "
                        + "journaled)", AgentLifecycle.EXIT_RESTART, queued.size());
                l.stopProcess(AgentLifecycle.EXIT_RESTART);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while carrying out {}", action);
        } catch (RuntimeException e) {
            LOG.error("SystemCommand {} failed", action, e);
        } finally {
            commandUnderWay.set(false);
        }
    }

    /** The running agent and the instance, as the upgrade coordinator sees them. */
    private final class Host implements UpgradeHost {
        @Override
        public void reportStatus(String status, String detail) throws IOException {
            changeStatus(status, detail);
        }

        @Override
        public InstanceInfo instanceInfo() throws IOException {
            try {
                return client.instanceInfo();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the instance version");
            }
        }

        @Override
        public List<InstanceInfo.Core> cores() throws IOException {
            try {
                return client.cores();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while listing the instance's cores");
            }
        }

        @Override
        public void downloadCore(String sha256, java.nio.file.Path target) throws IOException {
            try {
                client.downloadCore(sha256, target);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while downloading core " + sha256);
            }
        }

        @Override
        public List<EccRecord> stopTakingWork() throws InterruptedException {
            poller.stop();
            return dispatcher.takeBackQueued();
        }

        @Override
        public boolean awaitRunningWork(Duration grace) throws InterruptedException {
            return dispatcher.awaitIdle(grace.toMillis());
        }

        @Override
        public void resumeWork() {
            synchronized (AgentRuntime.this) {
                if (started) {
                    poller.start();
                }
            }
        }

        @Override
        public void run(EccRecord record) {
            dispatcher.dispatch(record);
        }
    }

    /**
     * The TLS context trusting MIDWAY_INSTANCE_CERT (when it exists, or once it does) and presenting
     * the client certificate of MIDWAY_AGENT_KEYSTORE; the JDK default when neither is set or they
     * are unusable (then the error is the agent's).
     */
    private SSLContext tls(AgentSettings s) {
        if (!s.instanceUrl().toLowerCase(java.util.Locale.ROOT).contains("https:")) {
            // plain http:// to every node: no trust store is read (the JDK's default context, or
            // one with the instance certificate, costs each start and each upgrade of the core
            // its time), as the client never speaks TLS
            LOG.debug("The instance is reached over plain HTTP: no TLS trust is set up");
            return InstanceTrust.plainHttp();
        }
        if (s.instanceCertificate() == null && s.clientCertificate() == null) {
            return null;
        }
        java.nio.file.Path pem = s.instanceCertificate() != null ? s.instanceCertificate()
                : s.dataDir().resolve("no-instance-certificate.crt");
        try {
            SSLContext context = InstanceTrust.context(pem, s.clientCertificate());
            if (s.instanceCertificate() != null) {
                LOG.info("Trusting the certificates in {}{} for the instance, besides the JDK's authorities",
                        s.instanceCertificate(), java.nio.file.Files.exists(pem) ? "" : " (once it exists)");
            }
            if (s.clientCertificate() != null) {
                LOG.info("Presenting the client certificate in {} to the instance (mutual TLS)",
                        s.clientCertificate().keystore());
            }
            return context;
        } catch (IOException e) {
            String message = "TLS settings not usable, trusting only the JDK's authorities"
                    + (s.clientCertificate() == null ? "" : " and presenting no client certificate") + ": "
                    + e.getMessage();
            LOG.error(message);
            state.error(message);
            return null;
        }
    }

    /**
     * Takes settings from the instance from now on (call before {@link #start()}).
     *
     * @param central where they go
     */
    public synchronized void centralConfiguration(io.midway.agent.internal.config.CentralConfiguration central) {
        ConfigFetcher before = this.config;
        if (before != null) {
            before.stop();
        }
        ConfigFetcher fetcher = central == null ? null : new ConfigFetcher(client, settings.agentName(), central);
        this.config = fetcher;
        poller.configFetcher(fetcher);
        if (started && fetcher != null) {
            fetcher.start();
        }
    }

    /** @return the settings in effect */
    public AgentSettings settings() {
        return settings;
    }

    /**
     * Takes new settings while running, without stopping anything: the pools grow or shrink
     * (threads beyond a smaller size end after their current work), the next polls wait as long as
     * the new setting says, the next posts take the new batch size.
     *
     * @param next the new settings; only {@link AgentSettings#sameConnection same connection} as now
     */
    public synchronized void reconfigure(AgentSettings next) {
        AgentSettings before = settings;
        dispatcher.resize(next);
        poller.pollWaitMs(next.pollWaitMs());
        sender.batchSize(next.resultBatchSize());
        outbox.maxGroup(next.resultBatchSize());
        settings = next;
        LOG.info("Agent '{}' settings changed without a restart: threads {}/{}/{} (interactive/expedited/standard),"
                + " {} queued per thread, poll wait {} ms, result batch {} (were {}/{}/{}, {}, {} ms, {})",
                next.agentName(), next.threadsInteractive(), next.threadsExpedited(), next.threadsStandard(),
                next.queuePerThread(), next.pollWaitMs(), next.resultBatchSize(), before.threadsInteractive(),
                before.threadsExpedited(), before.threadsStandard(), before.queuePerThread(), before.pollWaitMs(),
                before.resultBatchSize());
        ConfigFetcher fetcher = config;
        if (fetcher != null) {
            fetcher.changedLocally();
        }
    }

    /** Starts sending spooled results and connecting to the instance. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        int waiting = spool.count();
        LOG.info("Agent '{}' {} starting: instance {}, user '{}', spool {}{}", settings.agentName(), version,
                settings.instanceUrl(), settings.agentUser(), spool.directory(),
                waiting > 0 ? " (" + waiting + " results waiting to be sent)" : "");
        // crash recovery: before the spool is sent and the journal replayed, what this agent still
        // holds of the records leased to it; its first registration says so
        poller.heldAtStart(heldAtStart());
        // the upgrade thread is there before the identity thread below hands it the upgrade's outcome
        upgrade.start();
        // The agent's own identity is opened with its key (an RSA decryption) on a thread of its
        // own, beside the rest of the start; results are sent once it is there, as this agent (the
        // shared user is refused for an enrolled agent: 403, spooled, backoff), and the poller's
        // registration takes it as it is.
        Thread identity = DaemonThreads.newThread("midway-identity", () -> {
            try {
                poller.applyIdentity();
                // the outcome of an upgrade that brought this core goes out beside the registration
                upgrade.identityReady();
            } catch (RuntimeException e) {
                LOG.warn("Cannot load the agent's identity: {}", e.toString());
            } finally {
                identityLoaded.countDown();
            }
            synchronized (AgentRuntime.this) {
                if (started) {
                    sender.start();
                }
            }
        });
        identity.start();
        outbox.start();
        if (fileSyncer != null) {
            fileSyncer.start();
        }
        if (deployFolder != null) {
            deployFolder.start();
        }
        upgrade.journal().replay(dispatcher::dispatch);
        credentials.start();
        ConfigFetcher fetcher = config;
        if (fetcher != null) {
            fetcher.start();
        }
        poller.start();
    }

    /**
     * Opens the way to the instance while the framework still starts the protocols and probes (on
     * a thread of its own, before {@link #start()}): the HTTP client, TLS and JSON classes load and
     * the connection is made beside the framework's start instead of after it, so the registration
     * that follows finds them ready. What it asks ({@code GET /api/mid/instance_info}, public) is
     * only a look; a failure is left to the registration to report.
     */
    public void prepare() {
        Thread t = DaemonThreads.newThread("midway-prepare", () -> {
            try {
                client.instanceInfo();
            } catch (IOException | RuntimeException e) {
                LOG.debug("The instance did not answer the look before the start: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
    }

    /**
     * The records leased to this agent that it still holds at its start and will answer: those
     * journaled (queued when the core stopped) and those answered in the spool and not delivered.
     *
     * @return their sys_ids, or {@code null} when they cannot be known (the instance then changes
     *     no lease, and what the agent lost waits for its lease)
     */
    private List<String> heldAtStart() {
        try {
            java.util.LinkedHashSet<String> held = new java.util.LinkedHashSet<>(upgrade.journal().sysIds());
            held.addAll(spool.responseTos());
            if (held.size() > MAX_HELD_REPORTED) {
                LOG.warn("{} leased records are held in the journal and spool: too many to name at registration; the "
                        + "instance hands out what this agent lost after its lease", held.size());
                return null;
            }
            return List.copyOf(held);
        } catch (IOException e) {
            LOG.warn("Cannot read the spool {} ({}); the instance hands out what this agent lost after its lease",
                    spool.directory(), e.getMessage());
            return null;
        }
    }

    /** The agent's own identity on the instance, in its data folder. */
    private final AgentIdentity identityFile;

    /** Counted down once the poller's client carries the agent's own identity (or has none to load). */
    private final java.util.concurrent.CountDownLatch identityLoaded = new java.util.concurrent.CountDownLatch(1);

    /** The outbox's delivery: waits (a few seconds at most) for the agent's identity, then sends. */
    private boolean deliverAsThisAgent(List<InputRecord> group) throws InterruptedException {
        if (!identityLoaded.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
            LOG.debug("The agent's identity is not loaded after 10 s; sending results anyway");
        }
        return sender.sendNow(group);
    }

    /** The most held records a registration names (about 4 MB of sys_ids). */
    private static final int MAX_HELD_REPORTED = 100_000;

    /**
     * Stops polling, lets running work finish within the grace time, sends what it can, and keeps
     * the rest spooled for the next start.
     */
    public synchronized void stop() {
        stop(false);
    }

    /**
     * Stops polling, lets running work finish for a few seconds, sends what it can, keeps the rest
     * spooled for the next start; when the agent is leaving (its process or framework stops, not
     * an upgrade or an in-place restart), tells the instance it is Down, as the MID Server does when
     * it is stopped, so that its cluster takes over at once instead of after the heartbeat timeout.
     *
     * @param leaving whether the agent goes away
     */
    public synchronized void stop(boolean leaving) {
        if (!started) {
            return;
        }
        started = false;
        // DEBUG "Stop step" lines time each step (an upgrade's pause includes them)
        LOG.debug("Stop step: stopping the upgrade thread");
        upgrade.stop();
        try {
            LOG.debug("Stop step: stopping the poller");
            poller.stop();
            credentials.stop();
            ConfigFetcher fetcher = config;
            if (fetcher != null) {
                fetcher.stop();
            }
            LOG.debug("Stop step: stopping the deploy folder and file sync");
            if (deployFolder != null) {
                deployFolder.stop();
            }
            if (fileSyncer != null) {
                fileSyncer.stop();
            }
            LOG.debug("Stop step: letting running work finish");
            dispatcher.shutdown(timings.shutdownGrace().toMillis());
            LOG.debug("Stop step: sending or spooling the results in the outbox");
            outbox.stop();
            LOG.debug("Stop step: draining the result sender");
            sender.stop(Duration.ofSeconds(2));
            identityFile.awaitKept(30_000);
            if (leaving && AgentRecord.STATUS_UP.equals(state.agentStatus())) {
                try {
                    changeStatus(AgentRecord.STATUS_DOWN, "stopped");
                } catch (IOException e) {
                    LOG.warn("Cannot tell the instance the agent stops ({}); it marks it Down when its heartbeats stop",
                            e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while stopping; unsent results stay spooled");
        }
        state.connection(AgentState.STOPPED);
        int left = spool.count();
        LOG.info("Agent '{}' stopped{}", settings.agentName(),
                left > 0 ? "; " + left + " results stay spooled for the next start" : "");
    }

    /**
     * A probe service arrived or its properties changed.
     *
     * @param probe the service
     * @param properties its service properties
     */
    public void addProbe(Probe probe, Map<String, ?> properties) {
        probes.add(probe, properties);
    }

    /**
     * A probe service went away.
     *
     * @param probe the service
     * @param properties its service properties
     */
    public void removeProbe(Probe probe, Map<String, ?> properties) {
        probes.remove(probe, properties);
    }

    /**
     * A protocol service arrived or its properties changed; the instance hears of new capabilities.
     *
     * @param protocol the service
     * @param properties its service properties
     */
    public void addProtocol(Protocol protocol, Map<String, ?> properties) {
        if (protocols.add(protocol, properties)) {
            LOG.info("Capabilities are now {}", protocols.names());
            poller.capabilitiesChanged();
        }
    }

    /**
     * A protocol service went away; the instance hears of the capabilities left.
     *
     * @param protocol the service
     * @param properties its service properties
     */
    public void removeProtocol(Protocol protocol, Map<String, ?> properties) {
        if (protocols.remove(protocol, properties)) {
            LOG.info("Capabilities are now {}", protocols.names());
            poller.capabilitiesChanged();
        }
    }

    /** @return the capabilities advertised: the installed protocols' names, sorted */
    public List<String> capabilities() {
        return protocols.names();
    }

    /**
     * Applies the instance's file-sync snapshot now, after a sync already running, and waits.
     *
     * @param progress told one line per file as each is done
     * @return what was done
     * @throws IOException when the instance cannot be reached, or this agent has no file sync
     */
    public SyncResultDTO sync(Consumer<String> progress) throws IOException {
        if (fileSyncer == null) {
            throw new IOException("file sync is not available in this agent");
        }
        return fileSyncer.syncNow(progress);
    }

    /** @return the result spool folder */
    public Path spoolDirectory() {
        return settings.spoolDir();
    }

    /** @return file sync's jar cache folder */
    public Path jarCacheDirectory() {
        return settings.syncDir().resolve("files");
    }

    /** @return the hashes of the cached jars file sync needs, or empty while that is not known */
    public java.util.Optional<java.util.Set<String>> cachedJarsInUse() {
        return fileSyncer == null ? java.util.Optional.empty() : fileSyncer.cachedJarsInUse();
    }

    /** @return the plug-in bundles (sync, deploy/, shipped plug-ins), sorted by symbolic name */
    public PluginBundleDTO[] bundles() {
        return pluginBundles == null ? new PluginBundleDTO[0] : pluginBundles.list();
    }

    /** @return a snapshot of the agent's state */
    public AgentStatusDTO status() {
        AgentStatusDTO dto = new AgentStatusDTO();
        dto.name = settings.agentName();
        dto.version = version;
        // The node in use; with several, which ones there are.
        dto.instanceUrl = client.baseUrls().size() < 2 ? client.baseUrl()
                : client.baseUrl() + " (nodes: " + String.join(", ", client.baseUrls()) + ")";
        dto.connection = state.connection();
        dto.status = state.agentStatus();
        dto.validated = state.validated();
        Instant contact = state.lastContact();
        dto.lastContact = contact == null ? null : contact.truncatedTo(ChronoUnit.SECONDS).toString();
        dto.lastError = state.lastError();
        dto.probes = probes.topics().toArray(String[]::new);
        dto.pools = dispatcher.snapshot();
        dto.spooled = outbox.pendingAndSpooled(spool::count);
        dto.processed = state.processed();
        dto.failed = state.failed();
        dto.capabilities = protocols.names().toArray(String[]::new);
        if (fileSyncer != null) {
            dto.syncRevision = fileSyncer.appliedRevision();
            dto.syncState = fileSyncer.syncState();
            dto.lastSync = fileSyncer.lastResult();
        }
        if (deployFolder != null) {
            dto.deployDir = deployFolder.directory().toString();
        }
        return dto;
    }

    /**
     * Asks the instance to pause this agent.
     *
     * @throws IOException when the instance cannot be reached or refuses
     */
    public void pause() throws IOException {
        changeStatus(AgentRecord.STATUS_PAUSED);
    }

    /**
     * Asks the instance to resume this agent.
     *
     * @throws IOException when the instance cannot be reached or refuses
     */
    public void resume() throws IOException {
        changeStatus(AgentRecord.STATUS_UP);
    }

    /** @return the core's upgrade state */
    public UpgradeStatusDTO upgradeStatus() {
        return upgrade.status();
    }

    /**
     * Checks now whether the instance offers another core version, and starts the upgrade if so.
     *
     * @return the state after the check
     * @throws IOException when the instance cannot be reached
     */
    public UpgradeStatusDTO checkForUpgrade() throws IOException {
        return upgrade.checkNow();
    }

    private void changeStatus(String status) throws IOException {
        changeStatus(status, null);
    }

    private void changeStatus(String status, String detail) throws IOException {
        try {
            client.changeStatus(new StatusChange(settings.agentName(), status, detail));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while asking instance " + settings.instanceUrl()
                    + " to set status " + status);
        }
        state.agentStatus(status);
        state.contact();
        LOG.info("Instance {} set agent '{}' to {}", settings.instanceUrl(), settings.agentName(), status);
    }

    /**
     * Hands a result to the outbox and counts it. Runs on worker threads, which go on at once: the
     * outbox sends the results that arrive together in one request, or spools them in one file.
     */
    private void spoolResult(InputRecord result) {
        SystemCommandResponder.Action action = pendingCommands.remove(result.responseTo());
        if (action != null && !EccRecord.STATE_ERROR.equals(result.state())) {
            answerThenAct(result, action);
            return;
        }
        if (action != null) {
            commandUnderWay.set(false);
        }
        boolean success = !EccRecord.STATE_ERROR.equals(result.state());
        state.countResult(success);
        credentials.workDone();
        try {
            outbox.submit(result);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spoolFailed(List.of(result), new IOException("interrupted while waiting for room in the result outbox"));
        }
    }

    /** A group of results could not be written: the instance hands their records out again after the lease. */
    private void spoolFailed(List<InputRecord> results, IOException e) {
        String first = results.get(0).responseTo();
        String message = "cannot spool " + (results.size() == 1 ? "the result for record " + first
                : results.size() + " results (the first for record " + first + ")") + " to " + spool.directory()
                + ": " + e.getMessage() + "; the instance hands the record" + (results.size() == 1 ? "" : "s")
                + " out again after its lease";
        LOG.error(message, e);
        state.error(message);
    }
}
