package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.bundle.CollisionHook;

public class SyncCollisionHookTest {

    private static Bundle bundle(long id, String location) {
        return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getBundleId" -> id;
                    case "getLocation" -> location;
                    case "toString" -> location;
                    case "hashCode" -> (int) id;
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private final SyncCollisionHook hook = new SyncCollisionHook(7);
    private final Bundle synced = bundle(20, "midway-sync:com.acme.x");
    private final Bundle shipped = bundle(3, "file:/opt/midway/system/agent/x.jar");
    private final Bundle deployed = bundle(30, "file:/opt/midway/deploy/x.jar");

    @Test
    public void aSyncedBundleNeverStandsInTheWay() {
        List<Bundle> candidates = new ArrayList<>(List.of(synced, shipped));
        hook.filterCollisions(CollisionHook.INSTALLING, bundle(12, "fileinstall"), candidates);
        assertEquals("FileInstall may install beside the synced one, not beside the shipped one", List.of(shipped),
                candidates);
    }

    @Test
    public void syncMayInstallAndUpdateBesideAnything() {
        List<Bundle> candidates = new ArrayList<>(List.of(shipped, deployed));
        hook.filterCollisions(CollisionHook.INSTALLING, bundle(7, "core"), candidates);
        assertEquals(List.of(), candidates);

        candidates = new ArrayList<>(List.of(shipped));
        hook.filterCollisions(CollisionHook.UPDATING, synced, candidates);
        assertEquals(List.of(), candidates);

        candidates = new ArrayList<>(List.of(shipped));
        hook.filterCollisions(CollisionHook.UPDATING, deployed, candidates);
        assertEquals("others are not sync's business", List.of(shipped), candidates);
    }
}
