package io.midway.instance.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every second, puts leased output records whose lease expired back to {@code ready}, so they
 * are handed out again (to the same agent after its restart). Runs only on the node that holds
 * the {@link SingletonJobs}.
 */
@Component(service = LeaseReaper.class, immediate = true)
public class LeaseReaper {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseReaper.class);
    private static final long PERIOD_MS = 1000;

    private final EccService service;
    private final SingletonJobs jobs;
    private final ScheduledExecutorService scheduler;

    /**
     * Starts reaping.
     *
     * @param service the instance
     * @param jobs whether this node runs the singleton jobs
     */
    @Activate
    public LeaseReaper(@Reference(name = "service") EccService service, @Reference(name = "jobs") SingletonJobs jobs) {
        this.service = service;
        this.jobs = jobs;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "midway-lease-reaper");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::reap, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
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
            if (!jobs.held()) return;
            service.reapExpiredLeases();
        } catch (RequestException e) {
            LOG.debug("Lease reaping skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Lease reaping failed", e);
        }
    }
}
