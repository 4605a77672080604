package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.midway.agent.internal.transport.Backoff;
import io.midway.api.agent.SyncResultDTO;

/**
 * File sync as the rest of the core sees it: applies the instance's file-sync snapshot to the
 * framework, one sync at a time, on its own thread ({@code midway-file-sync}).
 *
 * <p>{@link SyncScheduler} decides when a sync runs (a new revision on a poll, the start, a change
 * in {@code deploy/}, {@code mid:sync}); {@link SyncApplier} applies a snapshot and rolls back
 * what fails; {@link SyncStatus} is what it shows; {@link SyncReporter} tells the instance. Every
 * sync is reported; its revision counts as applied even when files failed, so a broken file is
 * retried with the next revision or {@code mid:sync}, not in a loop.
 *
 * <p>Precedence for one symbolic name: deploy/ &gt; sync &gt; distribution ({@link BundlePrecedence}).
 * A synced bundle makes the distribution's bundle of the same name stop (at start too) and start
 * again when the synced one goes.
 */
public final class FileSyncer {

    /** The state while a sync runs. */
    public static final String SYNCING = SyncStatus.SYNCING;

    private final PluginFramework framework;
    private final JarCache cache;
    private final SyncStatus status;
    private final BundlePrecedence precedence;
    private final SyncScheduler scheduler;
    private final PluginFramework.BundleChangeListener listener;

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
        this.framework = framework;
        SyncStateStore store = new SyncStateStore(syncDir.resolve("state.json"));
        this.cache = new JarCache(syncDir.resolve("files"));
        this.status = new SyncStatus(store.load());
        SyncReporter reporter = new SyncReporter(source);
        this.precedence = new BundlePrecedence(framework);
        SyncApplier applier = new SyncApplier(agentName, source, framework, store, cache, healthTimeout, reporter,
                precedence, status, this::bundlesSettled);
        this.scheduler = new SyncScheduler(source, status, reporter, new Backoff(retryMin, retryMax), applier::apply);
        this.listener = (bundle, type) -> scheduler.bundleChanged(bundle, type, precedence::stopReplacedShippedBundles);
    }

    /** On the sync thread: the running sync's bundles are in place; work waiting for them goes on. */
    private void bundlesSettled() {
        scheduler.bundlesSettled();
    }

    /** Starts the sync thread, watches bundle changes, and stops shipped bundles a synced one replaces. */
    public void start() {
        if (scheduler.start()) {
            framework.listen(listener);
            scheduler.submit(precedence::stopReplacedShippedBundles);
        }
    }

    /**
     * Stops watching and lets a running sync finish (up to 30 s; then it is interrupted).
     */
    public void stop() {
        scheduler.stop(() -> framework.unlisten(listener));
    }

    /** @return the revision last applied, or {@code null} before the first sync */
    public String appliedRevision() {
        return status.appliedRevision();
    }

    /** @return {@code syncing} while a sync runs, else the outcome of the last one, or {@code null} */
    public String syncState() {
        return status.syncState();
    }

    /**
     * @return the outcome of the last sync since the start, with each file's action, outcome and
     *     message, or {@code null} when none ran yet
     */
    public SyncResultDTO lastResult() {
        return status.lastResult();
    }

    /** @return what sync installed, by symbolic name */
    public Map<String, SyncState.Installed> installed() {
        return status.installed();
    }

    /**
     * The instance answered a poll: syncs when its revision is not the one applied, or when no
     * sync went through since the start. Returns at once; the sync runs on the sync thread.
     *
     * @param revision the poll reply's {@code sync_revision}; {@code null} when the instance has no
     *     file sync
     */
    public void revisionSeen(String revision) {
        scheduler.revisionSeen(revision);
    }

    /**
     * The agent registered with the instance: the first sync after the start runs now, without
     * waiting for the first poll reply (which may wait for work for the whole long poll).
     */
    public void connected() {
        scheduler.connected();
    }

    /**
     * Waits while a sync is queued or running (asked for by a poll reply with a new revision, by
     * the start or by deploy/), at most {@code max}: a record whose topic has no probe yet waits
     * so for the sync that may bring it.
     *
     * @param max the longest wait
     * @return whether a sync was in flight
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitSyncs(Duration max) throws InterruptedException {
        return scheduler.awaitSyncs(max);
    }

    /**
     * Fetches the snapshot and applies it now, after a sync already running, and waits.
     *
     * @param progress told one line per file as each is done
     * @return what was done
     * @throws IOException when the instance cannot be reached or the agent is stopping
     */
    public SyncResultDTO syncNow(Consumer<String> progress) throws IOException {
        return scheduler.syncNow(progress);
    }

    /**
     * Waits until every sync task queued so far is done (the sync thread runs them in order).
     *
     * @throws IOException when file sync is not running
     * @throws InterruptedException when interrupted while waiting
     */
    void awaitIdle() throws IOException, InterruptedException {
        scheduler.awaitIdle();
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return whether file sync provides it: it is in the last snapshot, or sync installed it
     */
    public boolean provides(String symbolicName) {
        return status.provides(symbolicName);
    }

    /**
     * @return the hashes of the cached jars sync needs — what it installed and what the last
     *     snapshot names — or empty while no snapshot was seen since the start
     */
    public Optional<Set<String>> cachedJarsInUse() {
        return status.cachedJarsInUse();
    }

    /** @return the folder of the jar cache */
    public Path cacheDirectory() {
        return cache.directory();
    }
}
