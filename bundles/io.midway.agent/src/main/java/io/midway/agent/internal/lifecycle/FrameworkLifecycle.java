package io.midway.agent.internal.lifecycle;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the core and the plug-in bundles, or stops the framework, for the instance's
 * {@code SystemCommand}. Runs on a thread of the core that nothing joins (TOOLCHAIN #15): stopping
 * the core deactivates it (the agent stops and spools), its classes stay loadable while it is
 * resolved, and the {@link Bundle} objects taken before the stop still start the bundles. Starts
 * and stops are transient, so the bundles' persistent state (what starts at the next launch) is
 * left as it was.
 */
public final class FrameworkLifecycle implements AgentLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(FrameworkLifecycle.class);

    private final Bundle core;
    private final Bundle system;
    private final BundleContext context;

    /** @param context the core's bundle context */
    public FrameworkLifecycle(BundleContext context) {
        this.context = context;
        this.core = context.getBundle();
        this.system = context.getBundle(0);
    }

    @Override
    public void restartInPlace(List<Long> plugins) {
        List<Bundle> bundles = new ArrayList<>();
        for (long id : plugins) {
            Bundle b = context.getBundle(id);
            if (b != null && b.getBundleId() != core.getBundleId()) {
                bundles.add(b);
            }
        }
        // The context is no longer valid once the core has stopped: only the Bundle objects are used from here.
        try {
            try {
                core.stop(Bundle.STOP_TRANSIENT);
            } catch (BundleException | IllegalStateException e) {
                LOG.error("Cannot stop the core for the restart: {}", e.getMessage(), e);
                return;
            }
            for (int i = bundles.size() - 1; i >= 0; i--) {
                Bundle b = bundles.get(i);
                try {
                    b.stop(Bundle.STOP_TRANSIENT);
                } catch (BundleException | IllegalStateException e) {
                    LOG.warn("Cannot stop plug-in {} for the restart: {}", b.getSymbolicName(), e.getMessage());
                }
            }
            for (Bundle b : bundles) {
                try {
                    b.start(Bundle.START_TRANSIENT);
                } catch (BundleException | IllegalStateException e) {
                    LOG.error("Plug-in {} did not start again after the restart: {}", b.getSymbolicName(),
                            e.getMessage(), e);
                }
            }
        } finally {
            try {
                if (core.getState() != Bundle.ACTIVE) {
                    core.start(Bundle.START_TRANSIENT);
                }
                LOG.info("Restarted the core and {} plug-ins in place", bundles.size());
            } catch (BundleException | IllegalStateException e) {
                LOG.error("The core did not start again after the restart: {}", e.getMessage(), e);
            }
        }
    }

    @Override
    public void stopProcess(int exitStatus) {
        // The launcher exits with this status once the framework has stopped.
        System.setProperty(EXIT_STATUS_PROPERTY, Integer.toString(exitStatus));
        try {
            system.stop();
        } catch (BundleException e) {
            LOG.error("Cannot stop the framework: {}", e.getMessage(), e);
        }
    }
}
