package io.midway.agent.internal.work;

import io.midway.agent.internal.AgentSettings;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.agent.PoolDTO;
import io.midway.wire.EccRecord;
import io.midway.wire.InputRecord;

/**
 * Hands each leased output record to the pool for its priority (0 interactive, 1 expedited,
 * 2 standard) and passes each result on to the spool. A record already queued or running here
 * is not started twice when the instance hands it out again after its lease ran out.
 */
public final class WorkDispatcher {

    /** Receives each result, on the worker thread that made it. */
    public interface ResultSink {
        void accept(InputRecord result);
    }

    private static final Logger LOG = LoggerFactory.getLogger(WorkDispatcher.class);

    private final WorkerPool[] pools;
    private final ProbeRunner runner;
    private final ResultSink sink;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Object capacitySignal = new Object();

    public WorkDispatcher(AgentSettings settings, ProbeRunner runner, ResultSink sink) {
        this.pools = new WorkerPool[] {
            new WorkerPool("interactive", settings.threadsInteractive(), settings.queuePerThread()),
            new WorkerPool("expedited", settings.threadsExpedited(), settings.queuePerThread()),
            new WorkerPool("standard", settings.threadsStandard(), settings.queuePerThread()),
        };
        this.runner = runner;
        this.sink = sink;
    }

    /**
     * Gives the pools new sizes while they run (a configuration change without a restart).
     *
     * @param settings the new settings
     */
    public void resize(AgentSettings settings) {
        pools[0].resize(settings.threadsInteractive(), settings.queuePerThread());
        pools[1].resize(settings.threadsExpedited(), settings.queuePerThread());
        pools[2].resize(settings.threadsStandard(), settings.queuePerThread());
        capacityFreed();
    }

    private void capacityFreed() {
        synchronized (capacitySignal) {
            capacitySignal.notifyAll();
        }
    }

    /** @return how many more records the pools can run now, across all priorities */
    public int freeCapacity() {
        int free = 0;
        for (WorkerPool pool : pools) {
            free += pool.freeCapacity();
        }
        return free;
    }

    /**
     * Waits until some pool has room, so that a full agent does not poll for one record at a time.
     *
     * @param millis the longest wait
     * @return whether there is room now
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitCapacity(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (capacitySignal) {
            for (long left = millis; freeCapacity() == 0 && left > 0;
                    left = (deadline - System.nanoTime()) / 1_000_000L) {
                capacitySignal.wait(left);
            }
        }
        return freeCapacity() > 0;
    }

    /**
     * Queues a record on the pool for its priority.
     *
     * @param record an output record leased to us
     */
    public void dispatch(EccRecord record) {
        if (record.sysId() == null || record.sysId().isBlank()) {
            LOG.warn("Ignoring an ECC record without sys_id (topic '{}'): it cannot be answered", record.topic());
            return;
        }
        if (!inFlight.add(record.sysId())) {
            LOG.debug("Record {} is already queued or running here; ignoring the repeat", record.sysId());
            return;
        }
        WorkerPool pool = poolFor(record.priority());
        boolean queued = pool.submit(() -> {
            try {
                sink.accept(runner.run(record));
            } catch (InterruptedException e) {
                LOG.info("Work on record {} (topic '{}') was interrupted because the agent stops; "
                        + "the instance hands it out again", record.sysId(), record.topic());
                Thread.currentThread().interrupt();
            } finally {
                inFlight.remove(record.sysId());
            }
        }, record, this::capacityFreed);
        if (!queued) {
            inFlight.remove(record.sysId());
            LOG.info("Record {} arrived while the agent stops; the instance hands it out again", record.sysId());
        }
    }

    private WorkerPool poolFor(Integer priority) {
        if (priority == null) {
            return pools[EccRecord.PRIORITY_STANDARD];
        }
        int p = priority;
        return pools[p <= EccRecord.PRIORITY_INTERACTIVE ? 0 : p == EccRecord.PRIORITY_EXPEDITED ? 1 : 2];
    }

    /**
     * Takes back every record that is queued and not started (for the upgrade journal); running
     * work goes on.
     *
     * @return the records taken back
     */
    public java.util.List<EccRecord> takeBackQueued() {
        java.util.List<EccRecord> out = new java.util.ArrayList<>();
        for (WorkerPool pool : pools) {
            for (Object tag : pool.removeQueued()) {
                EccRecord record = (EccRecord) tag;
                inFlight.remove(record.sysId());
                out.add(record);
            }
        }
        return out;
    }

    /**
     * Waits until no work runs.
     *
     * @param millis how long to wait at most
     * @return whether all running work finished in time
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitIdle(long millis) throws InterruptedException {
        // woken as each piece of work ends (capacityFreed), not on a fixed interval: an upgrade's
        // pause includes this wait
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (capacitySignal) {
            while (true) {
                int running = 0;
                for (WorkerPool pool : pools) {
                    running += pool.running();
                }
                if (running == 0) {
                    return true;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return false;
                }
                capacitySignal.wait(left);
            }
        }
    }

    /** @return the pools, interactive first */
    public PoolDTO[] snapshot() {
        PoolDTO[] out = new PoolDTO[pools.length];
        for (int i = 0; i < pools.length; i++) {
            out[i] = pools[i].snapshot();
        }
        return out;
    }

    /**
     * Stops taking work and lets running and queued work finish within the grace time; then
     * interrupts what is left, which the instance hands out again after the lease.
     *
     * @param graceMillis how long work may take to finish
     * @throws InterruptedException when interrupted while waiting
     */
    public void shutdown(long graceMillis) throws InterruptedException {
        for (WorkerPool pool : pools) {
            pool.shutdown();
        }
        long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        for (WorkerPool pool : pools) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            if (!pool.awaitTermination(left)) {
                int dropped = pool.shutdownNow();
                LOG.warn("Work in the {} pool did not finish within {} ms: interrupted it{}; the instance hands "
                        + "it out again after the lease", pool.name(), graceMillis,
                        dropped > 0 ? " and dropped " + dropped + " queued records" : "");
            }
        }
    }
}
