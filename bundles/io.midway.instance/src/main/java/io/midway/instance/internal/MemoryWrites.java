package io.midway.instance.internal;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the instance keeps in memory and writes to its store once a second, in one batch each:
 * when each agent was last heard from ({@link RefreshTimes}) and, on a database this node uses
 * alone, the leases held longer than {@link MemoryLeases#WRITE_AFTER_MS} ({@link MemoryLeases}).
 * A failed write keeps them for the next round; it is logged once until a write succeeds again.
 */
final class MemoryWrites {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryWrites.class);
    /** How often what is held here is written, in milliseconds. */
    static final long PERIOD_MS = 1000;

    private final GroupWriter writer;
    private final Clock clock;
    private final BooleanSupplier closed;
    private final RefreshTimes refreshTimes = new RefreshTimes();
    private final MemoryLeases leases;
    private final ScheduledExecutorService timer;
    private volatile boolean refreshFailing;
    private volatile boolean leasesFailing;

    /**
     * Starts writing once a second.
     *
     * @param writer the instance's writer
     * @param clock the time source
     * @param closed whether the instance is stopping (nothing more is written)
     * @param leasesInMemory whether leases are kept in memory (a database this node uses alone)
     */
    MemoryWrites(GroupWriter writer, Clock clock, BooleanSupplier closed, boolean leasesInMemory) {
        this.writer = writer;
        this.clock = clock;
        this.closed = closed;
        this.leases = leasesInMemory ? new MemoryLeases() : null;
        this.timer = Executors.newSingleThreadScheduledExecutor(InstanceCore.threads("midway-memory-writer"));
        timer.scheduleWithFixedDelay(() -> {
            writeRefreshTimes();
            writeHeldLeases(false);
        }, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** @return when each agent was last heard from, as far as not yet written */
    RefreshTimes refreshTimes() {
        return refreshTimes;
    }

    /** @return the leases held in memory; {@code null} on a database several nodes share */
    MemoryLeases leases() {
        return leases;
    }

    /** Stops the timer (letting a write in progress end: an interrupt in a commit would close H2's file) and writes what is left. */
    void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("The writer of refresh times and leases did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeRefreshTimes();
        writeHeldLeases(true);
    }

    /** Writes the refresh times held in memory, in one batch. */
    void writeRefreshTimes() {
        if (refreshTimes.isEmpty() || closed.getAsBoolean()) {
            return;
        }
        Map<String, String> times = refreshTimes.snapshot();
        try {
            writer.write((s, c) -> {
                s.refreshAgents(times);
                return null;
            });
            refreshTimes.written(times);
            if (refreshFailing) {
                refreshFailing = false;
                LOG.info("Agents' last_refreshed written again");
            }
        } catch (RuntimeException e) {
            if (!refreshFailing && !closed.getAsBoolean()) {
                refreshFailing = true;
                LOG.warn("Cannot write when {} agent(s) were last heard from (kept, tried again every second): {}",
                        times.size(), e.getMessage());
            }
        }
    }

    /**
     * Writes the leases held in memory for longer than {@link MemoryLeases#WRITE_AFTER_MS} (or all
     * of them) to the store, where they are kept from then on.
     *
     * @param all every lease, as the instance stops or an agent goes Down
     */
    void writeHeldLeases(boolean all) {
        if (leases == null || closed.getAsBoolean()) {
            return;
        }
        long cutoff = all ? Long.MAX_VALUE : clock.millis() - MemoryLeases.WRITE_AFTER_MS;
        if (leases.claimedBefore(cutoff).isEmpty()) {
            return;
        }
        try {
            writer.write((s, c) -> {
                // read again under the writer: a lease answered or expired since is not written
                Map<String, MemoryLeases.Lease> old = leases.claimedBefore(cutoff);
                Map<String, Long> expiries = new LinkedHashMap<>();
                old.forEach((sysId, lease) -> expiries.put(sysId, lease.expiresMs()));
                s.leaseIfReady(expiries);
                c.onCommit.add(() -> leases.release(old.keySet()));
                return null;
            });
            if (leasesFailing) {
                leasesFailing = false;
                LOG.info("Leases held in memory written again");
            }
        } catch (RuntimeException e) {
            if (!leasesFailing && !closed.getAsBoolean()) {
                leasesFailing = true;
                LOG.warn("Cannot write the leases held in memory (kept, tried again every second): {}", e.getMessage());
            }
        }
    }
}
