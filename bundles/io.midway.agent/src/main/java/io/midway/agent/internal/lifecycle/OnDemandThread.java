package io.midway.agent.internal.lifecycle;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A single-thread executor whose thread is started when a task comes and ends after a few idle
 * seconds: the agent's occasional work (file sync, upgrades, credential and settings fetches, a
 * new registration) keeps no idle thread and stack between runs. Tasks still run one at a time,
 * in the order given, as with {@link java.util.concurrent.Executors#newSingleThreadExecutor}.
 */
public final class OnDemandThread {

    /** How long the thread waits for the next task before it ends. */
    static final long IDLE_SECONDS = 2;

    private OnDemandThread() {
    }

    /**
     * @param name the thread's name
     * @return a new executor with at most one daemon thread of that name, none while idle
     */
    public static ExecutorService named(String name) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.named(name));
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
