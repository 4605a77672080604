package io.midway.instance.internal;

import io.midway.instance.api.InstanceNodes;
import io.midway.instance.api.InstanceException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.QueueRecord;

import org.osgi.service.component.annotations.Reference;

/**
 * Every second, puts leased output records whose lease expired back to {@code ready}, so they
 * are handed out again (to the same agent after its restart). A second with nothing expired
 * costs one read of the lease index, whatever the number of records or agents. Runs only on the
 * node that holds the {@link SingletonJobs}.
 */
@Component(service = LeaseReaper.class, immediate = true)
public class LeaseReaper {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseReaper.class);
    private static final long PERIOD_MS = 1000;

    private final InstanceCore core;
    /** Whether this node runs the singleton jobs; {@code null}: always (tests). */
    private final InstanceNodes jobs;
    private final ScheduledExecutorService scheduler;

    /**
     * Starts reaping.
     *
     * @param core the instance core
     * @param jobs whether this node runs the singleton jobs
     */
    @Activate
    public LeaseReaper(@Reference(name = "core") InstanceCore core, @Reference(name = "jobs") InstanceNodes jobs) {
        this(core, jobs, true);
    }

    /**
     * @param core the instance core
     * @param jobs whether this node runs the singleton jobs; {@code null}: always
     * @param scheduled whether to reap every second; without, only when {@link #reapExpiredLeases()} is called (tests)
     */
    public LeaseReaper(InstanceCore core, InstanceNodes jobs, boolean scheduled) {
        this.core = core;
        this.jobs = jobs;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "midway-lease-reaper");
            thread.setDaemon(true);
            return thread;
        });
        if (scheduled) {
            scheduler.scheduleWithFixedDelay(this::reap, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops reaping. */
    @Deactivate
    public void stop() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reap() {
        try {
            if (jobs != null && !jobs.held()) {
                return;
            }
            reapExpiredLeases();
        } catch (InstanceException e) {
            LOG.debug("Lease reaping skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Lease reaping failed", e);
        }
    }

    /**
     * Puts every leased output whose lease expired back to {@code ready} and wakes its agent.
     *
     * @return how many were released
     */
    public int reapExpiredLeases() {
        long now = core.clock().instant().toEpochMilli();
        int inMemory = expireMemoryLeases(now);
        // a read first: most seconds no lease expired, and then nothing is written
        if (!core.read(s -> s.anyLeaseExpired(now))) {
            return inMemory;
        }
        return core.write((s, c) -> {
            List<String> agents = s.expireLeases(c.now.toEpochMilli());
            released(agents, c::wake);
            return inMemory + agents.size();
        });
    }

    /** Ends the expired leases held in memory (one node alone): their records are ready as they are; wakes their agents. */
    private int expireMemoryLeases(long now) {
        MemoryLeases memory = core.memoryLeases();
        if (memory == null) {
            return 0;
        }
        List<String> agents = memory.expire(now);
        released(agents, core::wake);
        return agents.size();
    }

    /**
     * Wakes the agents whose leases expired and logs it.
     *
     * @param agentFields the agent of each record released ({@code mid.server.NAME})
     * @param wake wakes an agent's polls by name
     */
    private static void released(List<String> agentFields, java.util.function.Consumer<String> wake) {
        Set<String> fields = new LinkedHashSet<>(agentFields);
        for (String agent : fields) {
            if (agent.startsWith(QueueRecord.AGENT_PREFIX)) {
                wake.accept(agent.substring(QueueRecord.AGENT_PREFIX.length()));
            }
        }
        if (!agentFields.isEmpty()) {
            LOG.info("Lease expired for {} output record(s) of {}; they are ready again", agentFields.size(), fields);
        }
    }
}
