package io.midway.instance.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a {@code HeartbeatProbe} to every agent each heartbeat interval and marks {@code Down}
 * the agents that leave it unanswered past the timeout. Checks every second, or every quarter
 * interval when that is shorter; a changed interval applies from the next check. Runs only on
 * the node that holds the {@link SingletonJobs}.
 */
@Component(service = HeartbeatMonitor.class, immediate = true)
public class HeartbeatMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatMonitor.class);

    private final EccService service;
    private final SingletonJobs jobs;
    private final ScheduledExecutorService scheduler;

    /**
     * Starts checking.
     *
     * @param service the instance
     * @param jobs whether this node runs the singleton jobs
     */
    @Activate
    public HeartbeatMonitor(@Reference(name = "service") EccService service, @Reference(name = "jobs") SingletonJobs jobs) {
        this.service = service;
        this.jobs = jobs;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "midway-heartbeat-monitor");
            thread.setDaemon(true);
            return thread;
        });
        scheduleNext();
    }

    /** Stops checking. */
    @Deactivate
    public void stop() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One check: write due heartbeats, then mark silent agents Down (and fail over); only on the node holding the jobs. */
    void check() {
        try {
            if (!jobs.held()) return;
            service.sendDueHeartbeats();
            service.markSilentAgentsDown();
        } catch (RequestException e) {
            LOG.debug("Heartbeat check skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Heartbeat check failed", e);
        } finally {
            scheduleNext();
        }
    }

    private void scheduleNext() {
        Duration period = service.settings().checkPeriod();
        try {
            scheduler.schedule(this::check, Math.max(10, period.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Heartbeat monitor stopped");
        }
    }
}
