package io.midway.agent.internal.transport;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.api.credential.store.AffinityEntry;
import io.midway.api.credential.store.CredentialStore;

/**
 * Keeps the credential store at the instance's credential revision: when a poll reply's
 * {@code credential_revision} differs from the store's, it fetches
 * {@code GET /api/mid/credentials?agent=NAME} on its own thread (never the poller's) and hands
 * the reply to {@link CredentialStore#update(String)}. A failure is logged once per
 * distinct message; the store keeps its credentials and the next poll reply tries again.
 *
 * <p>It also reports the store's credential affinity: after each poll reply, when
 * {@link CredentialStore#affinityVersion()} differs from the version last reported (none after a
 * start), it posts the whole set ({@code POST /api/mid/credentials/affinity}) on the same thread.
 * A failure is logged once per distinct message and the next poll reply tries again.
 */
public final class CredentialFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialFetcher.class);

    private final InstanceClient client;
    private final String agentName;
    private final Supplier<CredentialStore> store;
    private final Object lock = new Object();
    private ExecutorService executor;
    /** The revision being fetched, or {@code null}. */
    private String fetching;
    /** The instance's revision whose fetch failed last, or {@code null} after a success. */
    private String failedRevision;
    private final ProblemLog problems = new ProblemLog(LOG);
    /** Whether an affinity report is queued or running. */
    private boolean reportingAffinity;
    /** The affinity version the instance has, or {@code null} before the first report of this run. */
    private Long reportedAffinity;
    private final ProblemLog affinityProblems = new ProblemLog(LOG);
    /** How long a registration waits for the store's key before it goes without it. */
    private static final long KEY_WAIT_MS = 100;
    /** The store asked for its key, and its answer to come. */
    private CredentialStore keyOf;
    private java.util.concurrent.CompletableFuture<String> keyFuture;
    private volatile Runnable keyReady;
    /** One more with every {@link #stop()}: a report of an earlier run does not count for this one. */
    private int run;

    /**
     * @param client the instance
     * @param agentName our name
     * @param store the credential store now, or {@code null} when none is running
     */
    public CredentialFetcher(InstanceClient client, String agentName, Supplier<CredentialStore> store) {
        this.client = client;
        this.agentName = agentName;
        this.store = store;
    }

    public void start() {
        synchronized (lock) {
            if (executor == null) {
                executor = io.midway.agent.internal.lifecycle.OnDemandThread.named("midway-credentials");
            }
        }
    }

    public void stop() {
        ExecutorService running;
        synchronized (lock) {
            running = executor;
            executor = null;
            fetching = null;
            reportingAffinity = false;
            reportedAffinity = null;
            run++;
        }
        if (running != null) {
            running.shutdownNow();
        }
    }

    /** @return the store's public key for the registration, or {@code null} without a store */
    public String publicKey() {
        CredentialStore now = store.get();
        if (now == null) {
            return null;
        }
        java.util.concurrent.CompletableFuture<String> future;
        synchronized (lock) {
            if (keyOf != now) {
                // At first start the store is still making the key (seconds of CPU): ask for it on
                // another thread, so that the registration does not wait for it; once it is there
                // the agent advertises it (keyReady) and the instance seals credentials for it.
                keyOf = now;
                keyFuture = new java.util.concurrent.CompletableFuture<>();
                java.util.concurrent.CompletableFuture<String> mine = keyFuture;
                Thread t = DaemonThreads.newThread("midway-credential-key-wait", () -> {
                    try {
                        mine.complete(now.publicKey());
                    } catch (RuntimeException e) {
                        LOG.error("The credential store has no key for this agent: {}", e.getMessage());
                        mine.completeExceptionally(e);
                        return;
                    }
                    Runnable ready = keyReady;
                    if (ready != null) {
                        ready.run();
                    }
                });
                t.start();
            }
            future = keyFuture;
        }
        try {
            // a key the store already has (every start but the first) comes at once
            return future.get(KEY_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** @param action runs when the store's public key becomes known (the agent advertises it) */
    public void onKeyReady(Runnable action) {
        this.keyReady = action;
    }

    /**
     * @return the credential revision to send with a poll, or {@code null} without a store: the
     *     store's, or the one being fetched or whose fetch failed (so the instance does not answer
     *     at once again for a revision we already know of; the next reply retries it)
     */
    public String pollRevision() {
        CredentialStore now = store.get();
        if (now == null) {
            return null;
        }
        synchronized (lock) {
            if (fetching != null) {
                return fetching;
            }
            if (failedRevision != null) {
                return failedRevision;
            }
        }
        return now.revision();
    }

    /**
     * A poll reply arrived; on the poll thread, returns at once.
     *
     * @param credentialRevision its {@code credential_revision}, or {@code null}
     */
    public void polled(String credentialRevision) {
        CredentialStore now = store.get();
        if (now == null) {
            return;
        }
        fetchIfChanged(now, credentialRevision);
        reportAffinityIfChanged(now);
    }

    /**
     * A probe finished (it may have told the store which credential worked): report a changed
     * affinity set now rather than after the poll that is waiting. Cheap when nothing changed.
     */
    public void workDone() {
        CredentialStore now = store.get();
        if (now != null) {
            reportAffinityIfChanged(now);
        }
    }

    private void fetchIfChanged(CredentialStore now, String credentialRevision) {
        if (credentialRevision == null || credentialRevision.equals(now.revision())) {
            return;
        }
        synchronized (lock) {
            if (executor == null || fetching != null) {
                return;
            }
            fetching = credentialRevision;
            try {
                executor.execute(() -> fetch(now, credentialRevision));
            } catch (RejectedExecutionException e) {
                fetching = null;
            }
        }
    }

    /**
     * The agent registered a new key (its store came up after the registration): the instance can
     * seal credentials for it now, so fetch at once instead of after the poll that is waiting.
     */
    public void keyRegistered() {
        CredentialStore now = store.get();
        if (now == null) {
            return;
        }
        synchronized (lock) {
            if (executor == null || fetching != null) {
                return;
            }
            fetching = now.revision();
            try {
                executor.execute(() -> fetch(now, "current"));
            } catch (RejectedExecutionException e) {
                fetching = null;
            }
        }
    }

    private void fetch(CredentialStore target, String announced) {
        String failure = ProblemLog.attempt(() -> {
            CredentialStore.Taken taken = target.update(client.credentials(agentName));
            LOG.info("Fetched credentials revision '{}' ({} credentials) from instance {}", taken.revision(),
                    taken.count(), client.baseUrl());
        }, problem -> "Cannot fetch credentials revision '" + announced + "' from instance " + client.baseUrl() + ": "
                + problem + "; keeping the credentials held, trying again after the next poll",
                e -> "Cannot store credentials revision '" + announced + "': " + e
                        + "; keeping the credentials held, trying again after the next poll");
        synchronized (lock) {
            fetching = null;
            failedRevision = failure == null ? null : announced;
            if (failure == null) {
                problems.cleared();
            } else {
                problems.failed(failure);
            }
        }
    }

    /** Queues a report of the affinity set when its version is not the one last reported. */
    private void reportAffinityIfChanged(CredentialStore now) {
        long version = now.affinityVersion();
        synchronized (lock) {
            if (executor == null || reportingAffinity
                    || (reportedAffinity != null && reportedAffinity == version)) {
                return;
            }
            reportingAffinity = true;
            int thisRun = run;
            try {
                executor.execute(() -> reportAffinity(now, thisRun));
            } catch (RejectedExecutionException e) {
                reportingAffinity = false;
            }
        }
    }

    private void reportAffinity(CredentialStore target, int ofRun) {
        // the version before the set: a change in between is reported again after the next poll
        long version = target.affinityVersion();
        int[] size = {-1};
        String failure = ProblemLog.attempt(() -> {
            List<AffinityEntry> entries = target.affinity();
            size[0] = entries.size();
            client.postAffinity(agentName, entries);
        }, problem -> "Cannot report the credential affinity to instance " + client.baseUrl() + ": " + problem
                + "; trying again after the next poll",
                e -> "Cannot report the credential affinity: " + e + "; trying again after the next poll");
        synchronized (lock) {
            if (ofRun != run) {
                return;
            }
            reportingAffinity = false;
            if (failure == null) {
                reportedAffinity = version;
                affinityProblems.cleared();
            } else {
                affinityProblems.failed(failure);
            }
        }
        if (failure == null) {
            LOG.debug("Reported the credential affinity ({} entries) to instance {}", size[0], client.baseUrl());
        }
    }
}
