package io.midway.agent.internal;

import static io.midway.agent.internal.FakeInstance.record;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.agent.internal.signing.AgentSigning;
import io.midway.signing.SignerPolicy;
import io.midway.testing.jars.TestSigner;
import io.midway.agent.internal.upgrade.FakeCoreUpgrader;
import io.midway.agent.internal.upgrade.UpgradeStateStore;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeResult;
import io.midway.api.upgrade.CoreUpgrader;
import io.midway.api.upgrade.UpgradeRecordDTO;
import io.midway.testing.jars.TestJars;
import io.midway.wire.AgentRecord;
import io.midway.wire.StatusChange;

/** The core's side of an upgrade, against the fake instance and a fake upgrader service. */
public class AgentUpgradeTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeInstance instance;
    private AgentRuntime agent;
    private Path data;
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Before
    public void setUp() throws IOException {
        instance = FakeInstance.start();
        data = tmp.getRoot().toPath();
    }

    @After
    public void tearDown() {
        release.countDown();
        if (agent != null) {
            agent.stop();
        }
        instance.close();
    }

    private AgentSettings settings() {
        return new AgentSettings(instance.url(), "test", "mid", "secret", 2, 2, 1, 200, 100, data.resolve("spool"),
                null, data.resolve("sync"));
    }

    private AgentRuntime start(String version, Supplier<CoreUpgrader> upgrader) throws IOException {
        agent = new AgentRuntime(settings(), version, AgentRuntimeTest.FAST, null, upgrader, Duration.ofSeconds(10));
        agent.addProbe(request -> {
            started.add(request.sysId());
            if (!release.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            return ProbeResult.of(Map.of("ran", request.sysId()));
        }, Map.of(Probe.TOPIC_PROPERTY, "Slow"));
        agent.addProbe(request -> ProbeResult.of(Map.of("echo", request.sysId())), Map.of(Probe.TOPIC_PROPERTY, "Echo"));
        agent.start();
        Await.until("the agent registered", () -> instance.agents.containsKey("test"));
        return agent;
    }

    private Path coreJar(String version, String name) throws IOException {
        return TestJars.withHeaders(Path.of(System.getProperty("midway.test.echo.jar")), data.resolve(name),
                Map.of("Bundle-SymbolicName", "io.midway.agent", "Bundle-Version", version));
    }

    private long statuses(String status) {
        return instance.statusChanges.stream().filter(c -> c.status().equals(status)).count();
    }

    private StatusChange lastStatus(String status) {
        StatusChange last = null;
        for (StatusChange c : instance.statusChanges) {
            if (c.status().equals(status)) {
                last = c;
            }
        }
        return last;
    }

    private void awaitPolls(int more) {
        int target = instance.pollMaxes.size() + more;
        Await.until(more + " more polls", () -> instance.pollMaxes.size() >= target);
    }

    private static long files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var list = Files.list(dir)) {
            return list.filter(p -> p.toString().endsWith(".json")).count();
        }
    }

    @Test
    public void upgradesToTheInstanceVersionJournalingQueuedWorkForTheNextCore() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        start("0.1.0", () -> upgrader);
        instance.offer(record("A", "Slow", 2, null));
        Await.until("A runs", () -> started.contains("A"));
        instance.offer(record("B", "Slow", 2, null));
        instance.offer(record("C", "Slow", 2, null));
        Await.until("B and C are queued", () -> agent.status().pools[2].queued == 2);

        String sha = instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        Await.until("the agent reports Upgrading", () -> statuses(AgentRecord.STATUS_UPGRADING) == 1);
        assertEquals("upgrading the core from 0.1.0 to 0.1.1", lastStatus(AgentRecord.STATUS_UPGRADING).detail());
        Await.until("B and C are journaled", () -> {
            try {
                return files(data.resolve("journal")) == 2;
            } catch (IOException e) {
                return false;
            }
        });
        assertTrue("running work finishes before the hand-over", upgrader.calls.isEmpty());
        assertFalse(instance.inputs.containsKey("A"));
        release.countDown();

        Await.until("the jar is handed to the upgrader", () -> upgrader.calls.size() == 1);
        assertEquals(new FakeCoreUpgrader.Call("0.1.1", sha, sha), upgrader.calls.get(0));
        assertEquals(List.of(sha), instance.coreDownloads);
        Await.until("A's result is delivered", () -> instance.inputs.containsKey("A"));
        assertEquals("B and C wait in the journal", 2, files(data.resolve("journal")));
        assertFalse(instance.inputs.containsKey("B"));
        assertEquals(UpgradeStatusDTOState.UPGRADING, agent.upgradeStatus().state);
        int polls = instance.pollMaxes.size();

        // The upgrader stops this core and starts the new one on the same data folder.
        agent.stop();
        assertEquals("no polling after the hand-over", polls, instance.pollMaxes.size());
        upgrader.history = new UpgradeRecordDTO[] {
            FakeCoreUpgrader.record("0.1.0", "0.1.1", sha, UpgradeRecordDTO.OUTCOME_UPGRADED, null)};
        start("0.1.1", () -> upgrader);
        Await.until("the new core reports Up", () -> statuses(AgentRecord.STATUS_UP) == 1);
        assertEquals("upgraded from 0.1.0 to 0.1.1", lastStatus(AgentRecord.STATUS_UP).detail());
        Await.until("the journaled work ran on the new core",
                () -> instance.inputs.containsKey("B") && instance.inputs.containsKey("C"));
        assertEquals(0, files(data.resolve("journal")));
        Await.until("the state is current", () -> "current".equals(agent.upgradeStatus().state));
        assertEquals("0.1.1", agent.upgradeStatus().targetVersion);
        assertEquals(1, upgrader.calls.size());
    }

    /**
     * The order of an upgrade's steps, as the instance sees them (not their times): the jar is
     * downloaded while the agent still takes work, before it reports Upgrading (the instance then
     * gives it no standard work); the new core registers and polls at once, and reports Up as soon
     * as the upgrader signals the outcome (one wait on the upgrader, not a poll of its history on
     * an interval).
     */
    @Test
    public void theUpgradeDownloadsBeforeItPausesAndTheNewCoreWaitsForTheOutcomeSignal() throws Exception {
        CountDownLatch outcome = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger historyReadsWhileRunning = new java.util.concurrent.atomic.AtomicInteger();
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader() {
            @Override
            public UpgradeRecordDTO[] history() {
                UpgradeRecordDTO[] h = super.history();
                if (h.length > 0 && UpgradeRecordDTO.OUTCOME_RUNNING.equals(h[h.length - 1].outcome)) {
                    historyReadsWhileRunning.incrementAndGet();
                }
                return h;
            }

            @Override
            public UpgradeRecordDTO[] awaitNotRunning(Duration timeout) {
                waits.incrementAndGet();
                try {
                    outcome.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.history();
            }
        };
        start("0.1.0", () -> upgrader);
        String sha = instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        Await.until("the jar is handed to the upgrader", () -> upgrader.calls.size() == 1);
        List<String> before = List.copyOf(instance.steps);
        assertTrue(before.toString(), before.indexOf("core-download") >= 0);
        assertTrue("the core is downloaded while the agent still takes work, before it reports Upgrading: "
                + before, before.indexOf("core-download") < before.indexOf("status:" + AgentRecord.STATUS_UPGRADING));

        agent.stop();
        upgrader.history = new UpgradeRecordDTO[] {
            FakeCoreUpgrader.record("0.1.0", "0.1.1", sha, UpgradeRecordDTO.OUTCOME_RUNNING, null)};
        int mark = instance.steps.size();
        start("0.1.1", () -> upgrader);
        Await.until("the new core waits for the upgrader's outcome", () -> waits.get() == 1);
        Await.until("the new core polls while the upgrader judges it", () -> instance.steps.subList(mark,
                instance.steps.size()).contains("poll"));
        assertEquals("no Up before the upgrader's outcome", 0, statuses(AgentRecord.STATUS_UP));
        int readsBefore = historyReadsWhileRunning.get();
        upgrader.history = new UpgradeRecordDTO[] {
            FakeCoreUpgrader.record("0.1.0", "0.1.1", sha, UpgradeRecordDTO.OUTCOME_UPGRADED, null)};
        outcome.countDown();
        Await.until("the new core reports Up", () -> statuses(AgentRecord.STATUS_UP) == 1);
        List<String> after = List.copyOf(instance.steps.subList(mark, instance.steps.size()));
        assertEquals(after.toString(), "register", after.get(0));
        assertTrue("the new core polled before it reported Up: " + after,
                after.indexOf("poll") < after.indexOf("status:" + AgentRecord.STATUS_UP));
        assertEquals("one wait on the upgrader's signal", 1, waits.get());
        assertEquals("the running record is not polled for its outcome while the new core waits", readsBefore,
                historyReadsWhileRunning.get());
    }

    @Test
    public void theNewCoreReportsItsUpgradeBesideItsRegistrationNotAfterIt() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        start("0.1.0", () -> upgrader);
        String sha = instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        Await.until("the jar is handed to the upgrader", () -> upgrader.calls.size() == 1);
        agent.stop();
        // the upgrader has judged the new core healthy; the instance is slow to answer its registration
        upgrader.history = new UpgradeRecordDTO[] {
            FakeCoreUpgrader.record("0.1.0", "0.1.1", sha, UpgradeRecordDTO.OUTCOME_UPGRADED, null)};
        instance.holdRegistrations = new CountDownLatch(1);
        int mark = instance.steps.size();
        try {
            start("0.1.1", () -> upgrader);
            Await.until("the new core reports Up while its registration is still being answered",
                    () -> statuses(AgentRecord.STATUS_UP) == 1);
            List<String> stepsSince = List.copyOf(instance.steps.subList(mark, instance.steps.size()));
            assertTrue(stepsSince.toString(), stepsSince.contains("register"));
            assertEquals("upgraded from 0.1.0 to 0.1.1", lastStatus(AgentRecord.STATUS_UP).detail());
        } finally {
            instance.holdRegistrations.countDown();
        }
        instance.holdRegistrations = null;
        awaitPolls(2);
        assertEquals("reported once, not again after the registration", 1, statuses(AgentRecord.STATUS_UP));
    }

    @Test
    public void withoutAnUpgraderTheFailureIsReportedRememberedAndWorkGoesOn() throws Exception {
        start("0.1.0", () -> null);
        instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        Await.until("the agent reports Up again", () -> statuses(AgentRecord.STATUS_UP) == 1);
        assertEquals(1, statuses(AgentRecord.STATUS_UPGRADING));
        String detail = lastStatus(AgentRecord.STATUS_UPGRADE_FAILED).detail();
        String reason = "no core upgrader is running (bundle io.midway.agent.upgrader)";
        assertTrue(detail, detail.startsWith(reason + "; a cause outside the core: tried again at "));
        UpgradeStatusDTO status = agent.upgradeStatus();
        assertEquals("a cause outside the core waits for its retry", "waiting", status.state);
        assertEquals(reason, status.lastFailure);
        assertEquals(UpgradeRecordDTO.CAUSE_OUTSIDE, status.failureCause);
        assertTrue(status.retryAt, detail.endsWith(status.retryAt));
        assertEquals(reason, new UpgradeStateStore(data.resolve("upgrade/state.json")).failure("0.1.1").reason());

        // The poll interrupted when work stopped is still waiting in the fake instance (a real one
        // hands its records out again after the lease): let it end before offering more work.
        awaitPolls(2);
        instance.offer(record("E", "Echo", 2, null));
        Await.until("work goes on", () -> instance.inputs.containsKey("E"));
        awaitPolls(5);
        assertEquals("the same jar is not tried again before its retry time", 1, statuses(AgentRecord.STATUS_UPGRADING));

        instance.publishCore(TestJars.withHeaders(coreJar("0.1.1", "x.jar"), data.resolve("core-0.1.1b.jar"),
                Map.of("X-Rebuilt", "yes")));
        Await.until("a new jar of the same version is tried", () -> statuses(AgentRecord.STATUS_UPGRADING) == 2);
    }

    @Test
    public void aJarWhoseHashDoesNotMatchIsNeverHandedOver() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        start("0.1.0", () -> upgrader);
        String sha = instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        byte[] tampered = instance.cores.get(sha).clone();
        tampered[tampered.length - 30] ^= 1;
        instance.cores.put(sha, tampered);
        Await.until("the failure is reported", () -> statuses(AgentRecord.STATUS_UPGRADE_FAILED) == 1);
        String reason = lastStatus(AgentRecord.STATUS_UPGRADE_FAILED).detail();
        assertTrue(reason, reason.startsWith("core 0.1.1 download has SHA-256 "));
        assertTrue(upgrader.calls.isEmpty());
        Await.until("Up again", () -> statuses(AgentRecord.STATUS_UP) == 1);
    }

    @Test
    public void aJarThatIsNotTheCoreIsRefused() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        start("0.1.0", () -> upgrader);
        Path other = TestJars.withVersion(Path.of(System.getProperty("midway.test.echo.jar")), data.resolve("echo.jar"),
                "0.1.1");
        String sha = Sha(other);
        instance.cores.put(sha, Files.readAllBytes(other));
        instance.coreList.add(new io.midway.wire.InstanceInfo.Core("io.midway.agent", "0.1.1", sha, Files.size(other)));
        instance.instanceVersion = "0.1.1";
        Await.until("the failure is reported", () -> statuses(AgentRecord.STATUS_UPGRADE_FAILED) == 1);
        assertEquals("the jar offered as core 0.1.1 is io.midway.testing.echo 0.1.1, not io.midway.agent 0.1.1"
                + "; the core itself failed: not tried again until the instance offers another jar",
                lastStatus(AgentRecord.STATUS_UPGRADE_FAILED).detail());
        Await.until("skipped", () -> "skipped".equals(agent.upgradeStatus().state));
        assertEquals(UpgradeRecordDTO.CAUSE_CORE, agent.upgradeStatus().failureCause);
        assertNull(agent.upgradeStatus().retryAt);
        assertTrue(upgrader.calls.isEmpty());
    }

    @Test
    public void withSignaturesRequiredAnUnsignedCoreIsNeverHandedOverAndASignedOneIs() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        start("0.1.0", () -> upgrader);
        TestSigner ours = TestSigner.make(data.resolve("signers.p12"), "ours", "CN=Core signer");
        agent.signing(new AgentSigning(SignerPolicy.of(true, List.of(ours.fingerprint()))));
        instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        Await.until("the failure is reported", () -> statuses(AgentRecord.STATUS_UPGRADE_FAILED) == 1);
        assertTrue(lastStatus(AgentRecord.STATUS_UPGRADE_FAILED).detail(), lastStatus(AgentRecord.STATUS_UPGRADE_FAILED)
                .detail().startsWith("core 0.1.1 is refused: it is not signed; signatures are required"));
        Await.until("skipped", () -> "skipped".equals(agent.upgradeStatus().state));
        assertEquals(UpgradeRecordDTO.CAUSE_CORE, agent.upgradeStatus().failureCause);
        assertTrue("never handed over", upgrader.calls.isEmpty());

        instance.publishCore(ours.sign(coreJar("0.1.2", "core-0.1.2.jar")));
        Await.until("the signed core is handed over", () -> !upgrader.calls.isEmpty());
    }

    private static String Sha(Path file) throws IOException {
        return io.midway.agent.internal.sync.Sha256.of(file);
    }

    @Test
    public void aRolledBackUpgradeIsReportedOnceAtStartAndNotRetried() throws Exception {
        String sha = instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        String reason = "core 0.1.1 did not start: Unable to resolve io.midway.agent";
        upgrader.history = new UpgradeRecordDTO[] {
            FakeCoreUpgrader.record("0.1.0", "0.1.1", sha, UpgradeRecordDTO.OUTCOME_ROLLED_BACK, reason)};
        start("0.1.0", () -> upgrader);
        Await.until("Upgrade Failed, then Up", () -> statuses(AgentRecord.STATUS_UP) == 1);
        assertEquals(reason + "; the core itself failed: not tried again until the instance offers another jar",
                lastStatus(AgentRecord.STATUS_UPGRADE_FAILED).detail());
        int failedAt = instance.statusChanges.indexOf(lastStatus(AgentRecord.STATUS_UPGRADE_FAILED));
        int upAt = instance.statusChanges.indexOf(lastStatus(AgentRecord.STATUS_UP));
        assertTrue(failedAt < upAt);
        awaitPolls(5);
        assertEquals("the failed jar is not tried again", 0, statuses(AgentRecord.STATUS_UPGRADING));
        assertTrue(upgrader.calls.isEmpty());
        assertEquals("skipped", agent.upgradeStatus().state);
        assertEquals(reason, agent.upgradeStatus().lastFailure);
        assertEquals(1, agent.upgradeStatus().history.length);

        agent.stop();
        start("0.1.0", () -> upgrader);
        awaitPolls(5);
        assertEquals("reported once", 1, statuses(AgentRecord.STATUS_UPGRADE_FAILED));
        assertEquals(0, statuses(AgentRecord.STATUS_UPGRADING));
    }

    @Test
    public void aRollbackForACauseOutsideTheCoreIsReportedWithItsRetryTimeAndNotSkipped() throws Exception {
        String sha = instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        String reason = "the agent restarted during the upgrade before core 0.1.1 ran (core 0.1.0 runs)";
        UpgradeRecordDTO rolledBack = FakeCoreUpgrader.record("0.1.0", "0.1.1", sha,
                UpgradeRecordDTO.OUTCOME_ROLLED_BACK, reason);
        rolledBack.cause = UpgradeRecordDTO.CAUSE_OUTSIDE;
        upgrader.history = new UpgradeRecordDTO[] {rolledBack};
        start("0.1.0", () -> upgrader);
        Await.until("Upgrade Failed, then Up", () -> statuses(AgentRecord.STATUS_UP) == 1);
        String detail = lastStatus(AgentRecord.STATUS_UPGRADE_FAILED).detail();
        assertTrue(detail, detail.startsWith(reason + "; a cause outside the core: tried again at "));
        awaitPolls(5);
        UpgradeStatusDTO status = agent.upgradeStatus();
        assertEquals("waiting", status.state);
        assertEquals(reason, status.lastFailure);
        assertEquals(UpgradeRecordDTO.CAUSE_OUTSIDE, status.failureCause);
        java.time.Instant retry = java.time.Instant.parse(status.retryAt);
        java.time.Duration wait = java.time.Duration.between(java.time.Instant.now(), retry);
        assertTrue("the first retry is about a minute away: " + wait,
                wait.compareTo(java.time.Duration.ofSeconds(40)) > 0 && wait.compareTo(java.time.Duration.ofSeconds(61)) <= 0);
        assertTrue("not tried before the retry time", upgrader.calls.isEmpty());
        assertEquals(0, statuses(AgentRecord.STATUS_UPGRADING));
        agent.stop();

        // The retry time passed (as if the agent had been stopped for an hour): the same jar is tried again.
        UpgradeStateStore store = new UpgradeStateStore(data.resolve("upgrade/state.json"));
        store.failed("0.1.1", sha, reason, UpgradeRecordDTO.CAUSE_OUTSIDE, java.time.Instant.now().minus(
                java.time.Duration.ofHours(1)));
        start("0.1.0", () -> upgrader);
        Await.until("the same jar is tried again", () -> upgrader.calls.size() == 1);
        assertEquals("0.1.1", upgrader.calls.get(0).version());
        assertEquals(1, statuses(AgentRecord.STATUS_UPGRADING));
    }

    @Test
    public void aPinHoldsTheAgentOnItsVersion() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        instance.publishCore(coreJar("0.1.1", "core-0.1.1.jar"));
        instance.pinnedVersion = "0.1.0";
        start("0.1.0", () -> upgrader);
        Await.until("pinned", () -> "pinned".equals(agent.upgradeStatus().state));
        awaitPolls(3);
        UpgradeStatusDTO status = agent.upgradeStatus();
        assertEquals("0.1.0", status.targetVersion);
        assertEquals("0.1.0", status.pinnedVersion);
        assertEquals(0, statuses(AgentRecord.STATUS_UPGRADING));

        instance.pinnedVersion = null;
        Await.until("unpinned, it follows the instance", () -> upgrader.calls.size() == 1);
        assertEquals("0.1.1", upgrader.calls.get(0).version());
    }

    @Test
    public void noJarForTheTargetIsUnavailableAndNothingStops() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        instance.instanceVersion = "0.2.0";
        start("0.1.0", () -> upgrader);
        Await.until("unavailable", () -> "unavailable".equals(agent.upgradeStatus().state));
        instance.offer(record("E", "Echo", 2, null));
        Await.until("work goes on", () -> instance.inputs.containsKey("E"));
        assertEquals(0, instance.statusChanges.size());
        assertNull(agent.upgradeStatus().lastFailure);
    }

    @Test
    public void checkForUpgradeReadsTheInstanceVersionNow() throws Exception {
        FakeCoreUpgrader upgrader = new FakeCoreUpgrader();
        start("0.1.0", () -> upgrader);
        instance.instanceVersion = "0.1.0";
        assertEquals("current", agent.checkForUpgrade().state);
        instance.close();
        try {
            agent.checkForUpgrade();
            org.junit.Assert.fail("an unreachable instance must be an IOException");
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("cannot reach instance"));
        }
    }

    /** The states named in UpgradeStatusDTO. */
    private static final class UpgradeStatusDTOState {
        static final String UPGRADING = "upgrading";
    }
}
