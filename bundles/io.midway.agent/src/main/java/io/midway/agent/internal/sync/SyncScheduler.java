package io.midway.agent.internal.sync;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.osgi.framework.BundleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.transport.Backoff;
import io.midway.api.agent.SyncResultDTO;
import io.midway.wire.SyncSnapshot;

/**
 * Decides when file sync runs, and runs it on its own thread ({@code midway-file-sync}), one task
 * at a time: when a poll reply carries a {@code sync_revision} other than the one last applied,
 * after the agent starts (as soon as it registered), when a jar in {@code deploy/} comes or goes
 * whose symbolic name the snapshot has, and on {@link #syncNow(Consumer)} ({@code mid:sync}). A
 * snapshot the instance did not give is asked for again with a later poll, after a backoff. A
 * report the instance did not take is sent again with the next poll.
 */
final class SyncScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncer.class);

    /** Applies a snapshot on the sync thread. */
    interface Apply {
        SyncResultDTO apply(SyncSnapshot snapshot, Consumer<String> progress) throws InterruptedException;
    }

    private final SyncSource source;
    private final SyncStatus status;
    private final SyncReporter reporter;
    private final Backoff retry;
    private final Apply applier;

    private final AtomicBoolean revisionSyncQueued = new AtomicBoolean();
    private final AtomicBoolean localSyncQueued = new AtomicBoolean();
    private final AtomicBoolean reportQueued = new AtomicBoolean();
    private ExecutorService executor;
    /** Syncs asked for and not finished yet (queued or running); guarded by {@code this}. */
    private int syncsInFlight;
    /** Whether the sync running now is still counted in {@link #syncsInFlight}; the sync thread's only. */
    private boolean counted;
    /** The revision of the poll reply that asked for the sync running now, or {@code null}. */
    private volatile String syncingFor;
    private volatile long retryNotBefore = System.nanoTime();
    private String lastProblem;

    SyncScheduler(SyncSource source, SyncStatus status, SyncReporter reporter, Backoff retry, Apply applier) {
        this.source = source;
        this.status = status;
        this.reporter = reporter;
        this.retry = retry;
        this.applier = applier;
    }

    /** Starts the sync thread. @return whether it was not running yet */
    synchronized boolean start() {
        if (executor != null) {
            return false;
        }
        executor = io.midway.agent.internal.lifecycle.OnDemandThread.named("midway-file-sync");
        return true;
    }

    /**
     * Lets a running sync finish (up to 30 s; then it is interrupted).
     *
     * @param stopping run first when the sync thread was running (no new task is taken from then on)
     */
    void stop(Runnable stopping) {
        ExecutorService running;
        synchronized (this) {
            running = executor;
            executor = null;
        }
        if (running == null) {
            return;
        }
        stopping.run();
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
        synchronized (this) {
            // what never ran will not run: nobody waits for it
            syncsInFlight = 0;
            notifyAll();
        }
    }

    /** @see FileSyncer#revisionSeen(String) */
    void revisionSeen(String revision) {
        if (revision == null) {
            return;
        }
        if (reporter.hasUnsent() && reportQueued.compareAndSet(false, true)) {
            submit(() -> {
                reportQueued.set(false);
                reporter.sendUnsent();
            });
        }
        if (!isDue(revision) || revision.equals(syncingFor) || System.nanoTime() < retryNotBefore) {
            // (the revision a running sync was asked for is not queued again: that sync would do
            // nothing, and work waiting for syncs in flight would wait for it too)
            return;
        }
        requestRevisionSync(revision);
    }

    /** @see FileSyncer#connected() */
    void connected() {
        if (!firstSyncDone() && System.nanoTime() >= retryNotBefore) {
            requestRevisionSync(null);
        }
    }

    private boolean firstSyncDone() {
        return status.lastSnapshot() != null;
    }

    private void requestRevisionSync(String revision) {
        if (revisionSyncQueued.compareAndSet(false, true)) {
            submitSync(() -> {
                revisionSyncQueued.set(false);
                if (revision == null ? !firstSyncDone() : isDue(revision)) {
                    syncingFor = revision;
                    try {
                        syncInBackground(revision == null ? "the start" : "revision " + revision);
                    } finally {
                        syncingFor = null;
                    }
                }
            });
        }
    }

    /**
     * Runs a sync on the sync thread, counted as in flight from now until its bundles are settled
     * ({@link #bundlesSettled()}) or it ends.
     */
    private void submitSync(Runnable sync) {
        synchronized (this) {
            syncsInFlight++;
        }
        boolean queued = submit(() -> {
            counted = true;
            try {
                sync.run();
            } finally {
                bundlesSettled();
            }
        });
        if (!queued) {
            syncEnded();
        }
    }

    /**
     * On the sync thread: the running sync has installed, started and checked its bundles (what
     * is left is saving, pruning and reporting): work waiting for it goes on now.
     */
    void bundlesSettled() {
        if (counted) {
            counted = false;
            syncEnded();
        }
    }

    private synchronized void syncEnded() {
        syncsInFlight--;
        notifyAll();
    }

    /**
     * Waits while a sync is queued or running — one asked for by a poll reply with a new revision,
     * by the start or by deploy/ — at most {@code max}. Work for a topic whose probe is not there
     * yet waits so for the sync that brings it, instead of failing while it is being installed.
     *
     * @param max the longest wait
     * @return whether a sync was in flight (and the caller waited for it)
     * @throws InterruptedException when interrupted while waiting
     */
    boolean awaitSyncs(java.time.Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (this) {
            if (syncsInFlight == 0) {
                return false;
            }
            for (long left = max.toMillis(); syncsInFlight > 0 && left > 0;
                    left = (deadline - System.nanoTime()) / 1_000_000L) {
                wait(left);
            }
            return true;
        }
    }

    private boolean isDue(String revision) {
        return !firstSyncDone() || !revision.equals(status.state().revision());
    }

    /** @see FileSyncer#syncNow(Consumer) */
    SyncResultDTO syncNow(Consumer<String> progress) throws IOException {
        Future<SyncResultDTO> result;
        try {
            result = executor().submit(() -> {
                SyncSnapshot snapshot = source.snapshot();
                return applier.apply(snapshot, progress);
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

    /** @see FileSyncer#awaitIdle() */
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

    /**
     * Runs a task on the sync thread after those queued before it; dropped when sync is not running.
     *
     * @return whether it was queued
     */
    boolean submit(Runnable task) {
        ExecutorService running;
        synchronized (this) {
            running = executor;
        }
        if (running == null) {
            return false;
        }
        try {
            running.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("File sync task failed", e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("File sync is stopping; task dropped");
            return false;
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
            applier.apply(snapshot, line -> { });
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
            snapshot = status.lastSnapshot();
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
            applier.apply(snapshot, line -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A bundle changed: deploy/ wins once its bundle runs, so sync's copy steps aside when it
     * starts (not when it is merely installed: one that does not resolve leaves sync's copy
     * running), and comes back when it goes. A shipped bundle that a synced one replaces and that
     * started anyway is stopped again.
     *
     * @param replaceShipped stops the shipped bundles synced ones replace (on the sync thread)
     */
    void bundleChanged(InstalledBundle bundle, int type, Runnable replaceShipped) {
        String name = bundle.symbolicName();
        if (name == null) {
            return;
        }
        if (bundle.origin() == BundleOrigin.DEPLOY) {
            boolean inSnapshot = status.inLastSnapshot(name);
            if (type == BundleEvent.UNINSTALLED && inSnapshot) {
                requestLocalSync("deploy/ no longer provides " + name);
            } else if (type == BundleEvent.STARTED && (inSnapshot || status.installed().containsKey(name))) {
                requestLocalSync("deploy/ now provides " + name);
            }
        } else if (bundle.origin() == BundleOrigin.DISTRIBUTION && type == BundleEvent.STARTED
                && status.installed().containsKey(name)) {
            submit(replaceShipped);
        }
    }

    private void requestLocalSync(String why) {
        if (localSyncQueued.compareAndSet(false, true)) {
            submitSync(() -> {
                localSyncQueued.set(false);
                syncLocally(why);
            });
        }
    }
}
