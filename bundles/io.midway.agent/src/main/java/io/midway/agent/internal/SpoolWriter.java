package io.midway.agent.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.InputRecord;

/**
 * Writes results to the spool on its own thread, in groups: everything that arrived while the
 * previous group was being flushed to disk goes into one file with one flush (a group commit).
 * Workers hand a result over and go on with the next item; they wait only when the writer is
 * {@value #BACKLOG_GROUPS} groups behind. A result the agent stops or dies with before it is
 * written is not lost: its output record stays {@code processing} on the instance, which hands it
 * out again when the lease ends. {@link #stop()} writes whatever is still waiting.
 */
final class SpoolWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);
    /** How many full groups may wait before workers wait for the disk. */
    static final int BACKLOG_GROUPS = 8;

    private final ResultSpool spool;
    private final int maxGroup;
    private final Runnable written;
    private final BiConsumer<List<InputRecord>, IOException> failed;
    private final BlockingQueue<InputRecord> waiting;
    private final Object idle = new Object();
    private int inFlight;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param spool where results go
     * @param maxGroup the most results in one file (the sender's batch size)
     * @param written called after each group is on disk (wakes the sender)
     * @param failed called with a group that could not be written, and why
     */
    SpoolWriter(ResultSpool spool, int maxGroup, Runnable written, BiConsumer<List<InputRecord>, IOException> failed) {
        this.spool = spool;
        this.maxGroup = Math.max(1, maxGroup);
        this.written = written;
        this.failed = failed;
        this.waiting = new LinkedBlockingQueue<>(this.maxGroup * BACKLOG_GROUPS);
    }

    synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, "midway-spool-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Hands a result over; waits only while the writer is far behind.
     *
     * @param result the result
     * @throws InterruptedException when interrupted while waiting for room
     */
    void submit(InputRecord result) throws InterruptedException {
        waiting.put(result);
    }

    /** @return results handed over and not yet written */
    int pending() {
        synchronized (idle) {
            return waiting.size() + inFlight;
        }
    }

    /** Writes what is waiting, then ends the writer thread. */
    void stop() throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        if (t == null) {
            return;
        }
        running = false;
        t.join(30_000);
        if (t.isAlive()) {
            LOG.warn("The spool writer did not finish within 30 s; {} results were not written", pending());
            t.interrupt();
        }
    }

    private void loop() {
        List<InputRecord> group = new ArrayList<>(maxGroup);
        while (true) {
            try {
                InputRecord first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (!running && waiting.isEmpty()) {
                        return;
                    }
                    continue;
                }
                synchronized (idle) {
                    group.add(first);
                    waiting.drainTo(group, maxGroup - 1);
                    inFlight = group.size();
                }
                write(group);
            } catch (InterruptedException e) {
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
