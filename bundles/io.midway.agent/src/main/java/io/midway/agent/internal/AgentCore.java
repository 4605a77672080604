package io.midway.agent.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

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
import io.midway.credential.store.CredentialStore;
import io.midway.agent.internal.upgrade.UpgradeCoordinator;

/**
 * The agent core as a DS component: reads the configuration and the framework properties, runs
 * an {@link AgentRuntime} with file sync over the running framework, collects probe and protocol
 * services by whiteboard, and offers the {@link MidAgent} service. A configuration change
 * reactivates it with the new settings.
 */
@Component(service = {MidAgent.class, FileSyncControl.class}, immediate = true,
        configurationPid = AgentConfiguration.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
// No @Designate: AgentMetaTypeProvider serves the MetaType of this pid, marking what the environment overrides.
public class AgentCore implements MidAgent, FileSyncControl {

    /** Framework property: the distribution folder; bundles under its {@code system/} are shipped ones. */
    public static final String HOME_PROPERTY = "midway.home";
    /** Framework property: the agent's deploy folder (the launcher sets it: MIDWAY_DEPLOY, else per data folder). */
    public static final String DEPLOY_PROPERTY = "midway.deploy";

    private final AgentRuntime runtime;
    private volatile CoreUpgrader upgrader;
    /** The agent's key and credentials (bundle io.midway.credential.store): the agent needs it to start. */
    private final CredentialStore credentialStore;
    /** How long the agent waits for the framework to start its bundles before taking work anyway. */
    static final java.time.Duration FRAMEWORK_START_LIMIT = java.time.Duration.ofSeconds(60);
    private final FrameworkStartGate startGate;
    /** The settings in effect and their sources, as of this activation (a change reactivates). */
    private final SettingDTO[] configuration;

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
     * @throws IOException when the spool directory cannot be created
     */
    @Activate
    public AgentCore(AgentConfiguration config, Map<String, Object> properties, BundleContext context,
            @Reference(name = "scr") ServiceComponentRuntime scr,
            @Reference(name = "credentialStore") CredentialStore credentialStore) throws IOException {
        this.credentialStore = credentialStore;
        AgentSettings settings = AgentSettings.from(config, context::getProperty, HostIdentity.hostName(),
                credentialStore::decrypt);
        String home = context.getProperty(HOME_PROPERTY);
        this.configuration = new EffectiveConfiguration(properties, context::getProperty, System::getenv,
                home == null || home.isBlank() ? null : Path.of(home.trim())).describe(settings);
        this.startGate = new FrameworkStartGate(context);
        BundleOrigins origins = origins(context);
        OsgiPluginFramework framework = new OsgiPluginFramework(context, scr, origins);
        this.runtime = new AgentRuntime(settings, context.getBundle().getVersion().toString(), AgentTimings.DEFAULT,
                framework, () -> upgrader, UpgradeCoordinator.WORK_GRACE, () -> credentialStore, origins.deployDir());
        runtime.lifecycle(new FrameworkLifecycle(context));
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
        startGate.whenStarted(FRAMEWORK_START_LIMIT, runtime::start);
    }

    /** Stops polling and syncing, lets running work finish for a few seconds, keeps the spool. */
    @Deactivate
    void stop() {
        startGate.close();
        runtime.stop();
    }

    @Reference(name = "probes", service = Probe.class, policy = ReferencePolicy.DYNAMIC,
            cardinality = ReferenceCardinality.MULTIPLE, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeProbe", updated = "updateProbe")
    void addProbe(Probe probe, Map<String, Object> properties) {
        runtime.addProbe(probe, properties);
    }

    void updateProbe(Probe probe, Map<String, Object> properties) {
        runtime.addProbe(probe, properties);
    }

    void removeProbe(Probe probe, Map<String, Object> properties) {
        runtime.removeProbe(probe, properties);
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
        runtime.addProtocol(protocol, properties);
    }

    void updateProtocol(Protocol protocol, Map<String, Object> properties) {
        runtime.addProtocol(protocol, properties);
    }

    void removeProtocol(Protocol protocol, Map<String, Object> properties) {
        runtime.removeProtocol(protocol, properties);
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
    public UpgradeStatusDTO upgradeStatus() {
        return runtime.upgradeStatus();
    }

    @Override
    public UpgradeStatusDTO checkForUpgrade() throws IOException {
        return runtime.checkForUpgrade();
    }

    @Override
    public SettingDTO[] configuration() {
        SettingDTO[] copy = new SettingDTO[configuration.length];
        for (int i = 0; i < configuration.length; i++) {
            SettingDTO s = configuration[i];
            SettingDTO c = new SettingDTO();
            c.key = s.key;
            c.label = s.label;
            c.value = s.value;
            c.source = s.source;
            c.origin = s.origin;
            c.overridden = s.overridden;
            c.secret = s.secret;
            copy[i] = c;
        }
        return copy;
    }
}
