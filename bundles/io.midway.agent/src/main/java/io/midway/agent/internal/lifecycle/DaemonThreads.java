package io.midway.agent.internal.lifecycle;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the agent's named daemon threads (the name is what operators and tests see in a thread
 * dump; a daemon thread never holds the JVM open).
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /**
     * @param name the thread's name
     * @param task what it runs
     * @return a new daemon thread of that name, not started
     */
    public static Thread newThread(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * @param name the name of every thread it makes
     * @return a factory of daemon threads of that name
     */
    public static ThreadFactory named(String name) {
        return task -> newThread(name, task);
    }

    /**
     * @param prefix the start of each thread's name
     * @return a factory of daemon threads named {@code prefix1}, {@code prefix2}, …
     */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> newThread(prefix + count.incrementAndGet(), task);
    }
}
