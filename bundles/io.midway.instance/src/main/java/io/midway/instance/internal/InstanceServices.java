package io.midway.instance.internal;

import java.time.Clock;

import io.midway.instance.store.InstanceStore;

/**
 * The instance's services wired by hand, outside OSGi, as Declarative Services wires them in the
 * framework: one {@link InstanceCore} over a store and the services over it. For tests and
 * benchmarks that drive the services without HTTP; the heartbeat monitor and the lease reaper
 * run only when called.
 */
public final class InstanceServices implements AutoCloseable {

    private final InstanceCore core;
    private final AgentService agents;
    private final PollService polls;
    private final OutputService outputs;
    private final ClusterService clusters;
    private final AgentSettingService agentSettings;
    private final SelectionService selection;
    private final EventService events;
    private final HeartbeatMonitor heartbeats;
    private final LeaseReaper leases;

    /**
     * @param store the open store; closed by {@link #close()}
     * @param settings the settings
     * @param clock the time source
     */
    public InstanceServices(InstanceStore store, InstanceSettings settings, Clock clock) {
        this.core = new InstanceCore(store, settings, clock);
        this.agents = new AgentService(core);
        this.polls = new PollService(core);
        this.outputs = new OutputService(core);
        this.clusters = new ClusterService(core);
        this.agentSettings = new AgentSettingService(core);
        this.selection = new SelectionService(core);
        this.events = new EventService(core);
        this.heartbeats = new HeartbeatMonitor(core, null, false);
        this.leases = new LeaseReaper(core, null, false);
    }

    /** @return the core: store, writer, settings, revisions */
    public InstanceCore core() {
        return core;
    }

    /** @return the agent registry */
    public AgentService agents() {
        return agents;
    }

    /** @return agents' polls and results */
    public PollService polls() {
        return polls;
    }

    /** @return the ECC queue's outputs and reads */
    public OutputService outputs() {
        return outputs;
    }

    /** @return the agent clusters */
    public ClusterService clusters() {
        return clusters;
    }

    /** @return the agent properties and configuration parameters */
    public AgentSettingService agentSettings() {
        return agentSettings;
    }

    /** @return the agent selection */
    public SelectionService selection() {
        return selection;
    }

    /** @return the events */
    public EventService events() {
        return events;
    }

    /** @return the heartbeat monitor, unscheduled */
    public HeartbeatMonitor heartbeats() {
        return heartbeats;
    }

    /** @return the lease reaper, unscheduled */
    public LeaseReaper leases() {
        return leases;
    }

    /** Stops the services and closes the store. */
    @Override
    public void close() {
        heartbeats.stop();
        leases.stop();
        polls.close();
        core.close();
    }
}
