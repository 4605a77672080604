package io.midway.agent.internal.sync;

import java.util.Collection;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.hooks.bundle.CollisionHook;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Lets a bundle of the same symbolic name and version exist beside a synced one, which the
 * framework refuses by default ({@code org.osgi.framework.bsnversion=managed}): a jar dropped
 * into {@code deploy/} is installed although sync installed the same version (deploy/ wins, and
 * sync then uninstalls its copy), and sync may install a patched jar under the version the
 * distribution ships (the shipped one is stopped while the synced one is there).
 */
@Component(service = CollisionHook.class)
public class SyncCollisionHook implements CollisionHook {

    private final long coreBundleId;

    /**
     * @param context the agent core's bundle context: installs through it are file sync's
     */
    @Activate
    public SyncCollisionHook(BundleContext context) {
        this(context.getBundle().getBundleId());
    }

    /**
     * @param coreBundleId the bundle whose installs are file sync's
     */
    public SyncCollisionHook(long coreBundleId) {
        this.coreBundleId = coreBundleId;
    }

    @Override
    public void filterCollisions(int operationType, Bundle target, Collection<Bundle> collisionCandidates) {
        boolean bySync = operationType == INSTALLING
                ? target.getBundleId() == coreBundleId
                : BundleOrigins.syncedName(target.getLocation()) != null;
        if (bySync) {
            // Sync decides itself which of the two runs (precedence).
            collisionCandidates.clear();
        } else {
            // A synced bundle never stands in the way.
            collisionCandidates.removeIf(b -> BundleOrigins.syncedName(b.getLocation()) != null);
        }
    }
}
