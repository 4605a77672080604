package io.midway.agent.internal.transport;

import java.time.Duration;

/** Capped exponential backoff: the first delay, then twice as long each time, up to the cap. */
public final class Backoff {

    private final long minMillis;
    private final long maxMillis;
    private long nextMillis;

    /**
     * @param min the first delay
     * @param max the longest delay
     */
    public Backoff(Duration min, Duration max) {
        this.minMillis = Math.max(1, min.toMillis());
        this.maxMillis = Math.max(minMillis, max.toMillis());
        this.nextMillis = minMillis;
    }

    /** @return the delay to wait now; the following one is doubled, up to the cap */
    public synchronized long nextDelayMillis() {
        long delay = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return delay;
    }

    /** Starts again from the first delay, after a success. */
    public synchronized void reset() {
        nextMillis = minMillis;
    }
}
