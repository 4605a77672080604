package io.midway.agent.internal.results;

import io.midway.agent.internal.AgentState;
import io.midway.agent.internal.AgentTimings;
import io.midway.agent.internal.lifecycle.OnDemandLoop;
import io.midway.agent.internal.transport.Backoff;
import io.midway.agent.internal.transport.InstanceClient;
import io.midway.agent.internal.transport.InstanceException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.InputBatch;
import io.midway.wire.InputRecord;

/**
 * Posts spooled results to the instance in batches, on its own thread, and — through
 * {@link #sendNow} — fresh results straight from memory while the instance takes them. A file is deleted only
 * once the instance accepted it (2xx). While the instance is unreachable or failing (5xx, 401,
 * 403) the files stay and sending is retried with backoff. A 400 means something in the batch is
 * malformed: the records are then sent one by one, and the one the instance refuses is moved to
 * {@code rejected/} with the reason, so nothing is lost silently. The thread runs while the spool
 * holds results: once it finds the spool empty and nothing wakes it for the idle rescan time, it
 * ends, and {@link #wake()} (a result spooled, the instance back) starts it again.
 */
public final class ResultSender {

    private static final Logger LOG = LoggerFactory.getLogger(ResultSender.class);

    private final ResultSpool spool;
    private final InstanceClient client;
    private final AgentState state;
    private volatile int batchSize;
    private final Backoff backoff;
    private final Duration idleRescan;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUp = lock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private volatile boolean draining;
    private volatile long drainDeadline;
    private final OnDemandLoop thread = new OnDemandLoop(this, "midway-result-sender", this::loop);
    private volatile String lastProblem;
    /** The last delivery failed (other than a 400): results go to the spool until one succeeds. */
    private volatile boolean failing;

    /** @param size the most results in one post from now on (a live configuration change) */
    public void batchSize(int size) {
        this.batchSize = Math.max(1, size);
    }

    public ResultSender(ResultSpool spool, InstanceClient client, AgentState state, int batchSize, AgentTimings timings) {
        this.spool = spool;
        this.client = client;
        this.state = state;
        this.batchSize = batchSize;
        this.backoff = new Backoff(timings.backoffMin(), timings.backoffMax());
        this.idleRescan = timings.senderIdleRescan();
    }

    /** Starts the sender thread; it first sends whatever is already spooled. */
    public synchronized void start() {
        running = true;
        startThread();
    }

    /** Starts the thread unless it runs or the sender stops; holds this object's lock. */
    private void startThread() {
        if (running && !draining) {
            thread.start();
        }
    }

    /** Makes the sender look at the spool now: a result was written or the instance is back. */
    public void wake() {
        signal();
        synchronized (this) {
            startThread();
        }
    }

    private void signal() {
        lock.lock();
        try {
            woken = true;
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the sender. It first keeps sending for up to {@code drain} while results wait and the
     * instance accepts them; whatever is left stays spooled for the next start.
     *
     * @param drain how long to go on sending
     * @throws InterruptedException when interrupted while waiting for the thread
     */
    public void stop(Duration drain) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread.detach();
            drainDeadline = System.nanoTime() + drain.toNanos();
            draining = true; // no thread starts from now on
            if (t == null) {
                running = false;
                return;
            }
        }
        signal();
        t.join(Math.max(1, drain.toMillis()));
        running = false;
        signal();
        t.interrupt();
        t.join(2000);
        if (t.isAlive()) {
            LOG.warn("The result sender did not stop within 2 s");
        }
    }

    private void loop() {
        try {
            while (running) {
                if (draining && System.nanoTime() - drainDeadline >= 0) {
                    return;
                }
                List<Path> files = spool.oldest(batchSize);
                if (files.isEmpty()) {
                    if (draining) {
                        return;
                    }
                    if (!await(idleRescan.toMillis()) && endIdle()) {
                        return;
                    }
                    continue;
                }
                if (sendBatch(files)) {
                    backoff.reset();
                    continue;
                }
                if (draining) {
                    return;
                }
                await(backoff.nextDelayMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.error("Cannot read the spool directory {}; results are no longer sent", spool.directory(), e);
            state.error("cannot read the spool directory " + spool.directory() + ": " + e.getMessage());
        }
    }

    /**
     * Waits until woken or the time is up.
     *
     * @return whether it was woken
     */
    private boolean await(long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!woken && running && nanos > 0) {
                nanos = wakeUp.awaitNanos(nanos);
            }
            boolean was = woken;
            woken = false;
            return was;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The spool was empty and nothing woke the thread: it ends, unless a wake came meanwhile
     * ({@link #wake()} signals, then starts a thread only when none runs, under this lock).
     *
     * @return whether the thread ends
     */
    private boolean endIdle() {
        return thread.endIfIdle(() -> {
            lock.lock();
            try {
                return !woken;
            } finally {
                lock.unlock();
            }
        });
    }

    /**
     * Sends one batch: the oldest files, as many as fit in the batch size (at least one).
     *
     * @return whether it went through (go on at once) rather than failed (back off)
     */
    private boolean sendBatch(List<Path> oldest) throws InterruptedException {
        List<Path> files = new ArrayList<>();
        List<List<InputRecord>> contents = new ArrayList<>();
        List<InputRecord> records = new ArrayList<>();
        for (Path file : oldest) {
            if (!records.isEmpty() && records.size() + ResultSpool.records(file) > batchSize) {
                break;
            }
            try {
                List<InputRecord> held = spool.readAll(file);
                files.add(file);
                contents.add(held);
                records.addAll(held);
            } catch (IOException e) {
                if (!reject(file, "it is not a readable result: " + e.getMessage())) {
                    return false;
                }
            }
        }
        if (records.isEmpty()) {
            return true;
        }
        try {
            logRefused(client.postInput(new InputBatch(records)));
        } catch (InstanceException e) {
            if (e.statusCode() == 400) {
                return sendOneByOne(files, contents, records.size(), e);
            }
            problem(e.getMessage(), e);
            return false;
        } catch (IOException e) {
            problem(e.getMessage(), e);
            return false;
        }
        delete(files);
        delivered(records.size());
        return true;
    }

    /**
     * After a 400 for a batch: find the bad records by sending each alone. A file is deleted once
     * each of its records was delivered or set aside; if sending stops half-way, the delivered
     * ones go again later and the instance reports them as duplicates.
     */
    private boolean sendOneByOne(List<Path> files, List<List<InputRecord>> contents, int total,
            InstanceException batchError) throws InterruptedException {
        if (total == 1) {
            return reject(files.get(0), batchError.getMessage());
        }
        LOG.info("The instance refused a batch of {} results ({}); sending them one by one to find the bad one",
                total, batchError.getMessage());
        int sent = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            List<InputRecord> held = contents.get(f);
            for (int i = 0; i < held.size(); i++) {
                try {
                    logRefused(client.postInput(new InputBatch(List.of(held.get(i)))));
                    sent++;
                } catch (InstanceException e) {
                    if (e.statusCode() != 400) {
                        problem(e.getMessage(), e);
                        return false;
                    }
                    if (held.size() == 1) {
                        if (!reject(file, e.getMessage())) {
                            return false;
                        }
                    } else if (!reject(file, i, held.get(i), e.getMessage())) {
                        return false;
                    }
                } catch (IOException e) {
                    problem(e.getMessage(), e);
                    return false;
                }
            }
            delete(List.of(file));
        }
        delivered(sent);
        return true;
    }

    /**
     * Sends results straight from memory, unless the last delivery failed. Runs on the outbox
     * thread; whatever this does not deliver, the caller spools.
     *
     * @param records the results
     * @return whether the instance took them
     * @throws InterruptedException when interrupted
     */
    public boolean sendNow(List<InputRecord> records) throws InterruptedException {
        if (failing || !running || draining) {
            return false;
        }
        try {
            logRefused(client.postInput(new InputBatch(records)));
        } catch (InstanceException e) {
            if (e.statusCode() != 400) {
                problem(e.getMessage(), e);
            }
            return false;
        } catch (IOException e) {
            problem(e.getMessage(), e);
            return false;
        }
        delivered(records.size());
        return true;
    }

    private void delete(List<Path> files) {
        for (Path file : files) {
            try {
                spool.delete(file);
            } catch (IOException e) {
                // It would be sent again; the instance ignores repeats, so this only costs a request.
                LOG.warn("Cannot delete delivered result {}: {}", file, e.toString());
            }
        }
    }

    /**
     * The instance stores the good records of a batch and refuses a bad one alone (status
     * {@code refused}, with the reason): resending it would not help, so it is logged and dropped.
     */
    private static void logRefused(com.fasterxml.jackson.databind.JsonNode reply) {
        if (reply == null) {
            return;
        }
        for (com.fasterxml.jackson.databind.JsonNode result : reply.path("result")) {
            if ("refused".equals(result.path("status").asText())) {
                LOG.warn("The instance refused the result for {}: {}", result.path("response_to").asText(),
                        result.path("error").asText());
            }
        }
    }

    private void delivered(int count) {
        failing = false;
        state.contact();
        if (lastProblem != null) {
            LOG.info("Results are delivered to instance {} again", client.baseUrl());
            lastProblem = null;
        }
        LOG.debug("Delivered {} results", count);
    }

    /** @return whether the result was set aside (its group file is deleted once all its results are handled) */
    private boolean reject(Path file, int index, InputRecord result, String reason) {
        String message = "result " + index + " (for " + result.responseTo() + ") of " + file.getFileName()
                + " was refused and set aside in " + ResultSpool.REJECTED + "/: " + reason;
        LOG.error("Spooled {}", message);
        state.error(message);
        try {
            spool.reject(file, index, result, reason);
            return true;
        } catch (IOException e) {
            LOG.error("Cannot set refused result {} of {} aside in {}/; the file stays in the spool", index, file,
                    ResultSpool.REJECTED, e);
            return false;
        }
    }

    /** @return whether the file left the spool */
    private boolean reject(Path file, String reason) {
        String message = "result " + file.getFileName() + " was refused and moved to " + ResultSpool.REJECTED
                + "/: " + reason;
        LOG.error("Spooled {}", message);
        state.error(message);
        try {
            spool.reject(file, reason);
            return true;
        } catch (IOException e) {
            LOG.error("Cannot move refused result {} to {}/; it stays in the spool", file, ResultSpool.REJECTED, e);
            return false;
        }
    }

    private void problem(String text, IOException e) {
        failing = true;
        String message = text == null ? e.toString() : text;
        state.error("sending results: " + message);
        if (!message.equals(lastProblem)) {
            LOG.warn("Cannot deliver results, they stay spooled and are retried: {}", message);
            LOG.debug("Delivery failure", e);
            lastProblem = message;
        }
    }
}
