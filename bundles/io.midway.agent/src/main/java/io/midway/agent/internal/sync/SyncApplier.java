package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.agent.SyncResultDTO;
import io.midway.wire.SyncFile;
import io.midway.wire.SyncReport;
import io.midway.wire.SyncSnapshot;

/**
 * Applies one snapshot to the framework and rolls back what fails: plans the steps
 * ({@link SyncPlanner}); downloads what is not in the cache and verifies each jar's hash and
 * symbolic name; installs (location {@code midway-sync:<symbolic name>}) or updates (same bundle
 * id) without starting; uninstalls what left the snapshot; refreshes only the touched bundles that
 * wait for it; then starts each changed bundle and checks its health. A file that fails is rolled
 * back: updated back to the previous jar from the cache and started, or uninstalled if it was new.
 * Saves the new state, prunes the cache and reports the outcome. Runs on the sync thread only.
 */
final class SyncApplier {

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncer.class);

    private final String agentName;
    private final SyncSource source;
    private final PluginFramework framework;
    private final SyncStateStore store;
    private final JarCache cache;
    private final SyncPlanner planner = new SyncPlanner();
    private final Duration healthTimeout;
    private final SyncReporter reporter;
    private final BundlePrecedence precedence;
    private final SyncStatus status;
    private final Runnable bundlesSettled;

    /**
     * @param bundlesSettled told, on the sync thread, when a sync's bundles are installed, started
     *     and checked (or rolled back), before its state is saved and reported
     */
    SyncApplier(String agentName, SyncSource source, PluginFramework framework, SyncStateStore store, JarCache cache,
            Duration healthTimeout, SyncReporter reporter, BundlePrecedence precedence, SyncStatus status,
            Runnable bundlesSettled) {
        this.bundlesSettled = bundlesSettled;
        this.agentName = agentName;
        this.source = source;
        this.framework = framework;
        this.store = store;
        this.cache = cache;
        this.healthTimeout = healthTimeout;
        this.reporter = reporter;
        this.precedence = precedence;
        this.status = status;
    }

    /** A file being installed or updated, from the jar in the cache on. */
    private static final class Change {
        final SyncStep step;
        final Path jar;
        final List<InstalledBundle> stoppedShipped = new ArrayList<>();
        long id = -1;

        Change(SyncStep step, Path jar) {
            this.step = step;
            this.jar = jar;
        }

        String action() {
            return step.action() == SyncStep.Action.INSTALL ? SyncReport.Result.ACTION_INSTALL
                    : SyncReport.Result.ACTION_UPDATE;
        }
    }

    /**
     * Applies a snapshot. Runs on the sync thread only.
     *
     * @param snapshot what the instance wants
     * @param progress told one line per file as each is done
     * @return what was done
     * @throws InterruptedException when the agent stops meanwhile
     */
    SyncResultDTO apply(SyncSnapshot snapshot, Consumer<String> progress) throws InterruptedException {
        status.syncing(snapshot);
        try {
            SyncState before = status.state();
            Map<String, SyncState.Installed> files = new TreeMap<>(before.files());
            SyncResults results = new SyncResults(progress);
            List<SyncFile> wanted = snapshot.files() == null ? List.of() : snapshot.files();
            List<SyncStep> steps = planner.plan(wanted, before, framework.bundles());
            Set<Long> touched = new LinkedHashSet<>();

            List<Change> changes = new ArrayList<>();
            for (SyncStep step : steps) {
                switch (step.action()) {
                    case UNINSTALL -> uninstall(step, files, touched, results);
                    case SKIP -> skip(step, files, touched, results);
                    case INVALID -> results.add(step.symbolicName(), step.version(), null,
                            SyncReport.Result.ACTION_INSTALL, SyncReport.Result.OUTCOME_FAILED, step.reason());
                    case UNCHANGED -> keepRunning(step);
                    case INSTALL, UPDATE -> fetch(step, results).ifPresent(changes::add);
                    default -> throw new IllegalStateException("unknown step " + step.action());
                }
            }

            // Install and update everything first, so that bundles new together resolve together.
            List<Change> applied = new ArrayList<>();
            for (Change change : changes) {
                String failure = installOrUpdate(change, touched);
                if (failure == null) {
                    applied.add(change);
                } else {
                    results.add(change.step.symbolicName(), change.step.file().version(), change.step.file().sha256(),
                            change.action(), SyncReport.Result.OUTCOME_FAILED, failure);
                }
            }
            refresh(touched);

            for (Change change : applied) {
                String failure = startAndCheck(change);
                SyncFile file = change.step.file();
                if (failure == null) {
                    files.put(change.step.symbolicName(), new SyncState.Installed(file.sha256(), file.version(),
                            file.kind()));
                    results.add(change.step.symbolicName(), file.version(), file.sha256(), change.action(),
                            SyncReport.Result.OUTCOME_OK, null);
                } else {
                    String rolledBack = rollBack(change, files, touched);
                    results.add(change.step.symbolicName(), file.version(), file.sha256(), change.action(),
                            SyncReport.Result.OUTCOME_FAILED, failure + "; " + rolledBack);
                }
            }

            String outcome = results.anyFailed() ? SyncReport.STATE_FAILED : SyncReport.STATE_APPLIED;
            SyncState after = new SyncState(snapshot.revision(), outcome, files);
            status.applied(after);
            // The probes of the new bundles are registered now: work waiting for them need not wait
            // for the state file, the cache and the report to the instance.
            bundlesSettled.run();
            try {
                store.save(after);
            } catch (IOException e) {
                LOG.error("Cannot write the sync state {}: {}; the next start compares with the framework only",
                        store.file(), e.getMessage());
            }
            // The jars of files deploy/ stands in for stay cached: when the deploy jar goes, sync's
            // copy comes back from the cache at once, without the instance.
            Set<String> keep = files.values().stream().map(SyncState.Installed::sha256).collect(Collectors.toSet());
            steps.stream().filter(s -> s.action() == SyncStep.Action.SKIP && s.file() != null)
                    .forEach(s -> keep.add(s.file().sha256()));
            cache.prune(keep);

            SyncReport report = new SyncReport(agentName, snapshot.revision(), outcome, results.sorted());
            SyncResultDTO result = SyncResults.toDto(report);
            LOG.info("File sync: {}", SyncSummary.of(result));
            status.finished(result);
            reporter.send(report);
            return result;
        } finally {
            status.settled();
        }
    }

    private void uninstall(SyncStep step, Map<String, SyncState.Installed> files, Set<Long> touched,
            SyncResults results) {
        String name = step.symbolicName();
        if (step.synced() == null) {
            files.remove(name);
            return;
        }
        try {
            framework.uninstall(step.synced().id());
            touched.add(step.synced().id());
            files.remove(name);
            precedence.startShipped(step.shipped());
            results.add(name, step.version(), null, SyncReport.Result.ACTION_UNINSTALL, SyncReport.Result.OUTCOME_OK,
                    null);
        } catch (SyncFailure e) {
            results.add(name, step.version(), null, SyncReport.Result.ACTION_UNINSTALL,
                    SyncReport.Result.OUTCOME_FAILED, e.getMessage());
        }
    }

    private void skip(SyncStep step, Map<String, SyncState.Installed> files, Set<Long> touched, SyncResults results) {
        String name = step.symbolicName();
        String message = step.reason();
        if (step.synced() != null && !SyncPlanner.isCore(name)) {
            // deploy/ wins: the synced copy goes.
            try {
                framework.uninstall(step.synced().id());
                touched.add(step.synced().id());
                files.remove(name);
                message = message + "; the synced copy was uninstalled";
            } catch (SyncFailure e) {
                message = message + "; the synced copy could not be uninstalled: " + e.getMessage();
            }
        }
        results.add(name, step.version(), step.file().sha256(), SyncReport.Result.ACTION_SKIP,
                SyncReport.Result.OUTCOME_SKIPPED, message);
    }

    /** An unchanged synced bundle: the shipped twin stays stopped, the synced one running. */
    private void keepRunning(SyncStep step) {
        for (InstalledBundle shipped : step.shipped()) {
            if (shipped.running()) {
                precedence.stopShipped(shipped);
            }
        }
        InstalledBundle synced = step.synced();
        if (synced != null && !synced.fragment() && !synced.running()) {
            try {
                framework.start(synced.id());
            } catch (SyncFailure e) {
                LOG.warn("Synced bundle {} {} is {} and does not start: {}", synced.symbolicName(), synced.version(),
                        InstalledBundle.stateName(synced.state()), e.getMessage());
            }
        }
    }

    /** Gets the verified jar of an install or update; a failure is a result and changes nothing. */
    private Optional<Change> fetch(SyncStep step, SyncResults results) throws InterruptedException {
        SyncFile file = step.file();
        String action = step.action() == SyncStep.Action.INSTALL ? SyncReport.Result.ACTION_INSTALL
                : SyncReport.Result.ACTION_UPDATE;
        try {
            Path jar = cache.fetch(file.sha256(), file.size(),
                    target -> source.download(file.sha256(), target));
            JarManifest manifest = JarManifest.read(jar);
            if (!manifest.symbolicName().equals(step.symbolicName())) {
                throw new SyncFailure("the jar's Bundle-SymbolicName is " + manifest.symbolicName()
                        + ", the snapshot says " + step.symbolicName());
            }
            return Optional.of(new Change(step, jar));
        } catch (SyncFailure e) {
            results.add(step.symbolicName(), file.version(), file.sha256(), action, SyncReport.Result.OUTCOME_FAILED,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** @return {@code null} when installed or updated (not started), else why not (then nothing changed) */
    private String installOrUpdate(Change change, Set<Long> touched) {
        for (InstalledBundle shipped : change.step.shipped()) {
            if (shipped.running() && precedence.stopShipped(shipped)) {
                change.stoppedShipped.add(shipped);
            }
        }
        try {
            if (change.step.action() == SyncStep.Action.INSTALL) {
                change.id = framework.install(BundleOrigins.syncLocation(change.step.symbolicName()), change.jar);
            } else {
                change.id = change.step.synced().id();
                framework.update(change.id, change.jar);
            }
            touched.add(change.id);
            return null;
        } catch (SyncFailure e) {
            if (change.step.action() == SyncStep.Action.UPDATE) {
                // The framework kept the old content; make sure it runs.
                try {
                    framework.start(change.step.synced().id());
                } catch (SyncFailure again) {
                    LOG.warn("The previous {} does not start again either: {}", change.step.symbolicName(),
                            again.getMessage());
                }
            } else {
                precedence.startShipped(change.stoppedShipped);
            }
            return e.getMessage();
        }
    }

    /** @return {@code null} when started and healthy, else what is wrong */
    private String startAndCheck(Change change) throws InterruptedException {
        try {
            framework.start(change.id);
        } catch (SyncFailure e) {
            return e.getMessage();
        }
        return framework.healthProblem(change.id, healthTimeout);
    }

    /** Puts back what ran before a failed install or update. @return what was done, for the operator */
    private String rollBack(Change change, Map<String, SyncState.Installed> files, Set<Long> touched) {
        String name = change.step.symbolicName();
        SyncState.Installed previous = change.step.previous();
        Optional<Path> previousJar = change.step.action() == SyncStep.Action.UPDATE && previous != null
                ? cache.verified(previous.sha256())
                : Optional.empty();
        try {
            if (previousJar.isPresent()) {
                framework.update(change.id, previousJar.get());
                refresh(Set.of(change.id));
                framework.start(change.id);
                return "rolled back to " + previous.version();
            }
            framework.uninstall(change.id);
            touched.add(change.id);
            files.remove(name);
            refresh(Set.of(change.id));
            precedence.startShipped(change.stoppedShipped);
            return change.step.action() == SyncStep.Action.UPDATE
                    ? "the previous jar is not in the cache, so the bundle was uninstalled"
                    : "removed";
        } catch (SyncFailure e) {
            LOG.error("Rolling back {} failed: {}", name, e.getMessage());
            return "rollback failed: " + e.getMessage();
        }
    }

    private void refresh(Set<Long> touched) {
        if (touched.isEmpty()) {
            return;
        }
        try {
            framework.refresh(new HashSet<>(touched));
        } catch (SyncFailure e) {
            LOG.warn("File sync: {}", e.getMessage());
        }
    }
}
