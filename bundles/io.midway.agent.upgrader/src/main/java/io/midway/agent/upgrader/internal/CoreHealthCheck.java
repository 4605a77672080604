package io.midway.agent.upgrader.internal;

import java.time.Duration;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;

/**
 * Judges whether the core bundle is healthy: ACTIVE at the expected version, its
 * {@link MidAgent} service can really be obtained (which forces a delayed or failing component
 * to show itself, TOOLCHAIN #16), and, when asked, the agent is connected to the instance.
 */
final class CoreHealthCheck {

    /** {@link AgentStatusDTO#connection} of an agent that registered with the instance. */
    static final String CONNECTED = "connected";

    private static final long STEP_MILLIS = 100;

    private final BundleContext context;

    /** @param context the upgrader's context, to obtain the core's service */
    CoreHealthCheck(BundleContext context) {
        this.context = context;
    }

    /**
     * Waits until the core is healthy or the time is up.
     *
     * @param core the core bundle
     * @param version the version it must run
     * @param connected whether it must also be connected to the instance
     * @param timeout how long to wait
     * @return {@code null} when healthy, else what was wrong at the end
     * @throws InterruptedException when interrupted while waiting
     */
    String await(Bundle core, String version, boolean connected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String problem = check(core, version, connected);
            if (problem == null) {
                return null;
            }
            if (System.nanoTime() >= deadline) {
                return problem;
            }
            Thread.sleep(STEP_MILLIS);
        }
    }

    /**
     * @param core the core bundle
     * @param version the version it must run
     * @param connected whether it must be connected
     * @return {@code null} when healthy, else what is wrong
     */
    String check(Bundle core, String version, boolean connected) {
        int state = core.getState();
        if (state == Bundle.UNINSTALLED) {
            return "the core bundle was uninstalled";
        }
        if (!core.getVersion().equals(Version.parseVersion(version))) {
            return "the core bundle runs version " + core.getVersion() + ", not " + version;
        }
        if (state != Bundle.ACTIVE) {
            return "the core bundle is " + stateName(state) + ", not ACTIVE";
        }
        ServiceReference<?> reference = midAgentReference(core);
        if (reference == null) {
            return "the core registers no MidAgent service (its component is not active)";
        }
        Object service;
        try {
            service = context.getService(reference);
        } catch (RuntimeException e) {
            return "its MidAgent service cannot be obtained: " + e;
        }
        if (service == null) {
            return "its MidAgent service cannot be obtained (the component failed to activate)";
        }
        try {
            if (!(service instanceof MidAgent agent)) {
                return "its MidAgent service is of another class space (" + service.getClass().getName() + ")";
            }
            if (!connected) {
                return null;
            }
            AgentStatusDTO status = agent.status();
            if (CONNECTED.equals(status.connection)) {
                return null;
            }
            return "it is not connected to the instance (connection '" + status.connection + "'"
                    + (status.lastError == null ? "" : ", last error: " + status.lastError) + ")";
        } catch (RuntimeException e) {
            return "its MidAgent service failed: " + e;
        } finally {
            try {
                context.ungetService(reference);
            } catch (IllegalStateException e) {
                // our context is gone: the upgrader is stopping
            }
        }
    }

    private static ServiceReference<?> midAgentReference(Bundle core) {
        ServiceReference<?>[] registered;
        try {
            registered = core.getRegisteredServices();
        } catch (IllegalStateException e) {
            return null;
        }
        if (registered == null) {
            return null;
        }
        for (ServiceReference<?> reference : registered) {
            Object classes = reference.getProperty(Constants.OBJECTCLASS);
            if (classes instanceof String[] names) {
                for (String name : names) {
                    if (MidAgent.class.getName().equals(name)) {
                        return reference;
                    }
                }
            }
        }
        return null;
    }

    /**
     * @param state a bundle state
     * @return its name
     */
    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED (not resolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "in state " + state;
        };
    }
}
