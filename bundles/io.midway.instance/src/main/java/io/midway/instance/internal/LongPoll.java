package io.midway.instance.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import io.midway.instance.api.PollResult;

/** One waiting long poll: answered when work is signalled for its agent, a revision changes, or its time is up. */
final class LongPoll implements Runnable {
    private final PollWaiters waiters;
    private final java.util.function.BiFunction<String, Integer, PollResult> poll;
    final String agentName;
    final int max;
    final CompletableFuture<PollResult> future = new CompletableFuture<>();
    volatile ScheduledFuture<?> timeout;
    private boolean done;

    /** The answer when nothing comes; its sync revision is the one the poll started with. */
    private final PollResult empty;
    /** The agent's wake-up generation when the poll first looked for work ({@link PollWaiters#generation}). */
    private final long generation;

    LongPoll(PollWaiters waiters, java.util.function.BiFunction<String, Integer, PollResult> poll, String agentName,
            int max, PollResult empty, long generation) {
        this.waiters = waiters;
        this.poll = poll;
        this.agentName = agentName;
        this.max = max;
        this.empty = empty;
        this.generation = generation;
    }

    /** A newer poll of the same agent arrived: answer this one with nothing, leasing nothing. */
    synchronized void supersede() {
        if (done) {
            return;
        }
        finish();
        future.complete(empty);
    }

    /** Woken: lease what is ready, if anything. */
    @Override
    public void run() {
        attempt(false);
    }

    /**
     * Out of time: answer with whatever there is, possibly nothing. When nothing was signalled
     * for the agent since the poll first looked (no work written for it, no revision changed),
     * the answer is the empty one, without asking the database: most polls of idle agents end so,
     * and the agent's next poll looks again at once.
     */
    void expire() {
        synchronized (this) {
            if (!done && waiters.generation(agentName) == generation) {
                finish();
                future.complete(empty);
                return;
            }
        }
        attempt(true);
    }

    synchronized void fail(RuntimeException e) {
        if (done) {
            return;
        }
        finish();
        future.completeExceptionally(e);
    }

    private synchronized void attempt(boolean last) {
        if (done) {
            return;
        }
        if (future.isDone()) {
            // the caller went away: lease nothing more for it
            finish();
            return;
        }
        PollResult reply;
        try {
            reply = poll.apply(agentName, max);
        } catch (RuntimeException e) {
            finish();
            future.completeExceptionally(e);
            return;
        }
        if (last || !reply.result().isEmpty() || !reply.syncRevision().equals(empty.syncRevision())
                || !Objects.equals(reply.instanceVersion(), empty.instanceVersion())
                || !Objects.equals(reply.pinnedVersion(), empty.pinnedVersion())
                || !Objects.equals(reply.credentialRevision(), empty.credentialRevision())
                || !Objects.equals(reply.configRevision(), empty.configRevision())) {
            finish();
            future.complete(reply);
        }
    }

    private void finish() {
        done = true;
        waiters.remove(agentName, this);
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }
}
