package io.midway.agent.internal.sync;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The precedence of a bundle's sources, deploy/ over file sync over the distribution: a shipped
 * bundle stops while a synced one of its symbolic name runs, and starts again when it goes (unless
 * deploy/ provides it).
 */
final class BundlePrecedence {

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncer.class);

    private final PluginFramework framework;

    BundlePrecedence(PluginFramework framework) {
        this.framework = framework;
    }

    /** Stops each running distribution bundle whose symbolic name sync installed (precedence). */
    void stopReplacedShippedBundles() {
        List<InstalledBundle> bundles = framework.bundles();
        Set<String> synced = bundles.stream().filter(b -> b.origin() == BundleOrigin.SYNC)
                .map(b -> BundleOrigins.syncedName(b.location())).collect(Collectors.toSet());
        for (InstalledBundle b : bundles) {
            if (b.origin() == BundleOrigin.DISTRIBUTION && b.running() && synced.contains(b.symbolicName())) {
                stopShipped(b);
            }
        }
    }

    boolean stopShipped(InstalledBundle shipped) {
        try {
            framework.stop(shipped.id());
            LOG.info("Stopped the distribution's {} {}: file sync provides {}", shipped.symbolicName(),
                    shipped.version(), shipped.symbolicName());
            return true;
        } catch (SyncFailure e) {
            LOG.warn("Cannot stop the distribution's {} {}: {}", shipped.symbolicName(), shipped.version(),
                    e.getMessage());
            return false;
        }
    }

    void startShipped(List<InstalledBundle> shipped) {
        Set<String> fromDeploy = framework.bundles().stream()
                .filter(b -> b.origin() == BundleOrigin.DEPLOY && b.running())
                .map(InstalledBundle::symbolicName).collect(Collectors.toSet());
        for (InstalledBundle b : shipped) {
            if (fromDeploy.contains(b.symbolicName())) {
                // deploy/ provides it: the shipped one stays stopped (the deploy folder starts it
                // when its jar goes).
                continue;
            }
            try {
                framework.start(b.id());
                LOG.info("Started the distribution's {} {} again", b.symbolicName(), b.version());
            } catch (SyncFailure e) {
                LOG.warn("Cannot start the distribution's {} {} again: {}", b.symbolicName(), b.version(),
                        e.getMessage());
            }
        }
    }
}
