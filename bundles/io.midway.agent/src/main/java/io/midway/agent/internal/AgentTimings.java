package io.midway.agent.internal;

import java.time.Duration;

/**
 * Fixed timings of the agent. Not configuration: tests shorten them.
 *
 * @param backoffMin first retry delay while the instance is unreachable
 * @param backoffMax longest retry delay
 * @param minPollInterval shortest time between two polls that brought no work, so an instance
 *     that answers at once cannot make the agent spin
 * @param connectTimeout TCP connect timeout
 * @param shutdownGrace how long running work may take to finish when the agent stops
 * @param senderIdleRescan how often the result sender looks at the spool without being woken
 */
public record AgentTimings(
        Duration backoffMin,
        Duration backoffMax,
        Duration minPollInterval,
        Duration connectTimeout,
        Duration shutdownGrace,
        Duration senderIdleRescan) {

    /** The production timings: retry 1 s … 30 s, connect within 10 s, 5 s to finish work. */
    public static final AgentTimings DEFAULT = new AgentTimings(Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(10));
}
