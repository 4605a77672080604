package io.midway.agent.internal.work;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.wire.EccRecord;
import io.midway.wire.InputRecord;
import io.midway.wire.Json;

/** What a record whose topic has no probe meets: a wait for a sync in flight, or an error at once. */
public class ProbeRunnerTest {

    private final ProbeRegistry probes = new ProbeRegistry();
    private final ProbeRunner runner = new ProbeRunner(probes,
            new HeartbeatResponder("1.0.0", Instant.now(), List::of), "a1");

    private static final Probe ECHO = new Probe() {
        @Override
        public ProbeResult run(ProbeRequest request) {
            return ProbeResult.of(Map.of("answered_by", "echo"));
        }
    };

    private static EccRecord record(String topic) {
        return new EccRecord("r1", "mid.server.a1", topic, "n", "127.0.0.1", Json.mapper().createObjectNode(),
                EccRecord.QUEUE_OUTPUT, "processing", null, 0, null, null, null);
    }

    @Test
    public void aRecordWhoseProbeASyncInFlightInstallsIsAnsweredByThatProbe() throws Exception {
        AtomicInteger waits = new AtomicInteger();
        runner.pendingProbes(max -> {
            // the sync in flight installs and starts the probe bundle; the wait ends after it
            waits.incrementAndGet();
            probes.add(ECHO, Map.of(Probe.TOPIC_PROPERTY, "Echo", "service.id", 7L));
            return true;
        });
        InputRecord result = runner.run(record("Echo"));
        assertEquals(result.errorString(), "processed", result.state());
        assertEquals("echo", result.payload().path("answered_by").asText());
        assertEquals("one wait for the sync", 1, waits.get());

        // once the probe is there, nothing waits any more
        runner.run(record("Echo"));
        assertEquals(1, waits.get());
    }

    @Test
    public void withNoSyncInFlightARecordWithoutProbeFailsAtOnce() throws Exception {
        runner.pendingProbes(max -> false);
        InputRecord result = runner.run(record("Nothing"));
        assertEquals("error", result.state());
        assertTrue(result.errorString(), result.errorString().contains("No probe for topic 'Nothing'"));
    }

    @Test
    public void aSyncThatDoesNotBringTheProbeEndsInTheSameError() throws Exception {
        runner.pendingProbes(max -> true);
        InputRecord result = runner.run(record("Nothing"));
        assertEquals("error", result.state());
        assertTrue(result.errorString(), result.errorString().contains("No probe for topic 'Nothing'"));
    }
}
