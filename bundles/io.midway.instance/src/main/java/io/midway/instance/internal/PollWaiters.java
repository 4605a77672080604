package io.midway.instance.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory signal per agent that wakes its waiting long polls when work is written for it.
 * A signal runs each waiter of the agent on an executor, so the writer never waits for them.
 */
final class PollWaiters {

    private static final Logger LOG = LoggerFactory.getLogger(PollWaiters.class);

    private final Map<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final AtomicLong everyone = new AtomicLong();
    private final Executor executor;

    /** @param executor runs woken waiters */
    PollWaiters(Executor executor) {
        this.executor = executor;
    }

    /**
     * @param agentName the agent waited for
     * @param waiter what to run on a signal
     */
    void add(String agentName, Runnable waiter) {
        waiters.computeIfAbsent(agentName, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    }

    /**
     * @param agentName the agent
     * @param waiter a waiter added before
     */
    void remove(String agentName, Runnable waiter) {
        waiters.computeIfPresent(agentName, (k, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * @param agentName an agent
     * @return a number that changes with every signal for the agent; a poll reads it before it
     *         looks for work, and looks again if it changed by the time it is registered
     */
    long generation(String agentName) {
        AtomicLong generation = generations.get(agentName);
        return (generation == null ? 0 : generation.get()) + everyone.get();
    }

    /** @param agentName an agent that may have work now */
    void signal(String agentName) {
        generations.computeIfAbsent(agentName, k -> new AtomicLong()).incrementAndGet();
        Set<Runnable> set = waiters.get(agentName);
        if (set == null) {
            return;
        }
        for (Runnable waiter : set) {
            try {
                executor.execute(waiter);
            } catch (RejectedExecutionException e) {
                LOG.debug("Wake-up of a poll of {} rejected: stopping", agentName);
            }
        }
    }

    /** Something changed for every agent (the file-sync revision): runs every waiter. */
    void signalAll() {
        everyone.incrementAndGet();
        for (Map.Entry<String, Set<Runnable>> entry : waiters.entrySet()) {
            for (Runnable waiter : entry.getValue()) {
                try {
                    executor.execute(waiter);
                } catch (RejectedExecutionException e) {
                    LOG.debug("Wake-up of a poll of {} rejected: stopping", entry.getKey());
                }
            }
        }
    }

    /** @return every waiter, removing them all */
    List<Runnable> drain() {
        List<Runnable> all = new ArrayList<>();
        for (String agent : List.copyOf(waiters.keySet())) {
            Set<Runnable> set = waiters.remove(agent);
            if (set != null) {
                all.addAll(set);
            }
        }
        return all;
    }

    /**
     * @param agentName an agent
     * @return the waiters of that agent, removed
     */
    List<Runnable> take(String agentName) {
        Set<Runnable> set = waiters.remove(agentName);
        return set == null ? List.of() : new ArrayList<>(set);
    }

    /**
     * @param agentName an agent
     * @return how many polls of it wait
     */
    int count(String agentName) {
        Set<Runnable> set = waiters.get(agentName);
        return set == null ? 0 : set.size();
    }
}
