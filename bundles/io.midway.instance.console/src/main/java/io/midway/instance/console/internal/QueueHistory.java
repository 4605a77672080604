package io.midway.instance.console.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.EccQueue;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;

/**
 * The last hour of the ECC queue for the Dashboard: once a minute, how many outputs wait
 * ({@code ready}), are held by agents ({@code processing}), and how many outputs and inputs the
 * queue holds in all (their differences between samples are the items in and out). Sixty samples
 * at most, in memory: a restart starts a new hour. Four counts a minute, through the instance API.
 */
@Component(service = QueueHistory.class, immediate = true)
public class QueueHistory {

    /** Time between samples. */
    static final long PERIOD_SECONDS = 60;
    /** Samples kept: an hour. */
    static final int KEPT = 60;

    private static final Logger LOG = LoggerFactory.getLogger(QueueHistory.class);

    /**
     * One sample.
     *
     * @param epochMs when it was taken
     * @param ready outputs waiting for an agent
     * @param processing outputs held by agents
     * @param outputs outputs in the queue in all
     * @param inputs inputs in the queue in all
     */
    public record Sample(long epochMs, long ready, long processing, long outputs, long inputs) {
    }

    private final EccQueue queue;
    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private ScheduledExecutorService timer;

    /**
     * @param queue the ECC queue
     */
    @Activate
    public QueueHistory(@Reference EccQueue queue) {
        this(queue, Clock.systemUTC());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "midway-console-queue-history");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sampleQuietly, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    QueueHistory(EccQueue queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    @Deactivate
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            // the instance is stopping or its store failed: the chart has a gap, the log says why once a minute at most
            LOG.debug("Could not sample the ECC queue for the Dashboard", e);
        }
    }

    /** Takes one sample now. */
    void sample() {
        Sample s = new Sample(clock.millis(), count("queue=output^state=ready"), count("queue=output^state=processing"),
                count("queue=output"), count("queue=input"));
        synchronized (samples) {
            samples.addLast(s);
            while (samples.size() > KEPT) {
                samples.removeFirst();
            }
        }
    }

    private long count(String query) {
        return queue.count(TableQuery.parse(TableSchema.ECC_QUEUE, query, null, null, null));
    }

    /** @return the samples of the last hour, oldest first */
    public List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }
}
