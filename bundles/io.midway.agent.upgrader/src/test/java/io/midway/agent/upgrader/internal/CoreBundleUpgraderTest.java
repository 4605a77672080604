package io.midway.agent.upgrader.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

import io.midway.api.upgrade.UpgradeRecordDTO;

/**
 * The upgrader in a real Felix framework, updating a fake {@code io.midway.agent} bundle (an
 * activator registering a MidAgent whose connection the test decides).
 */
public class CoreBundleUpgraderTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Framework framework;

    @After
    public void tearDown() throws Exception {
        stopFramework();
    }

    private Path data() {
        return tmp.getRoot().toPath().resolve("data");
    }

    private Framework startFramework(boolean clean, int healthSeconds, String connection) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, tmp.getRoot().toPath().resolve("felix").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, clean ? Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT : "none");
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                "io.midway.api.agent;version=1.2.0,io.midway.api.upgrade;version=1.0.0");
        config.put("felix.log.level", "0");
        config.put(CoreBundleUpgrader.DATA_PROPERTY, data().toString());
        config.put(UpgraderConfiguration.HEALTH_PROPERTY, String.valueOf(healthSeconds));
        if (connection != null) {
            config.put("midway.test.connection", connection);
        }
        framework = new FrameworkFactory().newFramework(config);
        framework.start();
        return framework;
    }

    private void stopFramework() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
            framework = null;
        }
    }

    /** Installs the "distribution" core 0.1.0 from a file: location and starts it. */
    private Bundle installCore() throws Exception {
        return installCore(Map.of());
    }

    private Bundle installCore(Map<String, String> headers) throws Exception {
        Path jar = FakeCoreJars.core(tmp.getRoot().toPath().resolve("system/io.midway.agent-0.1.0.jar"), "0.1.0",
                headers);
        Bundle core = framework.getBundleContext().installBundle(jar.toUri().toString());
        core.start();
        return core;
    }

    private CoreBundleUpgrader upgrader() {
        return new CoreBundleUpgrader(config(60), framework.getBundleContext());
    }

    static UpgraderConfiguration config(int seconds) {
        return new UpgraderConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return UpgraderConfiguration.class;
            }

            @Override
            public int upgrade_health_seconds() {
                return seconds;
            }
        };
    }

    private static UpgradeRecordDTO awaitFinished(CoreBundleUpgrader upgrader) {
        await("the upgrade finished", () -> {
            UpgradeRecordDTO[] h = upgrader.history();
            return h.length > 0 && !UpgradeRecordDTO.OUTCOME_RUNNING.equals(h[h.length - 1].outcome);
        });
        UpgradeRecordDTO[] h = upgrader.history();
        return h[h.length - 1];
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private String keptVersion() throws Exception {
        return JsonText.readObject(Files.readString(data().resolve("upgrader/current.json"), StandardCharsets.UTF_8))
                .get("version");
    }

    @Test
    public void adoptsTheDistributionJarAndUpgradesTheSameBundleInPlace() throws Exception {
        startFramework(true, 5, null);
        Bundle core = installCore();
        long id = core.getBundleId();
        CoreBundleUpgrader upgrader = upgrader();
        assertEquals("0.1.0", keptVersion());
        assertEquals(KeptCore.sha256(Path.of(java.net.URI.create(core.getLocation()))),
                KeptCore.sha256(data().resolve("upgrader/current.jar")));

        Path next = FakeCoreJars.core(tmp.newFolder().toPath().resolve("next.jar"), "0.1.1");
        String sha = KeptCore.sha256(next);
        upgrader.upgrade(next, "0.1.1", sha);
        UpgradeRecordDTO record = awaitFinished(upgrader);

        assertEquals(record.reason, UpgradeRecordDTO.OUTCOME_UPGRADED, record.outcome);
        assertEquals("0.1.0", record.fromVersion);
        assertEquals("0.1.1", record.toVersion);
        assertEquals(sha, record.sha256);
        assertNull(record.reason);
        assertTrue(record.finished != null && record.started != null);
        assertEquals(id, core.getBundleId());
        assertEquals("0.1.1", core.getVersion().toString());
        assertEquals(Bundle.ACTIVE, core.getState());
        assertEquals("0.1.1", keptVersion());
        assertEquals(sha, KeptCore.sha256(data().resolve("upgrader/current.jar")));
        assertEquals("the outcome is persisted", UpgradeRecordDTO.OUTCOME_UPGRADED,
                new UpgradeHistory(data().resolve("upgrader/history.json")).last().outcome);
    }

    @Test
    public void anUnresolvableCoreIsRolledBack() throws Exception {
        startFramework(true, 5, null);
        Bundle core = installCore();
        CoreBundleUpgrader upgrader = upgrader();
        Path bad = FakeCoreJars.core(tmp.newFolder().toPath().resolve("bad.jar"), "0.1.2", Map.of("Import-Package",
                "io.midway.testing.nowhere;version=\"[1,2)\",org.osgi.framework,io.midway.api.agent"));
        upgrader.upgrade(bad, "0.1.2", KeptCore.sha256(bad));
        UpgradeRecordDTO record = awaitFinished(upgrader);

        assertEquals(UpgradeRecordDTO.OUTCOME_ROLLED_BACK, record.outcome);
        assertTrue(record.reason, record.reason.startsWith("core 0.1.2 did not start: "));
        assertTrue(record.reason, record.reason.contains("io.midway.testing.nowhere"));
        assertEquals("the core itself failed", UpgradeRecordDTO.CAUSE_CORE, record.cause);
        assertTrue("the old core came back: " + record.reason, !record.reason.contains("did not come back")
                && !record.reason.contains("failed too") && !record.reason.contains("again failed"));
        assertEquals("0.1.0", core.getVersion().toString());
        assertEquals(Bundle.ACTIVE, core.getState());
        assertEquals("0.1.0", keptVersion());
    }

    @Test
    public void aHealthyCoreThatCannotReachTheInstanceIsKept() throws Exception {
        // The instance is away for longer than the health window: the new core is judged by itself.
        startFramework(true, 1, null);
        Bundle core = installCore(Map.of("Midway-Test-Probes", "TCPScan,Command"));
        CoreBundleUpgrader upgrader = upgrader();
        Path away = FakeCoreJars.core(tmp.newFolder().toPath().resolve("away.jar"), "0.1.3",
                Map.of("Midway-Test-Connection", "unreachable", "Midway-Test-Probes", "Command,TCPScan"));
        upgrader.upgrade(away, "0.1.3", KeptCore.sha256(away));
        try {
            upgrader.upgrade(away, "0.1.3", KeptCore.sha256(away));
            fail("a second upgrade while one runs must be refused");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("already running"));
        }
        UpgradeRecordDTO record = awaitFinished(upgrader);

        assertEquals(record.reason, UpgradeRecordDTO.OUTCOME_UPGRADED, record.outcome);
        assertNull(record.cause);
        assertEquals("0.1.3", core.getVersion().toString());
        assertEquals(Bundle.ACTIVE, core.getState());
        assertEquals("0.1.3", keptVersion());
    }

    @Test
    public void aCoreThatDoesNotBindTheProbesItHadIsRolledBackAsItsOwnFailure() throws Exception {
        startFramework(true, 1, null);
        Bundle core = installCore(Map.of("Midway-Test-Probes", "TCPScan,Command"));
        CoreBundleUpgrader upgrader = upgrader();
        Path lossy = FakeCoreJars.core(tmp.newFolder().toPath().resolve("lossy.jar"), "0.1.3",
                Map.of("Midway-Test-Probes", "TCPScan"));
        upgrader.upgrade(lossy, "0.1.3", KeptCore.sha256(lossy));
        UpgradeRecordDTO record = awaitFinished(upgrader);

        assertEquals(UpgradeRecordDTO.OUTCOME_ROLLED_BACK, record.outcome);
        assertTrue(record.reason, record.reason.startsWith("core 0.1.3 was not healthy within 1 s: "));
        assertTrue(record.reason, record.reason.contains("probes bound before the upgrade are not bound again: Command"));
        assertEquals(UpgradeRecordDTO.CAUSE_CORE, record.cause);
        assertEquals("the cause is persisted", UpgradeRecordDTO.CAUSE_CORE,
                new UpgradeHistory(data().resolve("upgrader/history.json")).last().cause);
        assertEquals("0.1.0", core.getVersion().toString());
        assertEquals(Bundle.ACTIVE, core.getState());
    }

    @Test
    public void aCoreWhoseRuntimeDoesNotRunIsRolledBackAsItsOwnFailure() throws Exception {
        startFramework(true, 1, null);
        Bundle core = installCore();
        CoreBundleUpgrader upgrader = upgrader();
        Path dead = FakeCoreJars.core(tmp.newFolder().toPath().resolve("dead.jar"), "0.1.3",
                Map.of("Midway-Test-Connection", "stopped"));
        upgrader.upgrade(dead, "0.1.3", KeptCore.sha256(dead));
        UpgradeRecordDTO record = awaitFinished(upgrader);

        assertEquals(UpgradeRecordDTO.OUTCOME_ROLLED_BACK, record.outcome);
        assertTrue(record.reason, record.reason.contains("its runtime does not run"));
        assertEquals(UpgradeRecordDTO.CAUSE_CORE, record.cause);
        assertEquals("0.1.0", core.getVersion().toString());
    }

    @Test
    public void aCoreWithoutItsServiceIsRolledBack() throws Exception {
        startFramework(true, 1, null);
        Bundle core = installCore();
        CoreBundleUpgrader upgrader = upgrader();
        Path empty = FakeCoreJars.core(tmp.newFolder().toPath().resolve("empty.jar"), "0.1.4",
                Map.of("Bundle-Activator", ""));
        upgrader.upgrade(empty, "0.1.4", KeptCore.sha256(empty));
        UpgradeRecordDTO record = awaitFinished(upgrader);

        assertEquals(UpgradeRecordDTO.OUTCOME_ROLLED_BACK, record.outcome);
        assertTrue(record.reason, record.reason.contains("registers no MidAgent service"));
        assertEquals(UpgradeRecordDTO.CAUSE_CORE, record.cause);
        assertEquals("0.1.0", core.getVersion().toString());
        assertEquals(Bundle.ACTIVE, core.getState());
        // the same upgrader takes the next upgrade
        Path good = FakeCoreJars.core(tmp.newFolder().toPath().resolve("good.jar"), "0.1.5");
        upgrader.upgrade(good, "0.1.5", KeptCore.sha256(good));
        await("the second upgrade finished", () -> upgrader.history().length == 2
                && !UpgradeRecordDTO.OUTCOME_RUNNING.equals(upgrader.history()[1].outcome));
        assertEquals(UpgradeRecordDTO.OUTCOME_UPGRADED, upgrader.history()[1].outcome);
        assertEquals("0.1.5", core.getVersion().toString());
    }

    @Test
    public void aWrongHashIsRefusedBeforeAnythingHappens() throws Exception {
        startFramework(true, 1, null);
        Bundle core = installCore();
        CoreBundleUpgrader upgrader = upgrader();
        Path next = FakeCoreJars.core(tmp.newFolder().toPath().resolve("next.jar"), "0.1.1");
        try {
            upgrader.upgrade(next, "0.1.1", "0".repeat(64));
            fail("a jar whose hash is not the one given must be refused");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("SHA-256"));
        }
        assertEquals(0, upgrader.history().length);
        assertEquals("0.1.0", core.getVersion().toString());
    }

    @Test
    public void aRestartAfterTheNewCoreRanFinishesTheUpgrade() throws Exception {
        // Not healthy by itself yet (its runtime does not run), so the upgrade is still running at the stop.
        startFramework(true, 30, "stopped");
        Bundle core = installCore();
        long id = core.getBundleId();
        CoreBundleUpgrader first = upgrader();
        Path next = FakeCoreJars.core(tmp.newFolder().toPath().resolve("next.jar"), "0.1.1");
        first.upgrade(next, "0.1.1", KeptCore.sha256(next));
        await("the new core is active", () -> core.getVersion().toString().equals("0.1.1")
                && core.getState() == Bundle.ACTIVE);
        assertEquals(UpgradeRecordDTO.OUTCOME_RUNNING, first.history()[0].outcome);
        first.deactivate();
        stopFramework();

        startFramework(false, 5, null);
        Bundle restarted = framework.getBundleContext().getBundle(id);
        assertEquals("the update survives the restart", "0.1.1", restarted.getVersion().toString());
        CoreBundleUpgrader second = upgrader();
        UpgradeRecordDTO record = awaitFinished(second);
        assertEquals(record.reason, UpgradeRecordDTO.OUTCOME_UPGRADED, record.outcome);
        assertEquals(1, second.history().length);
        assertEquals("0.1.1", keptVersion());
        assertEquals(Bundle.ACTIVE, restarted.getState());
    }

    @Test
    public void aRestartBeforeTheNewCoreRanRollsBack() throws Exception {
        startFramework(true, 2, null);
        Bundle core = installCore();
        upgrader();
        new UpgradeHistory(data().resolve("upgrader/history.json")).start("0.1.0", "0.1.1", "a".repeat(64));

        CoreBundleUpgrader afterRestart = upgrader();
        UpgradeRecordDTO record = awaitFinished(afterRestart);
        assertEquals(UpgradeRecordDTO.OUTCOME_ROLLED_BACK, record.outcome);
        assertTrue(record.reason, record.reason.contains("restarted during the upgrade before core 0.1.1 ran"));
        assertEquals("the JVM stopped: a cause outside the core", UpgradeRecordDTO.CAUSE_OUTSIDE, record.cause);
        assertEquals("0.1.0", core.getVersion().toString());
        assertEquals(Bundle.ACTIVE, core.getState());
    }
}
