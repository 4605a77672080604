package io.midway.agent.internal;

import java.io.IOException;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.probe.Probe;

/**
 * The agent core as a DS component: reads the configuration and the framework properties, runs
 * an {@link AgentRuntime}, collects probe services by whiteboard, and offers the {@link MidAgent}
 * service. A configuration change reactivates it with the new settings.
 */
@Component(service = MidAgent.class, immediate = true, configurationPid = AgentConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = AgentConfiguration.class)
public class AgentCore implements MidAgent {

    private final AgentRuntime runtime;

    /**
     * Prepares the agent. Probes are bound after this and before {@link #start()}, so the first
     * record already finds them.
     *
     * @param config the configuration
     * @param context the bundle context, for framework properties and the core's version
     * @throws IOException when the spool directory cannot be created
     */
    @Activate
    public AgentCore(AgentConfiguration config, BundleContext context) throws IOException {
        AgentSettings settings = AgentSettings.from(config, context::getProperty, HostIdentity.hostName());
        this.runtime = new AgentRuntime(settings, context.getBundle().getVersion().toString(), AgentTimings.DEFAULT);
    }

    /** Connects to the instance, once the probes present are bound. */
    @Activate
    void start() {
        runtime.start();
    }

    /** Stops polling, lets running work finish for a few seconds, keeps the spool. */
    @Deactivate
    void stop() {
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
}
