package io.midway.agent.internal.lifecycle;

import java.util.function.BooleanSupplier;

/**
 * The thread of a loop that ends when it is idle and is started again when work arrives (the
 * result outbox and sender): an idle agent keeps no thread for it. Every method synchronizes on
 * the owner's lock, so that the owner's own conditions (running, work waiting) are checked in the
 * same step as the thread starts or ends: work that arrives while the thread decides to end
 * either keeps it or starts a new one.
 */
public final class OnDemandLoop {

    private final Object lock;
    private final String name;
    private final Runnable loop;
    private Thread thread;

    /**
     * @param lock the owner's lock
     * @param name the thread's name
     * @param loop what the thread runs; it returns when {@link #endIfIdle} says the thread ends
     */
    public OnDemandLoop(Object lock, String name, Runnable loop) {
        this.lock = lock;
        this.name = name;
        this.loop = loop;
    }

    /** Starts the thread unless it runs. */
    public void start() {
        synchronized (lock) {
            if (thread == null) {
                thread = DaemonThreads.newThread(name, loop);
                thread.start();
            }
        }
    }

    /**
     * Called by the loop's thread when it found no work.
     *
     * @param idle whether there is still no work (checked under the owner's lock)
     * @return whether the thread ends: it is still the loop's thread and {@code idle} holds
     */
    public boolean endIfIdle(BooleanSupplier idle) {
        synchronized (lock) {
            if (thread != Thread.currentThread() || !idle.getAsBoolean()) {
                return false;
            }
            thread = null;
            return true;
        }
    }

    /**
     * Lets the running thread go (the owner stops it); a later {@link #start()} makes a new one.
     *
     * @return the thread that ran, or {@code null}
     */
    public Thread detach() {
        synchronized (lock) {
            Thread t = thread;
            thread = null;
            return t;
        }
    }
}
