package io.midway.agent.internal.results;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.lifecycle.Footprint;
import io.midway.agent.internal.lifecycle.OnDemandLoop;
import io.midway.wire.InputRecord;

/**
 * Where workers leave results: a thread takes them in groups — everything that arrived while the
 * previous group was on its way — and sends each group straight to the instance in one request
 * ({@link Delivery}). A group that cannot be sent (the instance is unreachable or failing, or
 * refuses something in it) is spooled: one file and one flush to disk for the group (a group
 * commit), and the {@link ResultSender} resends it. While deliveries fail, groups go to the spool
 * directly. Workers hand a result over and go on with the next item; they wait only when the
 * outbox is {@value #BACKLOG_GROUPS} groups behind. A result the agent dies with before it is sent
 * or spooled is not lost: its output record stays {@code processing} on the instance, which hands
 * it out again when the lease ends. {@link #stop()} sends or spools whatever is still waiting.
 * The thread runs while there are results: it ends after {@value #IDLE_MS} ms without one and the
 * next result starts it again, so an idle agent keeps no thread (nor wakes one) for its outbox.
 */
public final class ResultOutbox {

    private static final Logger LOG = LoggerFactory.getLogger(ResultOutbox.class);
    /** How many full groups may wait before workers wait for the disk. */
    public static final int BACKLOG_GROUPS = 8;

    /** Sends a group straight to the instance. */
    public interface Delivery {
        /**
         * @param group results
         * @return whether the instance took them; if not, they are spooled
         * @throws InterruptedException when interrupted
         */
        boolean deliver(List<InputRecord> group) throws InterruptedException;
    }

    private final ResultSpool spool;
    private final Delivery delivery;
    private volatile int maxGroup;
    private final Runnable written;
    private final BiConsumer<List<InputRecord>, IOException> failed;
    private final BlockingQueue<InputRecord> waiting;
    private final Object idle = new Object();
    /** How long the thread waits for a result before it ends. */
    static final long IDLE_MS = 5000;
    /** Put by {@link #stop()} to end the wait of an idle thread at once; never sent. */
    private static final InputRecord STOP = new InputRecord(null, null, null, null, null, null, null);
    private int inFlight;
    private volatile boolean running;
    private final OnDemandLoop thread = new OnDemandLoop(this, "midway-result-outbox", this::loop);

    /**
     * Spools every group (no direct delivery).
     *
     * @param spool where results go
     * @param maxGroup the most results in one file (the sender's batch size)
     * @param written called after each group is on disk (wakes the sender)
     * @param failed called with a group that could not be written, and why
     */
    /** @param size the most results in one group from now on (a live configuration change) */
    public void maxGroup(int size) {
        this.maxGroup = Math.max(1, size);
    }

    public ResultOutbox(ResultSpool spool, int maxGroup, Runnable written, BiConsumer<List<InputRecord>, IOException> failed) {
        this(spool, group -> false, maxGroup, written, failed);
    }

    /**
     * @param spool where results go that are not delivered at once
     * @param delivery sends a group straight to the instance
     * @param maxGroup the most results in one group (the sender's batch size)
     * @param written called after each group is spooled (wakes the sender)
     * @param failed called with a group that could be neither sent nor spooled, and why
     */
    public ResultOutbox(ResultSpool spool, Delivery delivery, int maxGroup, Runnable written,
            BiConsumer<List<InputRecord>, IOException> failed) {
        this.spool = spool;
        this.delivery = delivery;
        this.maxGroup = Math.max(1, maxGroup);
        this.written = written;
        this.failed = failed;
        this.waiting = new LinkedBlockingQueue<>(this.maxGroup * BACKLOG_GROUPS);
    }

    public synchronized void start() {
        running = true;
        if (!waiting.isEmpty()) {
            startThread();
        }
    }

    /** Starts the thread unless it runs; holds this object's lock. */
    private void startThread() {
        if (running) {
            thread.start();
        }
    }

    /**
     * Hands a result over; waits only while the writer is far behind.
     *
     * @param result the result
     * @throws InterruptedException when interrupted while waiting for room
     */
    public void submit(InputRecord result) throws InterruptedException {
        waiting.put(result);
        synchronized (this) {
            startThread();
        }
    }

    /** @return results handed over and neither sent nor spooled yet */
    public int pending() {
        synchronized (idle) {
            return queued() + inFlight;
        }
    }

    /** @return the results in the queue (not the stop mark) */
    private int queued() {
        int n = waiting.size();
        return waiting.contains(STOP) ? n - 1 : n;
    }

    /**
     * @param onDisk counts the results in the spool
     * @return those and the results waiting here, counted together so that a group being written
     *     to the spool is never counted twice (or not at all)
     */
    public int pendingAndSpooled(java.util.function.IntSupplier onDisk) {
        synchronized (idle) {
            return onDisk.getAsInt() + queued() + inFlight;
        }
    }

    /** Sends or spools what is waiting, then ends the outbox thread. */
    public void stop() throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread.detach();
            running = false;
        }
        if (t == null) {
            return;
        }
        waiting.offer(STOP); // when full, the thread is busy and sees the stop after the next group
        t.join(30_000);
        if (t.isAlive()) {
            LOG.warn("The result outbox did not finish within 30 s; {} results were neither sent nor spooled", pending());
            t.interrupt();
        }
    }

    private void loop() {
        List<InputRecord> group = new ArrayList<>(maxGroup);
        // once the stop mark is taken, what is queued is sent or spooled and the thread ends at
        // once: the work that makes results has finished before the stop (no 100 ms wait at every
        // stop, which was part of an upgrade's pause)
        boolean stopTaken = false;
        boolean delivered = false;
        while (true) {
            try {
                InputRecord first = waiting.poll(running ? IDLE_MS : stopTaken ? 0 : 100, TimeUnit.MILLISECONDS);
                if (first == STOP) {
                    stopTaken = !running;
                    continue;
                }
                if (first == null) {
                    if (!running && waiting.isEmpty()) {
                        return;
                    }
                    // idle: end, unless a result came in meanwhile (submit starts a thread only
                    // when none runs, under this object's lock)
                    if (thread.endIfIdle(() -> running && waiting.isEmpty())) {
                        if (delivered) {
                            // a burst of work is over: the heap it grew and what malloc kept go back
                            Footprint.release();
                        }
                        return;
                    }
                    continue;
                }
                synchronized (idle) {
                    group.add(first);
                    waiting.drainTo(group, maxGroup - 1);
                    group.removeIf(r -> r == STOP);
                    inFlight = group.size();
                }
                boolean sent;
                delivered = true;
                try {
                    sent = delivery.deliver(group);
                } catch (RuntimeException e) {
                    LOG.warn("Sending {} results failed; they are spooled", group.size(), e);
                    sent = false;
                }
                if (!sent) {
                    synchronized (idle) {
                        // on disk and out of hand together: a count never sees them twice
                        write(group);
                        inFlight = 0;
                    }
                }
            } catch (InterruptedException e) {
                if (!group.isEmpty()) {
                    write(group);
                }
                Thread.currentThread().interrupt();
                return;
            } finally {
                synchronized (idle) {
                    inFlight = 0;
                }
                group.clear();
            }
        }
    }

    private void write(List<InputRecord> group) {
        try {
            spool.write(group);
        } catch (IOException e) {
            failed.accept(List.copyOf(group), e);
            return;
        } catch (RuntimeException e) {
            failed.accept(List.copyOf(group), new IOException(e.toString(), e));
            return;
        }
        written.run();
    }
}
