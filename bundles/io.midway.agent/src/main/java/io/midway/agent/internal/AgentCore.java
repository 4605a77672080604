package io.midway.agent.internal;

import io.midway.agent.internal.signing.AgentSigning;
import io.midway.agent.internal.signing.ConsoleInstallGuard;
import io.midway.agent.internal.lifecycle.FrameworkLifecycle;
import io.midway.agent.internal.lifecycle.FrameworkStartGate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

import io.midway.agent.internal.cleaner.FilesInUse;
import io.midway.agent.internal.config.CentralConfiguration;
import io.midway.agent.internal.config.EffectiveConfiguration;
import io.midway.agent.internal.sync.BundleOrigins;
import io.midway.agent.internal.sync.OsgiPluginFramework;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.SettingDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.probe.Probe;
import io.midway.api.protocol.Protocol;
import io.midway.api.upgrade.CoreUpgrader;
import io.midway.api.credential.store.CredentialStore;
import io.midway.agent.internal.upgrade.UpgradeCoordinator;

/**
 * The agent core as a DS component: reads the configuration and the framework properties, runs
 * an {@link AgentRuntime} with file sync over the running framework, collects probe and protocol
 * services by whiteboard, and offers the {@link MidAgent} service. A configuration change (from
 * the {@code etc/} file, the Web Console or the instance) applies without a restart: pool sizes,
 * poll wait and batch size to the running agent; a new instance URL, name, user, password or
 * folder by starting the agent runtime again in place (spooled results kept).
 */
@Component(service = {MidAgent.class, FileSyncControl.class, FilesInUse.class}, immediate = true,
        configurationPid = AgentConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
// No @Designate: AgentMetaTypeProvider serves the MetaType of this pid, marking what the environment overrides.
public class AgentCore implements MidAgent, FileSyncControl, FilesInUse {

    /** Framework property: the distribution folder; bundles under its {@code system/} are shipped ones. */
    public static final String HOME_PROPERTY = "midway.home";
    /** Framework property: the agent's deploy folder (the launcher sets it: MIDWAY_DEPLOY, else per data folder). */
    public static final String DEPLOY_PROPERTY = "midway.deploy";

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentCore.class);

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final AgentSigning signing;
    /** Refuses bundles installed from the Web Console or the shell that are not signed as required. */
    private final ConsoleInstallGuard installGuard;
    /**
     * The settings from the instance (this bundle's Config Admin plugin), or {@code null} without
     * Config Admin. Dynamic: the core never activates twice because the plugin came after it (as
     * it does after an in-place upgrade).
     */
    private volatile CentralConfiguration central;
    private final Object lock = new Object();
    /** The running agent; replaced when a change of connection settings starts it again. */
    private volatile AgentRuntime runtime;
    /** Whether the framework has started and the runtime with it (guarded by lock). */
    private boolean running;
    /** The probes and protocols bound now, for a runtime started again (guarded by lock). */
    private final Map<Probe, Map<String, Object>> probes = new java.util.IdentityHashMap<>();
    private final Map<Protocol, Map<String, Object>> protocols = new java.util.IdentityHashMap<>();
    private volatile CoreUpgrader upgrader;
    /** The agent's key and credentials (bundle io.midway.credential.store): the agent needs it to start. */
    private final CredentialStore credentialStore;
    /** How long the agent waits for the framework to start its bundles before taking work anyway. */
    static final java.time.Duration FRAMEWORK_START_LIMIT = java.time.Duration.ofSeconds(60);
    private final FrameworkStartGate startGate;
    /** The settings in effect and their sources, as of the last configuration. */
    private volatile SettingDTO[] configuration;

    /**
     * Prepares the agent. Probes and protocols are bound after this and before {@link #start()},
     * so the first record already finds them and the first registration carries the capabilities.
     * The configuration's properties tell where each setting came from ({@link #configuration()}).
     *
     * @param config the configuration
     * @param properties the component properties (the configuration's, when there is one)
     * @param context the bundle context, for framework properties, the core's version and bundles
     * @param scr the Declarative Services runtime, for the health check of synced bundles
     * @param credentialStore the agent's key and credentials; also decrypts an {@code encrypted:} password
     * @param signing whether plug-ins and cores must be signed, and by whom
     * @throws IOException when the spool directory cannot be created
     */
    @Activate
    public AgentCore(AgentConfiguration config, Map<String, Object> properties, BundleContext context,
            @Reference(name = "scr") ServiceComponentRuntime scr,
            @Reference(name = "credentialStore") CredentialStore credentialStore,
            @Reference(name = "signing") AgentSigning signing) throws IOException {
        this.credentialStore = credentialStore;
        this.context = context;
        this.scr = scr;
        this.signing = signing;
        AgentSettings settings = settings(config);
        this.configuration = describe(properties, settings);
        this.startGate = new FrameworkStartGate(context);
        this.installGuard = new ConsoleInstallGuard(context, origins(context), signing);
        this.runtime = newRuntime(settings);
        installGuard.open();
    }

    private AgentSettings settings(AgentConfiguration config) {
        return AgentSettings.from(config, context::getProperty, HostIdentity.hostName(), credentialStore::decrypt);
    }

    private SettingDTO[] describe(Map<String, Object> properties, AgentSettings settings) {
        String home = context.getProperty(HOME_PROPERTY);
        return new EffectiveConfiguration(properties, context::getProperty, System::getenv,
                home == null || home.isBlank() ? null : Path.of(home.trim()))
                .fromInstance(central == null ? Map.of() : central.values()).describe(settings);
    }

    private AgentRuntime newRuntime(AgentSettings settings) throws IOException {
        BundleOrigins origins = origins(context);
        OsgiPluginFramework framework = new OsgiPluginFramework(context, scr, origins, signing);
        AgentRuntime made = new AgentRuntime(settings, context.getBundle().getVersion().toString(),
                AgentTimings.DEFAULT, framework, () -> upgrader, UpgradeCoordinator.WORK_GRACE, () -> credentialStore,
                origins.deployDir());
        made.centralConfiguration(central);
        made.lifecycle(new FrameworkLifecycle(context));
        made.signing(signing);
        made.refusedBundles(installGuard::refusals);
        return made;
    }

    /**
     * A configuration change, from the {@code etc/} file, the Web Console or the instance: applied
     * to the running agent when it keeps its connection, else by starting the runtime again in
     * place (the spool, the journal and the bundles stay; the JVM and the framework keep running).
     *
     * @param config the new configuration
     * @param properties its properties
     * @throws IOException when a new runtime cannot create its spool directory
     */
    @Modified
    void modified(AgentConfiguration config, Map<String, Object> properties) throws IOException {
        AgentSettings next = settings(config);
        this.configuration = describe(properties, next);
        synchronized (lock) {
            AgentRuntime current = runtime;
            if (next.sameConnection(current.settings())) {
                if (!next.equals(current.settings())) {
                    current.reconfigure(next);
                }
                return;
            }
            LOG.info("The agent's connection settings changed (instance, name, user, password or folders):"
                    + " starting the agent runtime again in place");
            current.stop();
            AgentRuntime fresh = newRuntime(next);
            probes.forEach(fresh::addProbe);
            protocols.forEach(fresh::addProtocol);
            runtime = fresh;
            if (running) {
                fresh.start();
            }
        }
    }

    /**
     * @param context the core's context
     * @return how to tell a bundle's origin from the framework properties
     */
    static BundleOrigins origins(BundleContext context) {
        String home = context.getProperty(HOME_PROPERTY);
        String deploy = context.getProperty(DEPLOY_PROPERTY);
        return new BundleOrigins(home == null || home.isBlank() ? null : Path.of(home.trim()),
                deploy == null || deploy.isBlank() ? null : Path.of(deploy.trim()));
    }

    /**
     * Connects to the instance once the framework has started every bundle (at once when it already
     * has, as after an upgrade of the core), so that the first records find every probe installed.
     */
    @Activate
    void start() {
        synchronized (lock) {
            if (!startGate.started()) {
                runtime.prepare();
            }
        }
        startGate.whenStarted(FRAMEWORK_START_LIMIT, () -> {
            synchronized (lock) {
                running = true;
                runtime.start();
            }
        });
    }

    /** Stops polling and syncing, lets running work finish for a few seconds, keeps the spool. */
    @Deactivate
    void stop() {
        startGate.close();
        installGuard.close();
        // the framework stops (the process ends): the agent leaves, and says so to the instance;
        // an upgrade or an in-place restart stops the core with the framework running
        org.osgi.framework.Bundle system = context.getBundle(org.osgi.framework.Constants.SYSTEM_BUNDLE_ID);
        boolean leaving = system != null && system.getState() == org.osgi.framework.Bundle.STOPPING;
        synchronized (lock) {
            running = false;
            runtime.stop(leaving);
        }
    }

    @Reference(name = "probes", service = Probe.class, policy = ReferencePolicy.DYNAMIC,
            cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeProbe", updated = "updateProbe")
    void addProbe(Probe probe, Map<String, Object> properties) {
        synchronized (lock) {
            probes.put(probe, properties);
            runtime.addProbe(probe, properties);
        }
    }

    void updateProbe(Probe probe, Map<String, Object> properties) {
        addProbe(probe, properties);
    }

    void removeProbe(Probe probe, Map<String, Object> properties) {
        synchronized (lock) {
            probes.remove(probe);
            runtime.removeProbe(probe, properties);
        }
    }

    /**
     * The settings from the instance arrive (at once when the plugin was there first).
     *
     * @param service the plugin's service
     */
    @Reference(name = "central", service = CentralConfiguration.class, policy = ReferencePolicy.DYNAMIC,
            cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetCentral")
    void setCentral(CentralConfiguration service) {
        synchronized (lock) {
            central = service;
            runtime.centralConfiguration(service);
        }
    }

    void unsetCentral(CentralConfiguration service) {
        synchronized (lock) {
            if (central == service) {
                central = null;
                runtime.centralConfiguration(null);
            }
        }
    }

    /**
     * The upgrader of the {@code io.midway.agent.upgrader} bundle, when it runs.
     *
     * @param service the upgrader
     */
    @Reference(name = "upgrader", service = CoreUpgrader.class, policy = ReferencePolicy.DYNAMIC,
            cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unsetUpgrader")
    void setUpgrader(CoreUpgrader service) {
        upgrader = service;
    }

    void unsetUpgrader(CoreUpgrader service) {
        if (upgrader == service) {
            upgrader = null;
        }
    }

    @Reference(name = "protocols", service = Protocol.class, policy = ReferencePolicy.DYNAMIC,
            cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeProtocol", updated = "updateProtocol")
    void addProtocol(Protocol protocol, Map<String, Object> properties) {
        synchronized (lock) {
            protocols.put(protocol, properties);
            runtime.addProtocol(protocol, properties);
        }
    }

    void updateProtocol(Protocol protocol, Map<String, Object> properties) {
        addProtocol(protocol, properties);
    }

    void removeProtocol(Protocol protocol, Map<String, Object> properties) {
        synchronized (lock) {
            protocols.remove(protocol);
            runtime.removeProtocol(protocol, properties);
        }
    }

    @Override
    public AgentStatusDTO status() {
        return runtime.status();
    }

    @Override
    public void pause() throws IOException {
        runtime.pause();
    }

    @Override
    public void resume() throws IOException {
        runtime.resume();
    }

    @Override
    public SyncResultDTO sync() throws IOException {
        return runtime.sync(line -> { });
    }

    @Override
    public SyncResultDTO sync(Consumer<String> progress) throws IOException {
        return runtime.sync(progress);
    }

    @Override
    public PluginBundleDTO[] bundles() {
        return runtime.bundles();
    }

    @Override
    public Path spoolDirectory() {
        return runtime.spoolDirectory();
    }

    @Override
    public Path jarCacheDirectory() {
        return runtime.jarCacheDirectory();
    }

    @Override
    public java.util.Optional<java.util.Set<String>> cachedJarsInUse() {
        return runtime.cachedJarsInUse();
    }

    @Override
    public UpgradeStatusDTO upgradeStatus() {
        return runtime.upgradeStatus();
    }

    @Override
    public UpgradeStatusDTO checkForUpgrade() throws IOException {
        return runtime.checkForUpgrade();
    }

    @Override
    public SettingDTO[] configuration() {
        SettingDTO[] base = configuration;
        java.util.List<SettingDTO> copy = new java.util.ArrayList<>();
        for (SettingDTO s : base) {
            SettingDTO c = new SettingDTO();
            c.key = s.key;
            c.label = s.label;
            c.value = s.value;
            c.source = s.source;
            c.origin = s.origin;
            c.overridden = s.overridden;
            c.secret = s.secret;
            copy.add(c);
        }
        if (central != null) {
            // the other components' settings of the catalog (protocols, probes, File Cleaner)
            for (io.midway.wire.AgentConfigSnapshot.Setting s : central.effective()) {
                io.midway.wire.AgentSettingSpec spec = io.midway.wire.AgentSettingCatalog.find(s.name()).orElseThrow();
                if (spec.pid().equals(AgentConfiguration.PID)) {
                    continue;
                }
                SettingDTO c = new SettingDTO();
                c.key = s.name();
                c.label = spec.description();
                c.value = s.value();
                c.source = s.source();
                c.origin = EffectiveConfiguration.origin(s.source(), spec.pid(), central.revision());
                c.secret = spec.key().contains("password");
                copy.add(c);
            }
        }
        return copy.toArray(SettingDTO[]::new);
    }
}
