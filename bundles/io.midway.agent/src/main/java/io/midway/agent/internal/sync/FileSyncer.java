package io.midway.agent.internal.sync;

import java.io.IOException;
import java.io.InterruptedIOException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.osgi.framework.BundleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.transport.Backoff;
import io.midway.api.agent.SyncResultDTO;
import io.midway.wire.SyncFile;
import io.midway.wire.SyncReport;
import io.midway.wire.SyncSnapshot;

/**
 * Applies the instance's file-sync snapshot to the framework, one sync at a time, on its own
 * thread ({@code midway-file-sync}).
 *
 * <p>A sync runs when a poll reply carries a {@code sync_revision} other than the one last applied,
 * after the agent starts (as soon as it registered), when a jar in {@code deploy/} comes or goes whose
 * symbolic name the snapshot has, and on {@link #syncNow(Consumer)} ({@code mid:sync}). It diffs
 * the snapshot against what sync installed ({@link SyncPlanner}); downloads what is not in the
 * cache and verifies each jar's hash and symbolic name; installs (location
 * {@code midway-sync:<symbolic name>}) or updates (same bundle id) without starting; uninstalls
 * what left the snapshot; refreshes only the touched bundles that wait for it; then starts each
 * changed bundle and checks its health. A file that fails is rolled back: updated back to the
 * previous jar from the cache and started, or uninstalled if it was new. Every sync is reported
 * to the instance; its revision counts as applied even when files failed, so a broken file is
 * retried with the next revision or {@code mid:sync}, not in a loop.
 *
 * <p>Precedence for one symbolic name: deploy/ &gt; sync &gt; distribution. A synced bundle
 * makes the distribution's bundle of the same name stop (at start too) and start again when the
 * synced one goes.
 */
public final class FileSyncer {

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncer.class);

    /** The state while a sync runs. */
    public static final String SYNCING = "syncing";

    private final String agentName;
    private final SyncSource source;
    private final PluginFramework framework;
    private final SyncStateStore store;
    private final JarCache cache;
    private final SyncPlanner planner = new SyncPlanner();
    private final Duration healthTimeout;
    private final Backoff retry;
    private final PluginFramework.BundleChangeListener listener = this::bundleChanged;

    private final AtomicBoolean revisionSyncQueued = new AtomicBoolean();
    private final AtomicBoolean localSyncQueued = new AtomicBoolean();
    private final AtomicBoolean reportQueued = new AtomicBoolean();
    private ExecutorService executor;

    private volatile SyncState state;
    /** What the status shows: the revision applied and {@code syncing} or the outcome, changed together. */
    private volatile Shown shown;
    private volatile boolean firstSyncDone;
    private volatile long retryNotBefore = System.nanoTime();
    private volatile SyncSnapshot lastSnapshot;
    /** Sends reports, keeps one the instance did not take for the next poll. */
    private final SyncReporter reporter;
    /** Which of the distribution's bundles run beside synced and deployed ones. */
    private final BundlePrecedence precedence;
    /** The outcome of the last sync since the start, per file, or {@code null}. */
    private volatile SyncResultDTO lastResult;
    private String lastProblem;

    /**
     * @param agentName the agent's name, for reports
     * @param source the instance
     * @param framework the bundles
     * @param syncDir where {@code state.json} and the jar cache ({@code files/}) are kept
     * @param healthTimeout how long a started bundle may take to become healthy
     * @param retryMin first delay before fetching a snapshot again after the instance failed
     * @param retryMax longest such delay
     */
    public FileSyncer(String agentName, SyncSource source, PluginFramework framework, Path syncDir,
            Duration healthTimeout, Duration retryMin, Duration retryMax) {
        this.agentName = agentName;
        this.source = source;
        this.framework = framework;
        this.store = new SyncStateStore(syncDir.resolve("state.json"));
        this.cache = new JarCache(syncDir.resolve("files"));
        this.healthTimeout = healthTimeout;
        this.retry = new Backoff(retryMin, retryMax);
        this.reporter = new SyncReporter(source);
        this.precedence = new BundlePrecedence(framework);
        this.state = store.load();
        this.shown = new Shown(state.revision(), state.state());
    }

    /** The revision and state the status shows. */
    private record Shown(String revision, String state) {
    }

    /** Starts the sync thread, watches bundle changes, and stops shipped bundles a synced one replaces. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "midway-file-sync");
            t.setDaemon(true);
            return t;
        });
        framework.listen(listener);
        submit(precedence::stopReplacedShippedBundles);
    }

    /**
     * Stops watching and lets a running sync finish (up to 30 s; then it is interrupted).
     */
    public void stop() {
        ExecutorService running;
        synchronized (this) {
            running = executor;
            executor = null;
        }
        if (running == null) {
            return;
        }
        framework.unlisten(listener);
        running.shutdown();
        try {
            if (!running.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("File sync did not finish within 30 s; interrupting it");
                running.shutdownNow();
                running.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** @return the revision last applied, or {@code null} before the first sync */
    public String appliedRevision() {
        return shown.revision();
    }

    /** @return {@code syncing} while a sync runs, else the outcome of the last one, or {@code null} */
    public String syncState() {
        return shown.state();
    }

    /**
     * @return the outcome of the last sync since the start, with each file's action, outcome and
     *     message, or {@code null} when none ran yet
     */
    public SyncResultDTO lastResult() {
        return lastResult;
    }

    /** @return what sync installed, by symbolic name */
    public Map<String, SyncState.Installed> installed() {
        return state.files();
    }

    /**
     * The instance answered a poll: syncs when its revision is not the one applied, or when no
     * sync went through since the start. Returns at once; the sync runs on the sync thread.
     *
     * @param revision the poll reply's {@code sync_revision}; {@code null} when the instance has no
     *     file sync
     */
    public void revisionSeen(String revision) {
        if (revision == null) {
            return;
        }
        if (reporter.hasUnsent() && reportQueued.compareAndSet(false, true)) {
            submit(() -> {
                reportQueued.set(false);
                reporter.sendUnsent();
            });
        }
        if (!isDue(revision) || System.nanoTime() < retryNotBefore) {
            return;
        }
        requestRevisionSync(revision);
    }

    /**
     * The agent registered with the instance: the first sync after the start runs now, without
     * waiting for the first poll reply (which may wait for work for the whole long poll).
     */
    public void connected() {
        if (!firstSyncDone && System.nanoTime() >= retryNotBefore) {
            requestRevisionSync(null);
        }
    }

    private void requestRevisionSync(String revision) {
        if (revisionSyncQueued.compareAndSet(false, true)) {
            submit(() -> {
                revisionSyncQueued.set(false);
                if (revision == null ? !firstSyncDone : isDue(revision)) {
                    syncInBackground(revision == null ? "the start" : "revision " + revision);
                }
            });
        }
    }

    private boolean isDue(String revision) {
        return !firstSyncDone || !revision.equals(state.revision());
    }

    /**
     * Fetches the snapshot and applies it now, after a sync already running, and waits.
     *
     * @param progress told one line per file as each is done
     * @return what was done
     * @throws IOException when the instance cannot be reached or the agent is stopping
     */
    public SyncResultDTO syncNow(Consumer<String> progress) throws IOException {
        Future<SyncResultDTO> result;
        try {
            result = executor().submit(() -> {
                SyncSnapshot snapshot = source.snapshot();
                return apply(snapshot, progress);
            });
        } catch (RejectedExecutionException e) {
            throw new IOException("file sync is stopping");
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the sync");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof InterruptedException) {
                throw new InterruptedIOException("the sync was interrupted: the agent is stopping");
            }
            throw new IOException("the sync failed: " + cause, cause);
        }
    }

    /**
     * Waits until every sync task queued so far is done (the sync thread runs them in order).
     *
     * @throws IOException when file sync is not running
     * @throws InterruptedException when interrupted while waiting
     */
    void awaitIdle() throws IOException, InterruptedException {
        try {
            executor().submit(() -> { }).get();
        } catch (ExecutionException | RejectedExecutionException e) {
            throw new IOException("file sync is stopping", e);
        }
    }

    private synchronized ExecutorService executor() throws IOException {
        if (executor == null) {
            throw new IOException("file sync is not running");
        }
        return executor;
    }

    private void submit(Runnable task) {
        ExecutorService running;
        synchronized (this) {
            running = executor;
        }
        if (running == null) {
            return;
        }
        try {
            running.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("File sync task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("File sync is stopping; task dropped");
        }
    }

    private void syncInBackground(String why) {
        SyncSnapshot snapshot;
        try {
            snapshot = source.snapshot();
        } catch (IOException e) {
            long delay = retry.nextDelayMillis();
            retryNotBefore = System.nanoTime() + delay * 1_000_000L;
            String problem = "Cannot fetch the file-sync snapshot: " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.warn("{}; trying again with a later poll", problem);
                lastProblem = problem;
            }
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        retry.reset();
        lastProblem = null;
        LOG.debug("Syncing for {}", why);
        try {
            apply(snapshot, line -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A local change (deploy/ came or went): applies the snapshot again, the last one if the instance is away. */
    private void syncLocally(String why) {
        SyncSnapshot snapshot;
        try {
            snapshot = source.snapshot();
        } catch (IOException e) {
            snapshot = lastSnapshot;
            if (snapshot == null) {
                LOG.warn("{}, but the file-sync snapshot cannot be fetched ({}); the next sync will apply it", why,
                        e.getMessage());
                return;
            }
            LOG.info("{}; the instance cannot be reached ({}), applying the last snapshot, revision {}", why,
                    e.getMessage(), snapshot.revision());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        LOG.info("{}: syncing", why);
        try {
            apply(snapshot, line -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void bundleChanged(InstalledBundle bundle, int type) {
        String name = bundle.symbolicName();
        if (name == null) {
            return;
        }
        if (bundle.origin() == BundleOrigin.DEPLOY) {
            // deploy/ wins once its bundle runs: sync's copy steps aside when it starts (not when
            // it is merely installed: one that does not resolve leaves sync's copy running), and
            // comes back when it goes.
            boolean inSnapshot = inLastSnapshot(name);
            if (type == BundleEvent.UNINSTALLED && inSnapshot) {
                requestLocalSync("deploy/ no longer provides " + name);
            } else if (type == BundleEvent.STARTED && (inSnapshot || state.files().containsKey(name))) {
                requestLocalSync("deploy/ now provides " + name);
            }
        } else if (bundle.origin() == BundleOrigin.DISTRIBUTION && type == BundleEvent.STARTED
                && state.files().containsKey(name)) {
            submit(precedence::stopReplacedShippedBundles);
        }
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return whether file sync provides it: it is in the last snapshot, or sync installed it
     */
    public boolean provides(String symbolicName) {
        return inLastSnapshot(symbolicName) || state.files().containsKey(symbolicName);
    }

    /**
     * @return the hashes of the cached jars sync needs — what it installed and what the last
     *     snapshot names — or empty while no snapshot was seen since the start
     */
    public Optional<Set<String>> cachedJarsInUse() {
        SyncSnapshot snapshot = lastSnapshot;
        if (snapshot == null) {
            return Optional.empty();
        }
        Set<String> keep = new HashSet<>();
        state.files().values().forEach(i -> keep.add(i.sha256()));
        if (snapshot.files() != null) {
            snapshot.files().forEach(f -> keep.add(f.sha256()));
        }
        return Optional.of(keep);
    }

    /** @return the folder of the jar cache */
    public Path cacheDirectory() {
        return cache.directory();
    }

    private boolean inLastSnapshot(String name) {
        SyncSnapshot snapshot = lastSnapshot;
        return snapshot != null && snapshot.files() != null
                && snapshot.files().stream().anyMatch(f -> name.equals(f.symbolicName()));
    }

    private void requestLocalSync(String why) {
        if (localSyncQueued.compareAndSet(false, true)) {
            submit(() -> {
                localSyncQueued.set(false);
                syncLocally(why);
            });
        }
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
    private SyncResultDTO apply(SyncSnapshot snapshot, Consumer<String> progress) throws InterruptedException {
        shown = new Shown(state.revision(), SYNCING);
        try {
            lastSnapshot = snapshot;
            firstSyncDone = true;
            SyncState before = state;
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
            state = after;
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
            shown = new Shown(after.revision(), after.state());
            lastResult = result;
            reporter.send(report);
            return result;
        } finally {
            shown = new Shown(state.revision(), state.state());
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
