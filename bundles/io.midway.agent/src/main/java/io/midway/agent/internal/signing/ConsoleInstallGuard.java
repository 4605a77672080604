package io.midway.agent.internal.signing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.agent.internal.sync.BundleOrigin;
import io.midway.agent.internal.sync.BundleOrigins;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.signing.JarVerdict;

/**
 * Checks bundles that reach the agent without file sync or the deploy folder: installed or updated
 * from the Web Console, or with the shell's {@code felix:install}/{@code felix:update}. When
 * signatures are required and the bundle's content is not signed by an allowed signer, it never
 * runs: a refused install is uninstalled at once, in the installing thread, before anything can
 * start it; a refused update cannot be undone inside the update, so the bundle is kept from
 * resolving (a resolver hook: the framework's start after the update fails) and uninstalled right
 * after. The refusal is logged with the reason, a line per refused install or update. Not checked:
 * the bundles the launcher installs from the distribution's {@code system/}, and the agent core
 * itself (the core upgrade checks a new core; this guard stops with the core during its update).
 * An update of a shipped bundle from the console is checked.
 */
public final class ConsoleInstallGuard implements SynchronousBundleListener, ResolverHookFactory {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleInstallGuard.class);
    /** The folder in the core's data area where jars are copied to be checked (also file sync's and deploy/'s). */
    private static final String STAGING = "signing";

    private final BundleContext context;
    private final BundleOrigins origins;
    private final SignatureGate gate;
    /** Bundles whose update was refused, until they are uninstalled: never resolved. */
    private final Set<Long> refused = ConcurrentHashMap.newKeySet();
    /** The last refusals, newest first, for mid:bundles and the Midway page (bounded). */
    private final Deque<PluginBundleDTO> refusals = new ArrayDeque<>();
    private ServiceRegistration<ResolverHookFactory> hook;

    /**
     * @param context the agent core's context
     * @param origins tells the distribution's bundles from others
     * @param gate the signing policy
     */
    public ConsoleInstallGuard(BundleContext context, BundleOrigins origins, SignatureGate gate) {
        this.context = context;
        this.origins = origins;
        this.gate = gate;
    }

    /** Starts watching installs and updates; removes checked copies a crash left in the core's data area (only there). */
    public void open() {
        java.io.File dir = context.getDataFile(STAGING);
        if (dir != null) {
            try (Stream<Path> left = Files.list(dir.toPath())) {
                left.filter(p -> p.getFileName().toString().endsWith(".jar")).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        LOG.debug("Cannot remove {}: {}", p, e.toString());
                    }
                });
            } catch (IOException none) {
                // no staging folder yet
            }
        }
        context.addBundleListener(this);
        hook = context.registerService(ResolverHookFactory.class, this, null);
    }

    /** Stops watching. */
    public void close() {
        try {
            context.removeBundleListener(this);
            if (hook != null) {
                hook.unregister();
            }
        } catch (IllegalStateException stopping) {
            // the core's context is gone already
        }
    }

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        return new ResolverHook() {
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
                if (!refused.isEmpty()) {
                    candidates.removeIf(r -> refused.contains(r.getBundle().getBundleId()));
                }
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton, Collection<BundleCapability> collisions) {
                // no opinion
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
                // no opinion
            }

            @Override
            public void end() {
                // nothing kept
            }
        };
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UNINSTALLED) {
            refused.remove(event.getBundle().getBundleId());
            return;
        }
        if ((event.getType() != BundleEvent.INSTALLED && event.getType() != BundleEvent.UPDATED)
                || GatedInstalls.active() || !gate.required()) {
            return;
        }
        Bundle bundle = event.getBundle();
        // the core itself: the upgrade checks a new core before the upgrader updates it (and this
        // guard stops with the core); a bundle the launcher installs from system/: shipped. By
        // identity and location, never by name: a console bundle calling itself io.midway.agent is
        // checked like any other, and so is an update of a shipped bundle from the console.
        if (bundle.getBundleId() == context.getBundle().getBundleId()
                || (event.getType() == BundleEvent.INSTALLED && origins.of(bundle.getLocation()) == BundleOrigin.DISTRIBUTION)) {
            return;
        }
        JarVerdict verdict = check(bundle);
        if (verdict.accepted()) {
            return;
        }
        LOG.error("Bundle {} {} ({}) {} from outside file sync and deploy/ is refused and uninstalled: {}",
                bundle.getSymbolicName(), bundle.getVersion(), origins.of(bundle.getLocation()),
                event.getType() == BundleEvent.INSTALLED ? "installed" : "updated", verdict.reason());
        remember(bundle, verdict.reason());
        if (event.getType() == BundleEvent.INSTALLED) {
            uninstall(bundle);
        } else {
            // inside update(): the framework goes on with the bundle after this event
            refused.add(bundle.getBundleId());
            DaemonThreads.newThread("midway-refused-bundle", () -> uninstall(bundle)).start();
        }
    }

    /** How many refusals {@link #refusals()} keeps. */
    static final int REFUSALS_KEPT = 10;

    private void remember(Bundle bundle, String reason) {
        PluginBundleDTO dto = new PluginBundleDTO();
        dto.id = -1;
        dto.symbolicName = bundle.getSymbolicName();
        dto.version = bundle.getVersion().toString();
        dto.origin = PluginBundleDTO.ORIGIN_CONSOLE;
        dto.state = PluginBundleDTO.STATE_NOT_INSTALLED;
        dto.provides = new String[0];
        dto.problem = "refused: " + reason;
        synchronized (refusals) {
            refusals.addFirst(dto);
            while (refusals.size() > REFUSALS_KEPT) {
                refusals.removeLast();
            }
        }
    }

    /**
     * @return the last {@value #REFUSALS_KEPT} bundles refused after an install or update from the
     *         console or the shell, newest first, as not installed with the reason
     */
    public List<PluginBundleDTO> refusals() {
        synchronized (refusals) {
            return List.copyOf(refusals);
        }
    }

    private static void uninstall(Bundle bundle) {
        try {
            bundle.uninstall();
        } catch (BundleException | IllegalStateException e) {
            LOG.error("Bundle {} was refused but could not be uninstalled: {}", bundle.getSymbolicName(), e.toString());
        }
    }

    private JarVerdict check(Bundle bundle) {
        Path copy = null;
        try {
            copy = Files.createTempFile(staging(context), "installed-", ".jar");
            return gate.check(InstalledBundleJar.write(bundle, copy));
        } catch (IOException | RuntimeException e) {
            return new JarVerdict(false, "its content cannot be read to check its signatures: " + e.getMessage(),
                    List.of());
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException ignored) {
                    // a temporary file; the File Cleaner does not see it, the next start's temp dir does
                }
            }
        }
    }

    /**
     * @param context the agent core's context
     * @return the folder, made when missing, where a jar is copied to have its signatures checked
     *         (the core's data area; the temporary folder without one); cleared at each start
     */
    public static Path staging(BundleContext context) throws IOException {
        java.io.File dir = context.getDataFile(STAGING);
        Path path = dir == null ? Path.of(System.getProperty("java.io.tmpdir")) : dir.toPath();
        Files.createDirectories(path);
        return path;
    }
}
