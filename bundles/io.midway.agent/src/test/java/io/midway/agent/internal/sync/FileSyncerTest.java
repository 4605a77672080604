package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.bundle.CollisionHook;

import io.midway.agent.internal.Await;
import io.midway.agent.internal.FakeInstance;
import io.midway.agent.internal.transport.InstanceClient;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.SyncFileResultDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.testing.jars.TestJars;
import io.midway.wire.SyncReport;

/**
 * File sync against a real Felix framework with SCR and a fake instance over real HTTP on
 * 127.0.0.1, with the echo fixture and its variants.
 */
public class FileSyncerTest {

    private static final String ECHO = "io.midway.testing.echo";
    private static final String SYNC_LOCATION = BundleOrigins.syncLocation(ECHO);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private Path home;
    private Path deploy;
    private Path syncDir;
    private TestFelix felix;
    private FakeInstance instance;
    private FileSyncer syncer;
    private ServiceRegistration<CollisionHook> hook;

    private Path echoV1;
    private Path echoV2;

    @Before
    public void setUp() throws Exception {
        root = tmp.getRoot().toPath();
        home = Files.createDirectories(root.resolve("home"));
        deploy = Files.createDirectories(home.resolve("deploy"));
        Files.createDirectories(home.resolve("system/agent"));
        syncDir = root.resolve("data/sync");
        echoV1 = EchoFixture.jar();
        echoV2 = TestJars.withVersion(echoV1, root.resolve("echo-2.0.0.jar"), "2.0.0");
        instance = FakeInstance.start();
        startFelix(true);
    }

    private void startFelix(boolean clean) throws Exception {
        felix = new TestFelix(root.resolve("cache"), clean);
        // The system bundle plays the core: its installs are sync's.
        hook = felix.context().registerService(CollisionHook.class, new SyncCollisionHook(0), null);
        syncer = newSyncer();
        syncer.start();
    }

    private FileSyncer newSyncer() {
        InstanceClient client = new InstanceClient(instance.url(), "mid", "secret", Duration.ofSeconds(2), null);
        OsgiPluginFramework framework = new OsgiPluginFramework(felix.context(), felix.scr(),
                new BundleOrigins(home, deploy));
        return new FileSyncer("test", client, framework, syncDir, Duration.ofSeconds(3), Duration.ofMillis(50),
                Duration.ofMillis(200));
    }

    private void stopFelix() throws Exception {
        if (syncer != null) {
            syncer.stop();
        }
        if (hook != null) {
            try {
                hook.unregister();
            } catch (IllegalStateException e) {
                // the framework is gone already
            }
        }
        if (felix != null) {
            felix.close();
        }
    }

    @After
    public void tearDown() throws Exception {
        stopFelix();
        if (instance != null) {
            instance.close();
        }
    }

    private void publish(String revision, Path... jars) throws IOException {
        List<Map.Entry<String, Path>> entries = new ArrayList<>();
        for (Path jar : jars) {
            entries.add(Map.entry("probe", jar));
        }
        instance.publish(revision, entries);
    }

    private SyncResultDTO sync() throws IOException {
        return syncer.syncNow(line -> { });
    }

    private Optional<Bundle> bundleAt(String location) {
        return Optional.ofNullable(felix.context().getBundle(location));
    }

    private Bundle synced() {
        return bundleAt(SYNC_LOCATION).orElseThrow(() -> new AssertionError("no synced echo bundle"));
    }

    /** Runs the Echo probe of the framework, as the agent would. */
    private Map<String, Object> echo() throws Exception {
        Collection<ServiceReference<Probe>> refs = felix.context().getServiceReferences(Probe.class,
                "(" + Probe.TOPIC_PROPERTY + "=Echo)");
        assertEquals("Echo probes registered", 1, refs.size());
        ServiceReference<Probe> ref = refs.iterator().next();
        Probe probe = felix.context().getService(ref);
        assertNotNull("the Echo probe activates", probe);
        try {
            return probe.run(new ProbeRequest("s1", "Echo", "n", "127.0.0.1", Map.of("hello", "world"))).payload();
        } catch (ProbeException e) {
            throw new AssertionError(e);
        } finally {
            felix.context().ungetService(ref);
        }
    }

    private static SyncFileResultDTO only(SyncResultDTO result) {
        assertEquals(Arrays.toString(result.files), 1, result.files.length);
        return result.files[0];
    }

    private SyncReport lastReport() {
        Await.until("a sync report", () -> !instance.reports.isEmpty());
        return instance.reports.get(instance.reports.size() - 1);
    }

    @Test
    public void installsUpdatesAndUninstallsKeepingTheBundleId() throws Exception {
        publish("1", echoV1);
        List<String> lines = new ArrayList<>();
        SyncResultDTO first = syncer.syncNow(lines::add);
        assertEquals("1", first.revision);
        assertEquals(SyncReport.STATE_APPLIED, first.state);
        SyncFileResultDTO install = only(first);
        assertEquals(ECHO, install.symbolicName);
        assertEquals("0.1.0", install.version);
        assertEquals("install", install.action);
        assertEquals("ok", install.outcome);
        assertNull(install.message);
        assertEquals(List.of("install io.midway.testing.echo 0.1.0: ok"), lines);

        Bundle bundle = synced();
        long id = bundle.getBundleId();
        assertEquals(Bundle.ACTIVE, bundle.getState());
        assertEquals("0.1.0", echo().get("bundle_version"));
        assertEquals(id, ((Number) echo().get("bundle_id")).longValue());
        assertEquals(Map.of("hello", "world"), echo().get("echo"));

        String v1 = Sha256.of(echoV1);
        assertTrue(Files.isRegularFile(syncDir.resolve("files/" + v1 + ".jar")));
        SyncState state = new SyncStateStore(syncDir.resolve("state.json")).load();
        assertEquals("1", state.revision());
        assertEquals(SyncReport.STATE_APPLIED, state.state());
        assertEquals(new SyncState.Installed(v1, "0.1.0", "probe"), state.files().get(ECHO));
        SyncReport report = lastReport();
        assertEquals("test", report.name());
        assertEquals("1", report.revision());
        assertEquals(SyncReport.STATE_APPLIED, report.state());
        assertEquals(List.of(new SyncReport.Result(ECHO, "0.1.0", v1, "install", "ok", null)), report.files());

        publish("2", echoV2);
        SyncFileResultDTO update = only(sync());
        assertEquals("update", update.action);
        assertEquals("ok", update.outcome);
        assertEquals("2.0.0", update.version);
        assertEquals("the update keeps the bundle id", id, synced().getBundleId());
        assertEquals("2.0.0", synced().getVersion().toString());
        assertEquals("2.0.0", echo().get("bundle_version"));
        assertFalse("the old jar is pruned", Files.exists(syncDir.resolve("files/" + v1 + ".jar")));
        assertTrue(Files.isRegularFile(syncDir.resolve("files/" + Sha256.of(echoV2) + ".jar")));

        publish("3");
        SyncFileResultDTO uninstall = only(sync());
        assertEquals("uninstall", uninstall.action);
        assertEquals("ok", uninstall.outcome);
        assertEquals("2.0.0", uninstall.version);
        assertFalse(bundleAt(SYNC_LOCATION).isPresent());
        assertEquals(0, felix.context().getServiceReferences(Probe.class, null).size());
        assertEquals(Map.of(), syncer.installed());
        assertEquals("3", syncer.appliedRevision());
        try (var files = Files.list(syncDir.resolve("files"))) {
            assertEquals("the cache is empty", 0, files.count());
        }
        SyncReport last = lastReport();
        assertEquals("3", last.revision());
        assertEquals(List.of(new SyncReport.Result(ECHO, "2.0.0", null, "uninstall", "ok", null)), last.files());
    }

    @Test
    public void aComponentThatFailsToActivateIsRolledBackToThePreviousJar() throws Exception {
        publish("1", echoV2);
        only(sync());
        long id = synced().getBundleId();

        Path failing = TestJars.failingActivation(echoV1, root.resolve("echo-3.jar"), "3.0.0");
        publish("2", failing);
        SyncResultDTO result = sync();
        assertEquals(SyncReport.STATE_FAILED, result.state);
        SyncFileResultDTO update = only(result);
        assertEquals("update", update.action);
        assertEquals("failed", update.outcome);
        assertEquals("3.0.0", update.version);
        assertTrue(update.message, update.message.startsWith(
                "component io.midway.testing.echo.internal.EchoProbe failed to activate: "));
        assertTrue(update.message, update.message.contains("activation fails on purpose"));
        assertTrue(update.message, update.message.endsWith("; rolled back to 2.0.0"));

        assertEquals(id, synced().getBundleId());
        assertEquals("2.0.0", synced().getVersion().toString());
        assertEquals(Bundle.ACTIVE, synced().getState());
        assertEquals("what ran before runs again", "2.0.0", echo().get("bundle_version"));
        assertEquals("the revision counts as applied", "2", syncer.appliedRevision());
        assertEquals(SyncReport.STATE_FAILED, syncer.syncState());
        assertEquals(Sha256.of(echoV2), syncer.installed().get(ECHO).sha256());
        SyncReport report = lastReport();
        assertEquals(SyncReport.STATE_FAILED, report.state());
        assertEquals("failed", report.files().get(0).outcome());

        // The same revision seen again on a poll does not sync again (no retry loop).
        int snapshots = instance.snapshotRequests.size();
        syncer.revisionSeen("2");
        syncer.revisionSeen("2");
        syncer.awaitIdle();
        assertEquals(snapshots, instance.snapshotRequests.size());
    }

    @Test
    public void anUnresolvableUpdateIsRolledBackToThePreviousJar() throws Exception {
        publish("1", echoV2);
        only(sync());
        long id = synced().getBundleId();
        Path unresolvable = TestJars.unresolvable(echoV1, root.resolve("echo-4.jar"), "4.0.0");
        publish("2", unresolvable);
        SyncFileResultDTO update = only(sync());
        assertEquals("update", update.action);
        assertEquals("failed", update.outcome);
        assertTrue(update.message, update.message.startsWith("Unable to resolve io.midway.testing.echo"));
        assertTrue(update.message, update.message.contains("osgi.wiring.package=io.midway.testing.nowhere"));
        assertTrue(update.message, update.message.endsWith("; rolled back to 2.0.0"));
        assertEquals(id, synced().getBundleId());
        assertEquals("2.0.0", synced().getVersion().toString());
        assertEquals(Bundle.ACTIVE, synced().getState());
        assertEquals("2.0.0", echo().get("bundle_version"));
    }

    @Test
    public void anUnresolvableNewBundleIsRemoved() throws Exception {
        Path unresolvable = TestJars.unresolvable(echoV1, root.resolve("echo-4.jar"), "4.0.0");
        publish("1", unresolvable);
        SyncResultDTO result = sync();
        assertEquals(SyncReport.STATE_FAILED, result.state);
        SyncFileResultDTO install = only(result);
        assertEquals("install", install.action);
        assertEquals("failed", install.outcome);
        assertTrue(install.message, install.message.contains("io.midway.testing.nowhere"));
        assertTrue(install.message, install.message.endsWith("; removed"));
        assertFalse(bundleAt(SYNC_LOCATION).isPresent());
        assertEquals(Map.of(), syncer.installed());
    }

    @Test
    public void bytesThatAreNotTheAnnouncedOnesAreNeverInstalled() throws Exception {
        publish("1", echoV2);
        String announced = Sha256.of(echoV2);
        instance.files.put(announced, Files.readAllBytes(echoV1));
        SyncResultDTO result = sync();
        SyncFileResultDTO install = only(result);
        assertEquals("failed", install.outcome);
        assertTrue(install.message, install.message.startsWith("wrong size") || install.message.startsWith("wrong hash"));
        assertFalse(bundleAt(SYNC_LOCATION).isPresent());
        assertFalse(Files.exists(syncDir.resolve("files/" + announced + ".jar")));

        // Same size, other bytes: the hash catches it.
        byte[] tampered = Files.readAllBytes(echoV2);
        tampered[tampered.length / 2] ^= 1;
        instance.files.put(announced, tampered);
        install = only(sync());
        assertTrue(install.message, install.message.startsWith("wrong hash: the downloaded bytes have sha256 "));
        assertTrue(install.message, install.message.endsWith("the snapshot says " + announced));
        assertFalse(bundleAt(SYNC_LOCATION).isPresent());
    }

    @Test
    public void aRestartFindsTheSyncedBundlesAndDownloadsNothing() throws Exception {
        publish("1", echoV2);
        only(sync());
        long id = synced().getBundleId();
        assertEquals(1, instance.downloads.size());

        stopFelix();
        startFelix(false);
        assertEquals("the synced bundle persists in the framework cache", id, synced().getBundleId());
        SyncResultDTO result = sync();
        assertEquals(SyncReport.STATE_APPLIED, result.state);
        assertEquals("nothing to do", 0, result.files.length);
        assertEquals("nothing downloaded", 1, instance.downloads.size());
        Await.until("the synced bundle is active", () -> synced().getState() == Bundle.ACTIVE);
        assertEquals("2.0.0", echo().get("bundle_version"));
    }

    @Test
    public void aPollWithANewRevisionSyncsInTheBackgroundOnce() throws Exception {
        publish("5", echoV1);
        syncer.revisionSeen("5");
        Await.until("revision 5 applied", () -> "5".equals(syncer.appliedRevision()));
        Await.until("the synced bundle is active", () -> bundleAt(SYNC_LOCATION)
                .map(b -> b.getState() == Bundle.ACTIVE).orElse(false));
        int snapshots = instance.snapshotRequests.size();
        syncer.revisionSeen("5");
        syncer.awaitIdle();
        assertEquals("the same revision again does nothing", snapshots, instance.snapshotRequests.size());

        publish("6", echoV2);
        syncer.revisionSeen("6");
        Await.until("revision 6 applied", () -> "6".equals(syncer.appliedRevision()));
        assertEquals("2.0.0", synced().getVersion().toString());
    }

    @Test
    public void workWaitingForASyncInFlightFindsItsProbeRegisteredWhenTheWaitEnds() throws Exception {
        // The hot-deploy sequence: a poll reply carries the new revision (the sync is queued at once,
        // on the poll thread), then its record reaches a worker that finds no probe for its topic
        // and waits for the sync in flight. When that wait ends, the probe is registered.
        assertFalse("nothing in flight before a revision is seen", syncer.awaitSyncs(Duration.ofSeconds(5)));
        publish("7", echoV1);
        syncer.revisionSeen("7");
        assertTrue("the sync of revision 7 was in flight", syncer.awaitSyncs(Duration.ofSeconds(30)));
        assertTrue("sync installed it", syncer.installed().containsKey(ECHO));
        assertEquals("the probe is there as soon as the wait ends", "0.1.0", echo().get("bundle_version"));
        assertFalse("nothing left in flight", syncer.awaitSyncs(Duration.ofSeconds(5)));
        Await.until("revision 7 shown as applied once saved and reported", () -> "7".equals(syncer.appliedRevision()));
    }

    @Test
    public void theFirstPollAfterAStartSyncsEvenWithTheSameRevision() throws Exception {
        publish("1", echoV1);
        only(sync());
        syncer.stop();
        // Someone uninstalled the synced bundle while the agent was down.
        synced().uninstall();
        syncer = newSyncer();
        syncer.start();
        assertEquals("1", syncer.appliedRevision());
        syncer.revisionSeen("1");
        Await.until("the synced bundle is back", () -> bundleAt(SYNC_LOCATION).isPresent());
        assertEquals("from the cache, not downloaded again", 1, instance.downloads.size());
    }

    @Test
    public void anUnreachableInstanceLeavesEverythingAsItIs() throws Exception {
        publish("1", echoV1);
        only(sync());
        instance.fileSyncStatus = 503;
        try {
            sync();
            fail("the sync needs the snapshot");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("503"));
        }
        assertEquals(Bundle.ACTIVE, synced().getState());
        syncer.revisionSeen("2");
        syncer.awaitIdle();
        assertEquals("1", syncer.appliedRevision());
    }

    @Test
    public void aReportTheInstanceDidNotTakeIsSentWithTheNextPoll() throws Exception {
        instance.reportStatus = 503;
        publish("1", echoV1);
        assertEquals(SyncReport.STATE_APPLIED, sync().state);
        assertTrue(instance.reports.isEmpty());
        instance.reportStatus = 200;
        syncer.revisionSeen("1");
        SyncReport report = lastReport();
        assertEquals("1", report.revision());
        assertEquals("install", report.files().get(0).action());
    }

    @Test
    public void deployWinsOverSyncAndSyncComesBackWhenTheDeployedJarGoes() throws Exception {
        publish("1", echoV1);
        only(sync());
        String v1 = Sha256.of(echoV1);

        // FileInstall installs the same symbolic name and version from deploy/.
        Path dropped = Files.copy(echoV1, deploy.resolve("echo.jar"));
        Bundle local = felix.context().installBundle(dropped.toUri().toString());
        local.start();
        Await.until("the synced copy is uninstalled", () -> bundleAt(SYNC_LOCATION).isEmpty());
        Await.until("the second report", () -> instance.reports.size() == 2);
        SyncReport skipped = lastReport();
        assertEquals(List.of(new SyncReport.Result(ECHO, "0.1.0", v1, "skip", "skipped",
                "deploy/ provides io.midway.testing.echo 0.1.0; the synced copy was uninstalled")), skipped.files());
        assertEquals(SyncReport.STATE_APPLIED, skipped.state());
        assertEquals(Bundle.ACTIVE, local.getState());

        SyncFileResultDTO again = only(sync());
        assertEquals("skip", again.action);
        assertEquals("skipped", again.outcome);
        assertEquals("deploy/ provides io.midway.testing.echo 0.1.0", again.message);

        // The jar leaves deploy/: the synced one is installed again.
        Files.delete(dropped);
        local.uninstall();
        Await.until("the synced copy is back and active", () -> bundleAt(SYNC_LOCATION)
                .map(b -> b.getState() == Bundle.ACTIVE).orElse(false));
        Await.until("the synced copy is in the state", () -> syncer.installed().containsKey(ECHO));
    }

    @Test
    public void syncWinsOverTheDistributionAndGivesWayWhenRemoved() throws Exception {
        Path shippedJar = Files.copy(echoV1, home.resolve("system/agent/io.midway.testing.echo-0.1.0.jar"));
        Bundle shipped = felix.context().installBundle(shippedJar.toUri().toString());
        shipped.start();
        // A patched jar under the same version as the shipped one.
        Path patched = TestJars.withHeaders(echoV1, root.resolve("echo-patched.jar"), Map.of("X-Patch", "1"));
        publish("1", patched);
        SyncFileResultDTO install = only(sync());
        assertEquals(install.message, "ok", install.outcome);
        assertEquals(Bundle.RESOLVED, shipped.getState());
        assertEquals(Bundle.ACTIVE, synced().getState());
        assertEquals(synced().getBundleId(), ((Number) echo().get("bundle_id")).longValue());

        // At a restart the launcher starts the shipped bundle again: it is stopped again.
        shipped.start();
        Await.until("the shipped bundle is stopped again", () -> shipped.getState() == Bundle.RESOLVED);

        PluginBundleDTO[] listed = new PluginBundles(new OsgiPluginFramework(felix.context(), felix.scr(),
                new BundleOrigins(home, deploy)), syncer::installed).list();
        assertEquals(2, listed.length);
        PluginBundleDTO first = listed[0].origin.equals("distribution") ? listed[0] : listed[1];
        PluginBundleDTO second = first == listed[0] ? listed[1] : listed[0];
        assertEquals(shipped.getBundleId(), first.id);
        assertEquals("RESOLVED", first.state);
        assertEquals(Sha256.of(echoV1), first.sha256);
        assertEquals("sync", second.origin);
        assertEquals("probe", second.kind);
        assertEquals("ACTIVE", second.state);
        assertEquals(Sha256.of(patched), second.sha256);
        assertEquals(List.of("Echo", "echo"), List.of(second.provides));

        publish("2");
        SyncFileResultDTO uninstall = only(sync());
        assertEquals("uninstall", uninstall.action);
        assertEquals("ok", uninstall.outcome);
        assertEquals(Bundle.ACTIVE, shipped.getState());
        assertEquals(shipped.getBundleId(), ((Number) echo().get("bundle_id")).longValue());
    }

    @Test
    public void aFailedInstallStartsTheShippedBundleAgain() throws Exception {
        Path shippedJar = Files.copy(echoV1, home.resolve("system/agent/echo.jar"));
        Bundle shipped = felix.context().installBundle(shippedJar.toUri().toString());
        shipped.start();
        publish("1", TestJars.failingActivation(echoV1, root.resolve("echo-3.jar"), "3.0.0"));
        SyncFileResultDTO install = only(sync());
        assertEquals("failed", install.outcome);
        assertTrue(install.message, install.message.endsWith("; removed"));
        assertFalse(bundleAt(SYNC_LOCATION).isPresent());
        assertEquals(Bundle.ACTIVE, shipped.getState());
    }

    @Test
    public void theAgentCoreIsNeverSynced() throws Exception {
        Path core = TestJars.withHeaders(echoV1, root.resolve("core.jar"),
                Map.of("Bundle-SymbolicName", "io.midway.agent", "Bundle-Version", "9.0.0"));
        publish("1", core, echoV1);
        SyncResultDTO result = sync();
        assertEquals(2, result.files.length);
        SyncFileResultDTO skipped = Arrays.stream(result.files).filter(f -> f.symbolicName.equals("io.midway.agent"))
                .findFirst().orElseThrow();
        assertEquals("skip", skipped.action);
        assertEquals("skipped", skipped.outcome);
        assertEquals("io.midway.agent is part of the agent core; it is upgraded, not synced", skipped.message);
        assertEquals(SyncReport.STATE_APPLIED, result.state);
        assertNull(felix.context().getBundle(BundleOrigins.syncLocation("io.midway.agent")));
    }
}
