package io.midway.agent.upgrader.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;

/**
 * Judges whether the core bundle is healthy by the core itself, never by reaching the instance:
 * ACTIVE at the expected version, none of its DS components failed and those active before the
 * upgrade are active again, its {@link MidAgent} service can really be obtained (which forces a
 * delayed or failing component to show itself, TOOLCHAIN #16), its own status answers with a
 * running runtime, and the probes and protocols bound before the upgrade are bound again. An
 * instance that is away does not count against the core: its poller reconnects with the usual
 * backoff.
 */
final class CoreHealthCheck {

    /** {@link AgentStatusDTO#connection} of a core whose runtime does not run. */
    static final String STOPPED = "stopped";

    /**
     * What the old core had before the upgrade, to find again in the new one.
     *
     * @param components names of the core's DS components that were satisfied or active
     * @param probes probe topics bound
     * @param capabilities protocols bound
     */
    record Baseline(Set<String> components, Set<String> probes, Set<String> capabilities) {
        /** Nothing to compare (after a restart of the JVM). */
        static final Baseline NONE = new Baseline(Set.of(), Set.of(), Set.of());
    }

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
     * @param before what it must have again
     * @param timeout how long to wait
     * @return {@code null} when healthy, else what was wrong at the end
     * @throws InterruptedException when interrupted while waiting
     */
    String await(Bundle core, String version, Baseline before, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // checked again at each service or bundle event (a service registered, a component's
        // reference bound), not on a fixed interval; STEP_MILLIS only catches what has no event
        long[] events = {0};
        ServiceListener onService = event -> signal(events);
        BundleListener onBundle = event -> signal(events);
        boolean listening = listen(onService, onBundle);
        try {
            while (true) {
                long seen;
                synchronized (events) {
                    seen = events[0];
                }
                String problem = check(core, version, before);
                if (problem == null) {
                    return null;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return problem;
                }
                synchronized (events) {
                    if (events[0] == seen) {
                        TimeUnit.NANOSECONDS.timedWait(events,
                                Math.min(left, TimeUnit.MILLISECONDS.toNanos(STEP_MILLIS)));
                    }
                }
            }
        } finally {
            if (listening) {
                try {
                    context.removeServiceListener(onService);
                    context.removeBundleListener(onBundle);
                } catch (IllegalStateException e) {
                    // our context is gone: the upgrader is stopping
                }
            }
        }
    }

    private static void signal(long[] events) {
        synchronized (events) {
            events[0]++;
            events.notifyAll();
        }
    }

    private boolean listen(ServiceListener onService, BundleListener onBundle) {
        try {
            context.addServiceListener(onService);
            context.addBundleListener(onBundle);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /**
     * Takes what the running core has, before it is replaced.
     *
     * @param core the core bundle
     * @return its active components, probes and protocols (empty sets for what cannot be read)
     */
    Baseline baseline(Bundle core) {
        Set<String> components = new TreeSet<>();
        ServiceReference<ServiceComponentRuntime> scrRef = scrReference();
        if (scrRef != null) {
            ServiceComponentRuntime scr = context.getService(scrRef);
            try {
                if (scr != null) {
                    for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(core)) {
                        for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                            if (c.state == ComponentConfigurationDTO.ACTIVE
                                    || c.state == ComponentConfigurationDTO.SATISFIED) {
                                components.add(d.name);
                            }
                        }
                    }
                }
            } finally {
                context.ungetService(scrRef);
            }
        }
        Set<String> probes = new TreeSet<>();
        Set<String> capabilities = new TreeSet<>();
        ServiceReference<?> reference = midAgentReference(core);
        if (reference != null) {
            Object service = context.getService(reference);
            try {
                if (service instanceof MidAgent agent) {
                    AgentStatusDTO status = agent.status();
                    if (status.probes != null) {
                        probes.addAll(Arrays.asList(status.probes));
                    }
                    if (status.capabilities != null) {
                        capabilities.addAll(Arrays.asList(status.capabilities));
                    }
                }
            } catch (RuntimeException e) {
                // the old core cannot say: nothing to compare
            } finally {
                context.ungetService(reference);
            }
        }
        return new Baseline(components, probes, capabilities);
    }

    /**
     * @param core the core bundle
     * @param version the version it must run
     * @param before what it must have again
     * @return {@code null} when healthy, else what is wrong
     */
    String check(Bundle core, String version, Baseline before) {
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
        String components = components(core, before.components());
        if (components != null) {
            return components;
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
            AgentStatusDTO status = agent.status();
            if (status == null || STOPPED.equals(status.connection)) {
                return "its runtime does not run (its own status says " + (status == null ? "nothing" : "'"
                        + status.connection + "'") + ")";
            }
            Set<String> probes = missing(before.probes(), status.probes);
            if (!probes.isEmpty()) {
                return "probes bound before the upgrade are not bound again: " + String.join(", ", probes);
            }
            Set<String> protocols = missing(before.capabilities(), status.capabilities);
            if (!protocols.isEmpty()) {
                return "protocols bound before the upgrade are not bound again: " + String.join(", ", protocols);
            }
            return null;
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

    /** @return a component of the core that failed, or one active before that is not now; else {@code null} */
    private String components(Bundle core, Set<String> before) {
        ServiceReference<ServiceComponentRuntime> scrRef = scrReference();
        if (scrRef == null) {
            return null;
        }
        ServiceComponentRuntime scr = context.getService(scrRef);
        if (scr == null) {
            return null;
        }
        try {
            Set<String> up = new TreeSet<>();
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(core)) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        return "its component " + d.name + " failed to activate"
                                + (c.failure == null ? "" : ": " + firstLine(c.failure));
                    }
                    if (c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED) {
                        up.add(d.name);
                    }
                }
            }
            Set<String> notUp = new TreeSet<>(before);
            notUp.removeAll(up);
            return notUp.isEmpty() ? null : "its components active before the upgrade are not active again: "
                    + String.join(", ", notUp);
        } catch (RuntimeException e) {
            return "its components cannot be read: " + e;
        } finally {
            try {
                context.ungetService(scrRef);
            } catch (IllegalStateException e) {
                // our context is gone: the upgrader is stopping
            }
        }
    }

    private ServiceReference<ServiceComponentRuntime> scrReference() {
        try {
            return context.getServiceReference(ServiceComponentRuntime.class);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static Set<String> missing(Set<String> before, String[] now) {
        Set<String> missing = new TreeSet<>(before);
        if (now != null) {
            missing.removeAll(Arrays.asList(now));
        }
        return missing;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).trim();
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
