package io.midway.agent.internal.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Capability;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.signing.ConsoleInstallGuard;
import io.midway.agent.internal.signing.GatedInstalls;
import io.midway.agent.internal.signing.SignatureGate;
import io.midway.signing.JarVerdict;

/**
 * {@link PluginFramework} in the running OSGi framework: installs through the core's bundle
 * context, refreshes with {@link FrameworkWiring}, and judges health with
 * {@link ServiceComponentRuntime} (TOOLCHAIN #16: a delayed component shows
 * {@code FAILED_ACTIVATION} only once its service was requested, so the check requests each).
 */
public final class OsgiPluginFramework implements PluginFramework {

    private static final Logger LOG = LoggerFactory.getLogger(OsgiPluginFramework.class);

    private static final String PROBE_TOPIC = "midway.probe.topic";
    private static final String PROTOCOL_NAME = "midway.protocol";
    private static final String PROBE_SERVICE = "io.midway.api.probe.Probe";
    private static final String PROTOCOL_SERVICE = "io.midway.api.protocol.Protocol";
    private static final String CREDENTIAL_PACKAGE = "io.midway.api.credential.";
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(30);
    private static final long HEALTH_POLL_MS = 25;

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final BundleOrigins origins;
    private final Map<BundleChangeListener, BundleListener> listeners = new ConcurrentHashMap<>();
    private final SignatureGate gate;

    /**
     * @param context the agent core's bundle context; its bundle is never refreshed
     * @param scr the Declarative Services runtime, or {@code null} to check bundle states only
     * @param origins tells where a bundle came from
     */
    public OsgiPluginFramework(BundleContext context, ServiceComponentRuntime scr, BundleOrigins origins) {
        this(context, scr, origins, SignatureGate.OFF);
    }

    /**
     * @param context the agent core's bundle context; its bundle is never refreshed
     * @param scr the Declarative Services runtime, or {@code null} to check bundle states only
     * @param origins tells where a bundle came from
     * @param gate whether a jar may be installed (signatures), asked before every install and update
     */
    public OsgiPluginFramework(BundleContext context, ServiceComponentRuntime scr, BundleOrigins origins,
            SignatureGate gate) {
        this.context = context;
        this.scr = scr;
        this.origins = origins;
        this.gate = gate;
    }

    @Override
    public List<InstalledBundle> bundles() {
        return Arrays.stream(context.getBundles()).map(this::describe).toList();
    }

    private InstalledBundle describe(Bundle b) {
        return new InstalledBundle(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(), b.getLocation(),
                origins.of(b.getLocation()), b.getState(), isFragment(b));
    }

    private static boolean isFragment(Bundle b) {
        return b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    private Bundle bundle(long id) throws SyncFailure {
        Bundle b = context.getBundle(id);
        if (b == null || b.getState() == Bundle.UNINSTALLED) {
            throw new SyncFailure("bundle " + id + " is no longer installed");
        }
        return b;
    }

    @Override
    public long install(String location, Path jar) throws SyncFailure {
        Path source = checked(jar);
        try (InputStream in = Files.newInputStream(source)) {
            return GatedInstalls.run(() -> context.installBundle(location, in).getBundleId());
        } catch (BundleException e) {
            throw new SyncFailure("install failed: " + describe(e), e);
        } catch (IOException e) {
            throw new SyncFailure("cannot read " + jar + ": " + e.getMessage(), e);
        } finally {
            discard(jar, source);
        }
    }

    /**
     * @return the file to install: the jar itself when signatures are not required, else a private
     *         copy whose signatures were checked (what is checked is what is installed, even when
     *         the original, in deploy/, changes meanwhile)
     * @throws SyncFailure "refused: " and the reason, when the jar may not be installed
     */
    private Path checked(Path jar) throws SyncFailure {
        if (!gate.required()) {
            return jar;
        }
        Path copy = null;
        try {
            copy = Files.createTempFile(ConsoleInstallGuard.staging(context), "checked-", ".jar");
            Files.copy(jar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            discard(jar, copy);
            throw new SyncFailure("cannot read " + jar + ": " + e.getMessage(), e);
        }
        JarVerdict verdict = gate.check(copy);
        if (!verdict.accepted()) {
            discard(jar, copy);
            throw new SyncFailure("refused: " + verdict.reason());
        }
        return copy;
    }

    private static void discard(Path jar, Path source) {
        if (source != null && !source.equals(jar)) {
            try {
                Files.deleteIfExists(source);
            } catch (IOException e) {
                LOG.debug("Cannot remove the checked copy {}: {}", source, e.toString());
            }
        }
    }

    @Override
    public void update(long id, Path jar) throws SyncFailure {
        Bundle b = bundle(id);
        Path source = checked(jar);
        // Stopped first, the update only replaces the content: an active bundle would be started
        // again inside update(), and a failing start would then throw although the new content is
        // in place. Sync starts it itself and judges the outcome.
        if (!isFragment(b) && (b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
            try {
                b.stop(Bundle.STOP_TRANSIENT);
            } catch (BundleException e) {
                discard(jar, source);
                throw new SyncFailure("update failed: the bundle does not stop: " + describe(e), e);
            }
        }
        try (InputStream in = Files.newInputStream(source)) {
            GatedInstalls.run(() -> {
                b.update(in);
                return null;
            });
        } catch (BundleException e) {
            throw new SyncFailure("update failed: " + describe(e), e);
        } catch (IOException e) {
            throw new SyncFailure("cannot read " + jar + ": " + e.getMessage(), e);
        } finally {
            discard(jar, source);
        }
    }

    @Override
    public void uninstall(long id) throws SyncFailure {
        Bundle b = context.getBundle(id);
        if (b == null || b.getState() == Bundle.UNINSTALLED) {
            return;
        }
        try {
            b.uninstall();
        } catch (BundleException e) {
            throw new SyncFailure("uninstall failed: " + describe(e), e);
        }
    }

    @Override
    public void start(long id) throws SyncFailure {
        Bundle b = bundle(id);
        if (isFragment(b)) {
            return;
        }
        try {
            b.start();
        } catch (BundleException e) {
            throw new SyncFailure(describe(e), e);
        }
    }

    @Override
    public void stop(long id) throws SyncFailure {
        Bundle b = bundle(id);
        if (isFragment(b)) {
            return;
        }
        try {
            b.stop(Bundle.STOP_TRANSIENT);
        } catch (BundleException e) {
            throw new SyncFailure("stop failed: " + describe(e), e);
        }
    }

    @Override
    public void refresh(Collection<Long> ids) throws SyncFailure {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class);
        List<Bundle> pending = wiring.getRemovalPendingBundles().stream()
                .filter(b -> ids.contains(b.getBundleId()))
                .toList();
        if (pending.isEmpty()) {
            return;
        }
        Collection<Bundle> closure = wiring.getDependencyClosure(pending);
        Bundle core = context.getBundle();
        if (closure.stream().anyMatch(b -> b.getBundleId() == core.getBundleId()
                || b.getBundleId() == Constants.SYSTEM_BUNDLE_ID)) {
            LOG.warn("Not refreshing {}: the refresh would restart the agent core; the old revisions stay wired "
                    + "until the next restart", names(pending));
            return;
        }
        LOG.info("Refreshing {} (with {})", names(pending), names(closure));
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        wiring.refreshBundles(pending, event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                error.set(event.getThrowable());
            }
            done.countDown();
        });
        try {
            if (!done.await(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SyncFailure("the refresh of " + names(pending) + " did not finish within "
                        + REFRESH_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncFailure("interrupted while refreshing " + names(pending), e);
        }
        if (error.get() != null) {
            throw new SyncFailure("the refresh failed: " + error.get().getMessage(), error.get());
        }
    }

    @Override
    public String healthProblem(long id, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        List<ServiceReference<?>> requested = new ArrayList<>();
        try {
            while (true) {
                Bundle b = context.getBundle(id);
                if (b == null || b.getState() == Bundle.UNINSTALLED) {
                    return "the bundle was uninstalled";
                }
                Problem problem = bundleProblem(b, requested);
                if (problem == null) {
                    return null;
                }
                if (problem.lasting() || System.nanoTime() > deadline) {
                    return problem.text();
                }
                Thread.sleep(HEALTH_POLL_MS);
            }
        } finally {
            for (ServiceReference<?> reference : requested) {
                try {
                    context.ungetService(reference);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    // the service or our context is gone: nothing to give back
                }
            }
        }
    }

    /**
     * What is wrong with a bundle now.
     *
     * @param text for the operator
     * @param lasting whether waiting does not cure it (a failed activation)
     */
    private record Problem(String text, boolean lasting) {
        static Problem waiting(String text) {
            return new Problem(text, false);
        }
    }

    private Problem bundleProblem(Bundle b, List<ServiceReference<?>> requested) {
        if (isFragment(b)) {
            return b.getState() == Bundle.INSTALLED ? Problem.waiting("the fragment is not resolved") : null;
        }
        if (b.getState() != Bundle.ACTIVE) {
            return Problem.waiting("the bundle is " + InstalledBundle.stateName(b.getState()) + ", not ACTIVE");
        }
        // Request each service once, so that delayed components activate (or fail to).
        ServiceReference<?>[] registered = b.getRegisteredServices();
        if (registered != null) {
            for (ServiceReference<?> reference : registered) {
                if (!requested.contains(reference)) {
                    requested.add(reference);
                    try {
                        context.getService(reference);
                    } catch (RuntimeException e) {
                        LOG.debug("Requesting service {} of {} failed", reference, b.getSymbolicName(), e);
                    }
                }
            }
        }
        if (scr == null) {
            return null;
        }
        Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(b);
        if (descriptions.isEmpty() && b.getHeaders("").get("Service-Component") != null) {
            return Problem.waiting("its Declarative Services components are not loaded yet");
        }
        Problem waiting = null;
        for (ComponentDescriptionDTO description : descriptions) {
            if (!scr.isComponentEnabled(description)) {
                continue;
            }
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                switch (configuration.state) {
                    case ComponentConfigurationDTO.FAILED_ACTIVATION:
                        return new Problem("component " + description.name + " failed to activate: "
                                + rootCause(configuration.failure), true);
                    case ComponentConfigurationDTO.UNSATISFIED_REFERENCE:
                        waiting = Problem.waiting("component " + description.name + " has unsatisfied references: "
                                + unsatisfied(description, configuration));
                        break;
                    case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION:
                        waiting = Problem.waiting("component " + description.name + " lacks its configuration");
                        break;
                    default:
                        break;
                }
            }
        }
        return waiting;
    }

    private static String unsatisfied(ComponentDescriptionDTO description, ComponentConfigurationDTO configuration) {
        if (configuration.unsatisfiedReferences == null || configuration.unsatisfiedReferences.length == 0) {
            return "?";
        }
        return Arrays.stream(configuration.unsatisfiedReferences)
                .map(u -> u.name + " (" + interfaceOf(description, u) + ")")
                .collect(Collectors.joining(", "));
    }

    private static String interfaceOf(ComponentDescriptionDTO description, UnsatisfiedReferenceDTO reference) {
        if (description.references != null) {
            for (ReferenceDTO r : description.references) {
                if (r.name.equals(reference.name)) {
                    return r.interfaceName;
                }
            }
        }
        return "?";
    }

    /**
     * @param stackTrace a failure as SCR gives it: a stack trace
     * @return its innermost cause's line ({@code Caused by: X: message}, without the prefix)
     */
    static String rootCause(String stackTrace) {
        if (stackTrace == null || stackTrace.isBlank()) {
            return "no reason given";
        }
        String cause = stackTrace.strip().lines().findFirst().orElse(stackTrace).strip();
        for (String line : stackTrace.lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.startsWith("Caused by: ")) {
                cause = trimmed.substring("Caused by: ".length());
            }
        }
        return cause;
    }

    @Override
    public List<String> provides(long id) {
        Bundle b = context.getBundle(id);
        Set<String> names = new TreeSet<>();
        ServiceReference<?>[] registered = b == null ? null : b.getRegisteredServices();
        if (registered != null) {
            for (ServiceReference<?> reference : registered) {
                addNames(names, reference.getProperty(PROBE_TOPIC));
                addNames(names, reference.getProperty(PROTOCOL_NAME));
            }
        }
        return List.copyOf(names);
    }

    @Override
    public String pluginKind(long id) {
        Bundle b = context.getBundle(id);
        if (b == null) {
            return null;
        }
        Set<String> types = new TreeSet<>();
        ServiceReference<?>[] registered = b.getRegisteredServices();
        if (registered != null) {
            for (ServiceReference<?> reference : registered) {
                addNames(types, reference.getProperty(Constants.OBJECTCLASS));
            }
        }
        // A stopped bundle registers nothing; its manifest says what it would (bnd writes it from DS).
        BundleRevision revision = b.adapt(BundleRevision.class);
        if (revision != null) {
            for (Capability capability : revision.getCapabilities("osgi.service")) {
                addNames(types, capability.getAttributes().get(Constants.OBJECTCLASS));
            }
        }
        if (types.contains(PROBE_SERVICE)) {
            return "probe";
        }
        if (types.contains(PROTOCOL_SERVICE)) {
            return "protocol";
        }
        return types.stream().anyMatch(t -> t.startsWith(CREDENTIAL_PACKAGE)) ? "credential" : null;
    }

    private static void addNames(Set<String> names, Object value) {
        if (value instanceof String[] array) {
            Arrays.stream(array).filter(s -> s != null && !s.isBlank()).forEach(names::add);
        } else if (value instanceof Collection<?> collection) {
            collection.stream().filter(o -> o != null && !o.toString().isBlank()).forEach(o -> names.add(o.toString()));
        } else if (value != null && !value.toString().isBlank()) {
            names.add(value.toString());
        }
    }

    @Override
    public void listen(BundleChangeListener listener) {
        BundleListener osgi = event -> listener.changed(describe(event.getBundle()), event.getType());
        listeners.put(listener, osgi);
        context.addBundleListener(osgi);
    }

    @Override
    public void unlisten(BundleChangeListener listener) {
        BundleListener osgi = listeners.remove(listener);
        if (osgi != null) {
            try {
                context.removeBundleListener(osgi);
            } catch (IllegalStateException e) {
                // our context is gone already: so is the listener
            }
        }
    }

    private static String names(Collection<Bundle> bundles) {
        return bundles.stream().map(b -> b.getSymbolicName() + " [" + b.getBundleId() + "]")
                .collect(Collectors.joining(", "));
    }

    /** The framework's message, shortened, with the root cause when it says more. */
    static String describe(BundleException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int unresolved = message.indexOf(" Unresolved requirements:");
        if (unresolved > 0) {
            message = message.substring(0, unresolved);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message = message + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
        }
        return message;
    }
}
