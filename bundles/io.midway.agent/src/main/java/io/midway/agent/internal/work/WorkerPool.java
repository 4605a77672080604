package io.midway.agent.internal.work;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.api.agent.PoolDTO;

/**
 * A fixed number of worker threads for one ECC priority. It counts its work exactly, so the
 * poller can ask the instance for only as much as the pools can run.
 */
public final class WorkerPool {

    /** How long a worker without work lives on. */
    static final long IDLE_SECONDS = 5;

    private final String name;
    private volatile int threads;
    private volatile int capacity;
    private final ThreadPoolExecutor executor;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();

    /**
     * @param name {@code interactive}, {@code expedited} or {@code standard}
     * @param threads the most threads
     */
    public WorkerPool(String name, int threads) {
        this(name, threads, 0);
    }

    /**
     * @param name {@code interactive}, {@code expedited} or {@code standard}
     * @param threads the most threads
     * @param queuePerThread how many items per thread may wait beyond those running
     */
    public WorkerPool(String name, int threads, int queuePerThread) {
        this.name = name;
        this.threads = threads;
        this.capacity = threads * (1 + Math.max(0, queuePerThread));
        // A worker ends after IDLE_SECONDS without work: an idle agent keeps no worker (was a minute)
        this.executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.numbered("midway-" + name + "-"));
        this.executor.allowCoreThreadTimeOut(true);
    }

    public String name() {
        return name;
    }

    /**
     * Changes the pool's size while it runs: more threads start as work comes; with fewer, the
     * threads beyond the new size end when their current work is done (nothing is interrupted).
     *
     * @param newThreads the most threads, at least 1
     * @param queuePerThread how many items per thread may wait beyond those running
     */
    public synchronized void resize(int newThreads, int queuePerThread) {
        int n = Math.max(1, newThreads);
        if (n > executor.getMaximumPoolSize()) {
            executor.setMaximumPoolSize(n);
            executor.setCorePoolSize(n);
        } else {
            executor.setCorePoolSize(n);
            executor.setMaximumPoolSize(n);
        }
        this.threads = n;
        this.capacity = n * (1 + Math.max(0, queuePerThread));
    }

    /**
     * Queues work; it runs as soon as a thread is free.
     *
     * @param work the work
     * @return {@code false} when the pool is shut down
     */
    public boolean submit(Runnable work) {
        return submit(work, null);
    }

    /**
     * Queues work that {@link #removeQueued()} can take back while it has not started.
     *
     * @param work the work
     * @param tag what the work is about, returned by {@link #removeQueued()}
     * @return {@code false} when the pool is shut down
     */
    public boolean submit(Runnable work, Object tag) {
        return submit(work, tag, null);
    }

    /**
     * Like {@link #submit(Runnable, Object)}, and says when the work is done and its place free.
     *
     * @param work the work
     * @param tag what the work is about, returned by {@link #removeQueued()}
     * @param freed runs after the work, once its place counts as free; may be null
     * @return {@code false} when the pool is shut down
     */
    public boolean submit(Runnable work, Object tag, Runnable freed) {
        inFlight.incrementAndGet();
        try {
            executor.execute(new Job(tag, () -> {
                running.incrementAndGet();
                try {
                    work.run();
                } finally {
                    running.decrementAndGet();
                    inFlight.decrementAndGet();
                    completed.incrementAndGet();
                    if (freed != null) {
                        freed.run();
                    }
                }
            }));
            return true;
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            return false;
        }
    }

    /** Queued work and what it is about. */
    private record Job(Object tag, Runnable work) implements Runnable {
        @Override
        public void run() {
            work.run();
        }
    }

    /**
     * Takes back the work that is queued and not started.
     *
     * @return the tags of the work taken back, in queue order ({@code null} tags left out)
     */
    public java.util.List<Object> removeQueued() {
        java.util.List<Runnable> taken = new java.util.ArrayList<>();
        executor.getQueue().drainTo(taken);
        inFlight.addAndGet(-taken.size());
        java.util.List<Object> tags = new java.util.ArrayList<>();
        for (Runnable r : taken) {
            if (r instanceof Job job && job.tag() != null) {
                tags.add(job.tag());
            }
        }
        return tags;
    }

    /** @return how many work items run now */
    public int running() {
        return running.get();
    }

    /** @return room for more work: threads and queue places not yet claimed by running or queued work */
    public int freeCapacity() {
        return Math.max(0, capacity - inFlight.get());
    }

    /** Stops taking work; queued and running work goes on. */
    public void shutdown() {
        executor.shutdown();
    }

    /**
     * @param millis how long to wait
     * @return whether all work finished in time
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(long millis) throws InterruptedException {
        return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Interrupts running work and drops queued work.
     *
     * @return how many queued items were dropped
     */
    public int shutdownNow() {
        int dropped = executor.shutdownNow().size();
        inFlight.addAndGet(-dropped);
        return dropped;
    }

    public PoolDTO snapshot() {
        PoolDTO dto = new PoolDTO();
        dto.name = name;
        dto.threads = threads;
        int run = running.get();
        dto.active = run;
        dto.queued = Math.max(0, inFlight.get() - run);
        dto.completed = completed.get();
        return dto;
    }
}
