package io.midway.agent.internal.work;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's built-in answer to the instance's {@code HeartbeatProbe}: alive, which core
 * version, how long it has run, which probes it has.
 */
public final class HeartbeatResponder {

    private final String version;
    private final Instant started;
    private final Supplier<List<String>> probeTopics;

    /**
     * @param version the core's version
     * @param started when the agent started
     * @param probeTopics the installed probe topics, asked at each heartbeat
     */
    public HeartbeatResponder(String version, Instant started, Supplier<List<String>> probeTopics) {
        this.version = version;
        this.started = started;
        this.probeTopics = probeTopics;
    }

    /** @return {@code {"status":"alive","version":…,"uptime_seconds":…,"probes":[…]}} */
    public Map<String, Object> answer() {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("status", "alive");
        payload.put("version", version);
        payload.put("uptime_seconds", Math.max(0, Duration.between(started, Instant.now()).toSeconds()));
        payload.put("probes", probeTopics.get());
        return payload;
    }
}
