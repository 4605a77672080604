package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.osgi.framework.Bundle;

import io.midway.agent.internal.sync.SyncStep.Action;
import io.midway.wire.SyncFile;

public class SyncPlannerTest {

    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    private final SyncPlanner planner = new SyncPlanner();
    private final List<InstalledBundle> installed = new ArrayList<>();

    private static SyncFile file(String name, String version, String sha) {
        return new SyncFile(name + "-" + version + ".jar", "probe", name, version, sha, 100);
    }

    private InstalledBundle bundle(long id, String name, String version, BundleOrigin origin, String location,
            int state) {
        InstalledBundle b = new InstalledBundle(id, name, version, location, origin, state, false);
        installed.add(b);
        return b;
    }

    private InstalledBundle synced(long id, String name, String version) {
        return bundle(id, name, version, BundleOrigin.SYNC, BundleOrigins.syncLocation(name), Bundle.ACTIVE);
    }

    private static SyncState state(Map<String, SyncState.Installed> files) {
        return new SyncState("1", "applied", files);
    }

    private List<SyncStep> plan(SyncState state, SyncFile... files) {
        return planner.plan(List.of(files), state, installed);
    }

    private static SyncStep only(List<SyncStep> steps) {
        assertEquals(steps.toString(), 1, steps.size());
        return steps.get(0);
    }

    @Test
    public void aNewFileIsInstalled() {
        SyncStep step = only(plan(SyncState.EMPTY, file("com.acme.x", "1.0.0", A)));
        assertEquals(Action.INSTALL, step.action());
        assertEquals("com.acme.x", step.symbolicName());
        assertNull(step.synced());
        assertNull(step.previous());
        assertEquals("1.0.0", step.version());
    }

    @Test
    public void theSameBytesAreLeftAlone() {
        InstalledBundle x = synced(5, "com.acme.x", "1.0.0");
        SyncStep step = only(plan(state(Map.of("com.acme.x", new SyncState.Installed(A, "1.0.0", "probe"))),
                file("com.acme.x", "1.0.0", A)));
        assertEquals(Action.UNCHANGED, step.action());
        assertSame(x, step.synced());
    }

    @Test
    public void otherBytesUpdateTheSyncedBundle() {
        InstalledBundle x = synced(5, "com.acme.x", "1.0.0");
        SyncState.Installed before = new SyncState.Installed(A, "1.0.0", "probe");
        SyncStep step = only(plan(state(Map.of("com.acme.x", before)), file("com.acme.x", "1.0.0", B)));
        assertEquals(Action.UPDATE, step.action());
        assertSame(x, step.synced());
        assertEquals(before, step.previous());
    }

    @Test
    public void aSyncedBundleTheStateDoesNotKnowIsUpdated() {
        synced(5, "com.acme.x", "1.0.0");
        SyncStep step = only(plan(SyncState.EMPTY, file("com.acme.x", "1.0.0", A)));
        assertEquals(Action.UPDATE, step.action());
        assertNull(step.previous());
    }

    @Test
    public void aStateEntryWithoutItsBundleIsInstalledAgain() {
        SyncState.Installed before = new SyncState.Installed(A, "1.0.0", "probe");
        SyncStep step = only(plan(state(Map.of("com.acme.x", before)), file("com.acme.x", "1.0.0", A)));
        assertEquals(Action.INSTALL, step.action());
        assertEquals(before, step.previous());
    }

    @Test
    public void whatLeftTheSnapshotIsUninstalledAndTheShippedOneComesBack() {
        InstalledBundle x = synced(5, "com.acme.x", "2.0.0");
        InstalledBundle shipped = bundle(3, "com.acme.x", "1.0.0", BundleOrigin.DISTRIBUTION,
                "file:/opt/midway/system/agent/x.jar", Bundle.RESOLVED);
        SyncStep step = only(plan(state(Map.of("com.acme.x", new SyncState.Installed(A, "2.0.0", "probe")))));
        assertEquals(Action.UNINSTALL, step.action());
        assertSame(x, step.synced());
        assertEquals(List.of(shipped), step.shipped());
        assertEquals("2.0.0", step.version());
        assertNull(step.file());
    }

    @Test
    public void aGoneStateEntryWithoutBundleIsJustDropped() {
        SyncStep step = only(plan(state(Map.of("com.acme.x", new SyncState.Installed(A, "2.0.0", "probe")))));
        assertEquals(Action.UNINSTALL, step.action());
        assertNull(step.synced());
    }

    @Test
    public void deployWinsOverSync() {
        InstalledBundle x = synced(5, "com.acme.x", "1.0.0");
        bundle(9, "com.acme.x", "1.5.0", BundleOrigin.DEPLOY, "file:/opt/midway/deploy/x.jar", Bundle.ACTIVE);
        SyncStep step = only(plan(state(Map.of("com.acme.x", new SyncState.Installed(A, "1.0.0", "probe"))),
                file("com.acme.x", "2.0.0", B)));
        assertEquals(Action.SKIP, step.action());
        assertEquals("deploy/ provides com.acme.x 1.5.0", step.reason());
        assertSame("the synced copy is to go", x, step.synced());
    }

    @Test
    public void syncWinsOverTheDistribution() {
        InstalledBundle shipped = bundle(3, "com.acme.x", "1.0.0", BundleOrigin.DISTRIBUTION,
                "file:/opt/midway/system/agent/x.jar", Bundle.ACTIVE);
        SyncStep step = only(plan(SyncState.EMPTY, file("com.acme.x", "1.0.0", A)));
        assertEquals(Action.INSTALL, step.action());
        assertEquals(List.of(shipped), step.shipped());
    }

    @Test
    public void bundlesOfOtherOriginsAreNotSyncsBusiness() {
        bundle(3, "com.acme.x", "1.0.0", BundleOrigin.OTHER, "mvn:com.acme/x/1.0.0", Bundle.ACTIVE);
        SyncStep step = only(plan(SyncState.EMPTY, file("com.acme.x", "1.0.0", A)));
        assertEquals(Action.INSTALL, step.action());
        assertEquals(List.of(), step.shipped());
    }

    @Test
    public void theAgentCoreIsNeverSynced() {
        for (String core : List.of("io.midway.agent", "io.midway.agent.upgrader", "io.midway.api", "io.midway.wire",
                "io.midway.instance", "io.midway.instance.store", "org.apache.felix.framework",
                "org.apache.felix.scr", "org.apache.felix.configadmin", "org.apache.felix.fileinstall")) {
            SyncStep step = only(plan(SyncState.EMPTY, file(core, "9.0.0", A)));
            assertEquals(core, Action.SKIP, step.action());
            assertEquals(core + " is part of the agent core; it is upgraded, not synced", step.reason());
        }
        assertEquals(Action.INSTALL, only(plan(SyncState.EMPTY, file("io.midway.probe.snmp", "1.0.0", A))).action());
        assertEquals(Action.INSTALL, only(plan(SyncState.EMPTY, file("io.midway.agentx", "1.0.0", A))).action());
    }

    @Test
    public void invalidEntriesFail() {
        SyncStep step = only(plan(SyncState.EMPTY, file("com.acme.x", "1.0.0", "ABC")));
        assertEquals(Action.INVALID, step.action());
        assertEquals("the snapshot's sha256 'ABC' is not 64 lower-case hex digits", step.reason());
    }

    @Test
    public void removalsComeFirstThenTheSnapshotByName() {
        synced(5, "com.acme.old", "1.0.0");
        List<SyncStep> steps = plan(SyncState.EMPTY, file("com.acme.z", "1.0.0", A), file("com.acme.b", "1.0.0", B));
        assertEquals(List.of("com.acme.old", "com.acme.b", "com.acme.z"),
                steps.stream().map(SyncStep::symbolicName).toList());
        assertEquals(List.of(Action.UNINSTALL, Action.INSTALL, Action.INSTALL),
                steps.stream().map(SyncStep::action).toList());
    }
}
