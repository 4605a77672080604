package io.midway.instance.internal;

import java.time.Duration;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The effective settings of the instance: framework property (environment) over configuration
 * over default.
 *
 * @param heartbeatInterval time between two heartbeats to an agent
 * @param heartbeatTimeout how long a heartbeat may stay unanswered before the agent is Down
 * @param lease how long an output record stays leased to an agent
 * @param autoValidate whether new agents start validated
 * @param pollMaxWait the longest a poll may wait for work
 * @param version the instance version
 */
public record InstanceSettings(
        Duration heartbeatInterval,
        Duration heartbeatTimeout,
        Duration lease,
        boolean autoValidate,
        Duration pollMaxWait,
        String version,
        String selectionAlgorithm) {

    /** The selection algorithms (instance property {@code mid.selection.algorithm}). */
    public static final java.util.List<String> SELECTION_ALGORITHMS = java.util.List.of("new", "legacy");

    /**
     * Settings with the default selection algorithm ({@code new}).
     *
     * @param heartbeatInterval between two heartbeats
     * @param heartbeatTimeout how long a heartbeat may stay unanswered
     * @param lease how long an output record stays leased
     * @param autoValidate whether new agents start validated
     * @param pollMaxWait the longest long poll
     * @param version the instance version
     */
    public InstanceSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Duration lease, boolean autoValidate,
            Duration pollMaxWait, String version) {
        this(heartbeatInterval, heartbeatTimeout, lease, autoValidate, pollMaxWait, version, "new");
    }

    /** Framework property that overrides the heartbeat interval (from MIDWAY_HEARTBEAT_SECONDS). */
    public static final String HEARTBEAT_SECONDS_PROPERTY = "midway.heartbeat.seconds";
    /** Framework property holding the instance version. */
    public static final String VERSION_PROPERTY = "midway.version";

    private static final Logger LOG = LoggerFactory.getLogger(InstanceSettings.class);
    private static final int DEFAULT_HEARTBEAT_SECONDS = 300;
    private static final int DEFAULT_LEASE_SECONDS = 300;

    /**
     * @param config the configuration (annotation defaults when there is none)
     * @param frameworkProperty looks up a framework property, {@code null} when unset
     * @param bundleVersion the version to use when {@code midway.version} is unset
     * @return the effective settings
     */
    public static InstanceSettings resolve(InstanceConfiguration config, Function<String, String> frameworkProperty,
            String bundleVersion) {
        long heartbeat = config.heartbeat_seconds();
        if (heartbeat < 1) {
            LOG.warn("heartbeat.seconds={} is not positive; using {}", heartbeat, DEFAULT_HEARTBEAT_SECONDS);
            heartbeat = DEFAULT_HEARTBEAT_SECONDS;
        }
        String override = trimmed(frameworkProperty.apply(HEARTBEAT_SECONDS_PROPERTY));
        if (override != null) {
            try {
                long value = Long.parseLong(override);
                if (value < 1) {
                    throw new NumberFormatException("not positive");
                }
                heartbeat = value;
            } catch (NumberFormatException e) {
                LOG.warn("{}='{}' is not a positive number of seconds; ignoring it", HEARTBEAT_SECONDS_PROPERTY, override);
            }
        }
        long timeout = config.heartbeat_timeout_seconds();
        if (timeout < 0) {
            LOG.warn("heartbeat.timeout.seconds={} is negative; using the heartbeat interval", timeout);
        }
        if (timeout <= 0) {
            timeout = heartbeat;
        }
        long lease = config.lease_seconds();
        if (lease < 1) {
            LOG.warn("lease.seconds={} is not positive; using {}", lease, DEFAULT_LEASE_SECONDS);
            lease = DEFAULT_LEASE_SECONDS;
        }
        long maxWait = Math.max(0, config.poll_max_wait_ms());
        String version = trimmed(frameworkProperty.apply(VERSION_PROPERTY));
        String algorithm = trimmed(config.mid_selection_algorithm());
        algorithm = algorithm == null ? "new" : algorithm.toLowerCase(java.util.Locale.ROOT);
        if (!SELECTION_ALGORITHMS.contains(algorithm)) {
            LOG.warn("mid.selection.algorithm='{}' is none of {}; using new", config.mid_selection_algorithm(),
                    SELECTION_ALGORITHMS);
            algorithm = "new";
        }
        return new InstanceSettings(Duration.ofSeconds(heartbeat), Duration.ofSeconds(timeout),
                Duration.ofSeconds(lease), config.auto_validate(), Duration.ofMillis(maxWait),
                version != null ? version : bundleVersion, algorithm);
    }

    /** @return how often the heartbeat monitor checks: every second, or a quarter interval if shorter */
    public Duration checkPeriod() {
        Duration quarter = heartbeatInterval.dividedBy(4);
        Duration second = Duration.ofSeconds(1);
        return quarter.compareTo(second) < 0 ? quarter : second;
    }

    private static String trimmed(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return value.trim();
    }
}
