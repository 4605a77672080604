package io.midway.agent.internal.upgrade;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.osgi.framework.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.agent.internal.signing.SignatureGate;
import io.midway.agent.internal.sync.JarManifest;
import io.midway.agent.internal.sync.Sha256;
import io.midway.agent.internal.sync.SyncFailure;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.upgrade.CoreUpgrader;
import io.midway.api.upgrade.UpgradeRecordDTO;
import io.midway.signing.JarVerdict;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.InstanceInfo;

/**
 * Decides when the core upgrades itself and prepares it: target version = the agent's pin, else
 * the instance version. When it differs from the running core's, the instance offers a jar of
 * that version, and that jar is not skipped or waiting here ({@link UpgradeRetry}), the
 * coordinator downloads and verifies the jar while work goes on, then reports {@code Upgrading},
 * stops taking work, journals the queued records, lets running work finish and hands the jar to the
 * {@link CoreUpgrader}. A failure before the hand-over is
 * reported as {@code Upgrade Failed}, remembered with its cause, and normal work resumes.
 *
 * <p>At start it reports the outcome of the upgrader's newest history record once:
 * {@code Up} "upgraded from X to Y", or {@code Upgrade Failed} with the reason and whether and when
 * it is tried again (remembered) then {@code Up}. A failure outside the core is tried again after
 * a backoff; one of the core itself is skipped until the instance offers another jar. All of it runs on its own thread ({@code midway-upgrade}); the poll thread only
 * hands it the versions.
 */
public final class UpgradeCoordinator {

    /** The core's symbolic name: the only jar that may replace it. */
    public static final String CORE_SYMBOLIC_NAME = "io.midway.agent";
    /** How long running work may take to finish before the core is handed over. */
    public static final Duration WORK_GRACE = Duration.ofSeconds(60);
    /** How long the outcome of an upgrade still running at start is waited for. */
    static final Duration OUTCOME_WAIT = Duration.ofMinutes(15);

    /** Running the target version. */
    public static final String STATE_CURRENT = "current";
    /** An upgrade is under way. */
    public static final String STATE_UPGRADING = "upgrading";
    /** The pin holds the agent on a version other than the instance's. */
    public static final String STATE_PINNED = "pinned";
    /** The target's core itself failed here with the jar offered; not retried until another jar is offered. */
    public static final String STATE_SKIPPED = "skipped";
    /** The target failed here for a reason outside the core; tried again at the retry time. */
    public static final String STATE_WAITING = "waiting";
    /** The instance offers no jar of the target version. */
    public static final String STATE_UNAVAILABLE = "unavailable";
    /** No word from the instance yet. */
    public static final String STATE_UNKNOWN = "unknown";

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeCoordinator.class);

    private final String currentVersion;
    private final UpgradeHost host;
    private final Supplier<CoreUpgrader> upgrader;
    private final Duration workGrace;
    private final Path downloads;
    private final WorkJournal journal;
    private final UpgradeStateStore store;
    private volatile SignatureGate signing = SignatureGate.OFF;
    private final AtomicBoolean checkQueued = new AtomicBoolean();

    private ExecutorService executor;
    private volatile String instanceVersion;
    private volatile String pinnedVersion;
    private volatile String state = STATE_UNKNOWN;
    private volatile String lastFailure;
    private volatile String failureCause;
    private volatile String retryAt;
    private volatile boolean handedOver;
    private volatile String lastLogged;

    /**
     * @param currentVersion the running core's Bundle-Version
     * @param dataDir {@code <midway.data>}: {@code upgrade/} and {@code journal/} live there
     * @param host the agent and the instance
     * @param upgrader the upgrader service, or {@code null} when none is present
     * @param workGrace how long running work may take to finish before the hand-over
     */
    public UpgradeCoordinator(String currentVersion, Path dataDir, UpgradeHost host, Supplier<CoreUpgrader> upgrader,
            Duration workGrace) {
        this.currentVersion = currentVersion;
        this.host = host;
        this.upgrader = upgrader;
        this.workGrace = workGrace;
        this.downloads = dataDir.resolve("upgrade").resolve("download");
        this.journal = new WorkJournal(dataDir.resolve("journal"));
        this.store = new UpgradeStateStore(dataDir.resolve("upgrade").resolve("state.json"));
    }

    /** @return the journal of work queued when an upgrade began */
    public WorkJournal journal() {
        return journal;
    }

    /** Starts the coordinator's thread. */
    public synchronized void start() {
        executor = io.midway.agent.internal.lifecycle.OnDemandThread.named("midway-upgrade");
    }

    /** Stops the coordinator's thread (interrupting a wait), without joining it for long. */
    public void stop() {
        ExecutorService e;
        synchronized (this) {
            e = executor;
            executor = null;
        }
        if (e != null) {
            e.shutdownNow();
            try {
                if (!e.awaitTermination(2, TimeUnit.SECONDS)) {
                    LOG.debug("The upgrade thread did not stop within 2 s");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean submit(Runnable task) {
        ExecutorService e;
        synchronized (this) {
            e = executor;
        }
        if (e == null) {
            return false;
        }
        try {
            e.execute(task);
            return true;
        } catch (RejectedExecutionException stopping) {
            return false;
        }
    }

    /** The agent registered: report the outcome of the last upgrade, waiting for it if it is still running. */
    public void registered() {
        submit(() -> reportOutcome(true));
    }

    /**
     * The agent's identity is open, its registration not done yet: the outcome of the upgrade that
     * brought this core (once the upgrader has judged it) is reported now, beside the registration,
     * not after it. Standard work comes back with {@code Up}, so the report's round trip is no
     * longer added to the upgrade's pause. {@link #registered()} reports what this could not.
     */
    public void identityReady() {
        submit(() -> reportOutcome(true, true));
    }

    /**
     * A poll reply arrived; checks (on the upgrade thread) whether to upgrade.
     *
     * @param newInstanceVersion its {@code instance_version}
     * @param newPinnedVersion its {@code pinned_version}
     */
    public void polled(String newInstanceVersion, String newPinnedVersion) {
        instanceVersion = blankToNull(newInstanceVersion);
        pinnedVersion = blankToNull(newPinnedVersion);
        if (checkQueued.compareAndSet(false, true)) {
            if (!submit(() -> {
                checkQueued.set(false);
                reportOutcome(false);
                try {
                    check();
                } catch (IOException e) {
                    logOnce("Cannot check for a core upgrade: " + e.getMessage());
                }
            })) {
                checkQueued.set(false);
            }
        }
    }

    /**
     * Checks now: reads the instance version from {@code instance_info}, then upgrades if needed.
     *
     * @return the state after the check
     * @throws IOException when the instance cannot be reached
     */
    public UpgradeStatusDTO checkNow() throws IOException {
        InstanceInfo info = host.instanceInfo();
        instanceVersion = blankToNull(info.version());
        ExecutorService e;
        synchronized (this) {
            e = executor;
        }
        if (e == null) {
            throw new IOException("the agent is not running");
        }
        Future<?> done;
        try {
            done = e.submit(() -> {
                check();
                return null;
            });
        } catch (RejectedExecutionException stopping) {
            throw new IOException("the agent is stopping");
        }
        try {
            done.get(2, TimeUnit.MINUTES);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("the check failed: " + ex.getCause(), ex.getCause());
        } catch (TimeoutException ex) {
            throw new IOException("the check did not finish within 2 minutes");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking for an upgrade");
        }
        return status();
    }

    /** @return the upgrade state now */
    public UpgradeStatusDTO status() {
        UpgradeStatusDTO dto = new UpgradeStatusDTO();
        dto.currentVersion = currentVersion;
        dto.targetVersion = target(instanceVersion, pinnedVersion);
        dto.pinnedVersion = pinnedVersion;
        dto.state = state;
        boolean failedHere = STATE_SKIPPED.equals(state) || STATE_WAITING.equals(state);
        dto.lastFailure = failedHere ? lastFailure : null;
        dto.failureCause = failedHere ? failureCause : null;
        dto.retryAt = STATE_WAITING.equals(state) ? retryAt : null;
        CoreUpgrader u = upgrader.get();
        dto.history = u == null ? new UpgradeRecordDTO[0] : u.history();
        return dto;
    }

    /**
     * @param instance the instance version, or {@code null}
     * @param pinned the pin, or {@code null}
     * @return the version to run: the pin, else the instance version
     */
    static String target(String instance, String pinned) {
        return pinned != null ? pinned : instance;
    }

    /**
     * @param a a version
     * @param b another
     * @return whether they are the same OSGi version (text compared when either is not one)
     */
    static boolean sameVersion(String a, String b) {
        try {
            return Version.parseVersion(a).equals(Version.parseVersion(b));
        } catch (IllegalArgumentException e) {
            return a.equals(b);
        }
    }

    /** Decides and, when due, upgrades. Runs on the upgrade thread. */
    private void check() throws IOException {
        if (handedOver) {
            return;
        }
        if (upgradeRunning()) {
            state = STATE_UPGRADING;
            return;
        }
        String target = target(instanceVersion, pinnedVersion);
        if (target == null) {
            state = STATE_UNKNOWN;
            return;
        }
        if (sameVersion(target, currentVersion)) {
            state = pinnedVersion != null && instanceVersion != null && !sameVersion(pinnedVersion, instanceVersion)
                    ? STATE_PINNED : STATE_CURRENT;
            return;
        }
        InstanceInfo.Core offered = null;
        for (InstanceInfo.Core core : host.cores()) {
            if (CORE_SYMBOLIC_NAME.equals(core.symbolicName()) && core.version() != null
                    && sameVersion(core.version(), target)) {
                offered = core;
            }
        }
        if (offered == null) {
            state = STATE_UNAVAILABLE;
            logOnce("Core " + target + " is the target (" + (pinnedVersion != null ? "pinned" : "instance version")
                    + ") but the instance offers no " + CORE_SYMBOLIC_NAME + " jar of that version; staying on "
                    + currentVersion);
            return;
        }
        UpgradeStateStore.Failure failure = store.failure(target);
        switch (UpgradeRetry.decide(failure, offered.sha256(), Instant.now())) {
            case SKIP -> {
                remember(failure, STATE_SKIPPED);
                logOnce("Not upgrading to core " + target + " again: the core itself failed here (" + failure.reason()
                        + "); a new jar or another version is tried");
            }
            case WAIT -> {
                remember(failure, STATE_WAITING);
                logOnce("Core " + target + " failed here for a reason outside it (" + failure.reason()
                        + "); trying it again at " + failure.retryAt());
            }
            default -> {
                if (failure != null && failure.sha256().equals(offered.sha256())) {
                    LOG.info("Trying core {} again after a failure outside it (attempt {}): {}", target,
                            failure.attempts() + 1, failure.reason());
                }
                upgrade(offered, target);
            }
        }
    }

    private void remember(UpgradeStateStore.Failure failure, String newState) {
        lastFailure = failure.reason();
        failureCause = UpgradeRetry.causeOf(failure.cause(), failure.reason());
        retryAt = failure.retryAt();
        state = newState;
    }

    /** The sentence after a failure's reason: when it is tried again, or that it is not. */
    static String nextStep(UpgradeStateStore.Failure failure) {
        return UpgradeRecordDTO.CAUSE_OUTSIDE.equals(failure.cause())
                ? "; a cause outside the core: tried again at " + failure.retryAt()
                : "; the core itself failed: not tried again until the instance offers another jar";
    }

    private boolean upgradeRunning() {
        CoreUpgrader u = upgrader.get();
        if (u == null) {
            return false;
        }
        UpgradeRecordDTO last = newest(u.history());
        return last != null && UpgradeRecordDTO.OUTCOME_RUNNING.equals(last.outcome);
    }

    private void upgrade(InstanceInfo.Core core, String target) {
        Path jar = downloads.resolve(core.sha256() + ".jar");
        try {
            upgradeWith(core, target, jar);
        } finally {
            try {
                Files.deleteIfExists(jar);
            } catch (IOException e) {
                LOG.debug("Cannot remove {}: {}", jar, e.getMessage());
            }
        }
    }

    /**
     * Downloads and checks the jar while the agent still takes work (the download is no part of
     * the pause), then reports {@code Upgrading}, stops taking work, journals what is queued, lets
     * running work finish and hands the jar over.
     */
    private void upgradeWith(InstanceInfo.Core core, String target, Path jar) {
        LOG.debug("Upgrade step: downloading core {} while work goes on", target);
        try {
            fetch(core, target, jar);
        } catch (UpgradeFailure e) {
            failedBeforeStopping(target, core.sha256(), e.getMessage(), e.cause());
            return;
        }
        LOG.debug("Upgrade step: core {} downloaded and verified; the agent stops taking work", target);
        String before = state;
        state = STATE_UPGRADING;
        LOG.info("Upgrading the core from {} to {} (sha256 {})", currentVersion, target, core.sha256());
        // Two round trips to the instance, at the same time: releasing the poll (the poller stops)
        // and reporting Upgrading; the pause includes both, one after the other it would be their sum
        CompletableFuture<List<EccRecord>> taken = new CompletableFuture<>();
        Thread stopper = DaemonThreads.newThread("midway-upgrade-stop", () -> {
            try {
                taken.complete(host.stopTakingWork());
            } catch (InterruptedException | RuntimeException e) {
                taken.completeExceptionally(e);
            }
        });
        stopper.start();
        IOException notReported = null;
        try {
            host.reportStatus(AgentRecord.STATUS_UPGRADING, "upgrading the core from " + currentVersion + " to " + target);
        } catch (IOException e) {
            notReported = e;
        }
        List<EccRecord> queued;
        try {
            queued = taken.get();
            LOG.debug("Upgrade step: Upgrading reported, poller stopped, {} queued record(s) taken back", queued.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            LOG.error("Stopping the poller for the upgrade failed", e.getCause());
            queued = List.of();
        }
        if (notReported != null) {
            state = before;
            logOnce("Cannot tell the instance the agent upgrades (" + notReported.getMessage() + "); trying again later");
            queued.forEach(host::run);
            host.resumeWork();
            return;
        }
        try {
            journal.write(queued);
        } catch (IOException e) {
            queued.forEach(host::run);
            failed(target, core.sha256(), "cannot journal the queued work in " + journal.directory() + ": "
                    + e.getMessage(), UpgradeRecordDTO.CAUSE_OUTSIDE);
            return;
        }
        try {
            if (!host.awaitRunningWork(workGrace)) {
                LOG.warn("Running work did not finish within {} s before the upgrade; the instance hands it out "
                        + "again after its lease", workGrace.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        LOG.debug("Upgrade step: running work finished; handing the core over");
        try {
            CoreUpgrader u = upgrader.get();
            if (u == null) {
                throw new UpgradeFailure("no core upgrader is running (bundle io.midway.agent.upgrader)",
                        UpgradeRecordDTO.CAUSE_OUTSIDE);
            }
            try {
                u.upgrade(jar, target, core.sha256());
            } catch (RuntimeException e) {
                throw new UpgradeFailure("the upgrader refused the core: " + e.getMessage(),
                        UpgradeRecordDTO.CAUSE_OUTSIDE);
            }
            handedOver = true;
            LOG.info("Handed core {} to the upgrader; this core {} stops now", target, currentVersion);
        } catch (UpgradeFailure e) {
            failed(target, core.sha256(), e.getMessage(), e.cause());
        }
    }

    /** Downloads the jar and checks size, SHA-256, symbolic name and version. */
    private void fetch(InstanceInfo.Core core, String target, Path jar) throws UpgradeFailure {
        try {
            Files.createDirectories(downloads);
            host.downloadCore(core.sha256(), jar);
            long size = Files.size(jar);
            if (core.size() > 0 && size != core.size()) {
                throw new UpgradeFailure("core " + target + " download has " + size + " bytes, not " + core.size(),
                        UpgradeRecordDTO.CAUSE_OUTSIDE);
            }
            String sha = Sha256.of(jar);
            if (!sha.equals(core.sha256())) {
                throw new UpgradeFailure("core " + target + " download has SHA-256 " + sha + ", not " + core.sha256(),
                        UpgradeRecordDTO.CAUSE_OUTSIDE);
            }
        } catch (IOException e) {
            throw new UpgradeFailure("cannot download core " + target + ": " + e.getMessage(),
                    UpgradeRecordDTO.CAUSE_OUTSIDE);
        }
        JarManifest manifest;
        try {
            manifest = JarManifest.read(jar);
        } catch (SyncFailure e) {
            throw new UpgradeFailure("core " + target + " is " + e.getMessage(), UpgradeRecordDTO.CAUSE_CORE);
        }
        if (!CORE_SYMBOLIC_NAME.equals(manifest.symbolicName()) || !sameVersion(manifest.version(), target)) {
            throw new UpgradeFailure("the jar offered as core " + target + " is " + manifest.symbolicName() + " "
                    + manifest.version() + ", not " + CORE_SYMBOLIC_NAME + " " + target, UpgradeRecordDTO.CAUSE_CORE);
        }
        // the downloaded file is the one handed over (the upgrader copies it and checks its hash)
        JarVerdict verdict = signing.check(jar);
        if (!verdict.accepted()) {
            throw new UpgradeFailure("core " + target + " is refused: " + verdict.reason(), UpgradeRecordDTO.CAUSE_CORE);
        }
    }

    /** @param gate whether an offered core may be installed (signatures); not required until set */
    public void signing(SignatureGate gate) {
        this.signing = gate;
    }

    /** Reports and remembers a failure of the download, before the agent stopped taking work. */
    private void failedBeforeStopping(String target, String sha256, String reason, String cause) {
        UpgradeStateStore.Failure f = store.failed(target, sha256, reason, cause, Instant.now());
        LOG.error("Upgrade of the core to {} failed: {}{}; staying on {}", target, reason, nextStep(f), currentVersion);
        remember(f, UpgradeRecordDTO.CAUSE_OUTSIDE.equals(f.cause()) ? STATE_WAITING : STATE_SKIPPED);
        report(AgentRecord.STATUS_UPGRADE_FAILED, reason + nextStep(f));
        report(AgentRecord.STATUS_UP, "running core " + currentVersion + " after the failed upgrade to " + target);
    }

    /** Reports and remembers a failure before the hand-over, then resumes normal work. */
    private void failed(String target, String sha256, String reason, String cause) {
        failedBeforeStopping(target, sha256, reason, cause);
        journal.replay(host::run);
        host.resumeWork();
    }

    private boolean report(String status, String detail) {
        try {
            host.reportStatus(status, detail);
            return true;
        } catch (IOException e) {
            LOG.warn("Cannot report {} to the instance: {}", status, e.getMessage());
            return false;
        }
    }

    /**
     * Reports the newest finished upgrade record once.
     *
     * @param wait whether to wait while the newest record is still running
     */
    private void reportOutcome(boolean wait) {
        reportOutcome(wait, false);
    }

    /**
     * @param wait whether to wait while the newest record is still running
     * @param upgradedOnly report an upgrade that succeeded only (a rollback is counted and reported
     *     after the registration, once)
     */
    private void reportOutcome(boolean wait, boolean upgradedOnly) {
        CoreUpgrader u = upgrader.get();
        if (u == null) {
            return;
        }
        UpgradeRecordDTO last = newest(u.history());
        if (wait && last != null && UpgradeRecordDTO.OUTCOME_RUNNING.equals(last.outcome)) {
            LOG.info("The upgrade from {} to {} is being finished by the upgrader; waiting for its outcome",
                    last.fromVersion, last.toVersion);
            // woken by the upgrader as it records the outcome: the agent stays Upgrading (taking
            // no standard work) until it reports it, so no fixed interval may sit in between
            try {
                last = newest(u.awaitNotRunning(OUTCOME_WAIT));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            LOG.debug("Upgrade step: the upgrader recorded outcome '{}'", last == null ? null : last.outcome);
        }
        if (last == null || UpgradeRecordDTO.OUTCOME_RUNNING.equals(last.outcome)
                || upgradedOnly && !UpgradeRecordDTO.OUTCOME_UPGRADED.equals(last.outcome)) {
            return;
        }
        String key = last.started + "|" + last.toVersion + "|" + last.sha256;
        if (key.equals(store.reported())) {
            return;
        }
        if (UpgradeRecordDTO.OUTCOME_UPGRADED.equals(last.outcome)) {
            LOG.info("Upgraded the core from {} to {}", last.fromVersion, last.toVersion);
            if (!report(AgentRecord.STATUS_UP, "upgraded from " + last.fromVersion + " to " + last.toVersion)) {
                return;
            }
        } else if (UpgradeRecordDTO.OUTCOME_ROLLED_BACK.equals(last.outcome)) {
            String reason = last.reason == null ? "rolled back" : last.reason;
            UpgradeStateStore.Failure f = store.failed(last.toVersion, last.sha256, reason, last.cause, Instant.now());
            LOG.error("The upgrade of the core to {} was rolled back: {}{}; running {}", last.toVersion, reason,
                    nextStep(f), currentVersion);
            remember(f, UpgradeRecordDTO.CAUSE_OUTSIDE.equals(f.cause()) ? STATE_WAITING : STATE_SKIPPED);
            if (!report(AgentRecord.STATUS_UPGRADE_FAILED, reason + nextStep(f))
                    || !report(AgentRecord.STATUS_UP, "running core " + currentVersion + " after the failed upgrade to "
                            + last.toVersion)) {
                return;
            }
        }
        store.reported(key);
    }

    private static UpgradeRecordDTO newest(UpgradeRecordDTO[] history) {
        return history == null || history.length == 0 ? null : history[history.length - 1];
    }

    private void logOnce(String message) {
        if (!message.equals(lastLogged)) {
            lastLogged = message;
            LOG.warn(message);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** An upgrade that failed before the hand-over; the message says why. */
    static final class UpgradeFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String cause;

        UpgradeFailure(String message, String cause) {
            super(message);
            this.cause = cause;
        }

        /** @return {@code core} or {@code outside} */
        String cause() {
            return cause;
        }
    }
}
