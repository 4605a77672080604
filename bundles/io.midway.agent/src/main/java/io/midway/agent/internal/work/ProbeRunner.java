package io.midway.agent.internal.work;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.wire.EccRecord;
import io.midway.wire.InputRecord;
import io.midway.wire.Json;

/**
 * Runs one ECC output record and turns the outcome into the input record that answers it. Every
 * outcome becomes a result: {@code processed} with the probe's payload, or {@code error} with a
 * message for the operator. Only an interruption (the agent stopping) gives no result, so that
 * the instance hands the record out again.
 */
public final class ProbeRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeRunner.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final ObjectMapper mapper = Json.mapper();
    private final ProbeRegistry probes;
    private final HeartbeatResponder heartbeat;
    private final SystemCommandResponder systemCommands;
    private final String agentName;
    private volatile PendingProbes pending = max -> false;

    /** Plug-ins on their way: file sync applying a revision that may bring a probe. */
    @FunctionalInterface
    public interface PendingProbes {
        /**
         * Waits while plug-ins are being installed, at most {@code max}.
         *
         * @return whether something was on its way (then the probes are worth looking up again)
         * @throws InterruptedException when the agent stops meanwhile
         */
        boolean await(Duration max) throws InterruptedException;
    }

    /** How long a record whose topic has no probe waits for a sync in flight that may bring it. */
    static final Duration PENDING_PROBE_WAIT = Duration.ofSeconds(60);

    public ProbeRunner(ProbeRegistry probes, HeartbeatResponder heartbeat, String agentName) {
        this(probes, heartbeat, null, agentName);
    }

    /**
     * @param systemCommands the answer to {@code SystemCommand} records, or {@code null} for none
     */
    public ProbeRunner(ProbeRegistry probes, HeartbeatResponder heartbeat, SystemCommandResponder systemCommands,
            String agentName) {
        this.probes = probes;
        this.heartbeat = heartbeat;
        this.systemCommands = systemCommands;
        this.agentName = agentName;
    }

    /**
     * @param pendingProbes asked, when a record's topic has no probe, whether one may be on its
     *     way (a file sync in flight); the record then waits for it instead of failing at once
     */
    public void pendingProbes(PendingProbes pendingProbes) {
        this.pending = pendingProbes;
    }

    /**
     * @param record an output record leased to us
     * @return the answer
     * @throws InterruptedException when the work was interrupted because the agent stops
     */
    public InputRecord run(EccRecord record) throws InterruptedException {
        String topic = record.topic() == null ? "" : record.topic().trim();
        if (topic.isEmpty()) {
            return error(record, "Record " + record.sysId() + " has no topic");
        }
        if (EccRecord.TOPIC_HEARTBEAT.equals(topic)) {
            return processed(record, heartbeat.answer());
        }
        if (systemCommands != null && SystemCommandResponder.TOPIC.equals(topic)) {
            return systemCommand(record);
        }
        Optional<Probe> probe = probes.find(topic);
        if (probe.isEmpty() && pending.await(PENDING_PROBE_WAIT)) {
            // A hot deploy in flight: the record came with (or after) the revision that brings its
            // probe. It waited for that sync instead of failing while the bundle was installed.
            probe = probes.find(topic);
            LOG.debug("Record {} for topic '{}' waited for the file sync in flight: {}", record.sysId(), topic,
                    probe.isPresent() ? "its probe is there now" : "still no probe");
        }
        if (probe.isEmpty()) {
            return error(record, "No probe for topic '" + topic + "' is installed on agent '" + agentName + "'");
        }
        Map<String, Object> payload;
        try {
            payload = payloadObject(record.payload());
        } catch (IllegalArgumentException e) {
            return error(record, "Payload of record " + record.sysId() + " for topic '" + topic + "' "
                    + e.getMessage());
        }
        ProbeRequest request = new ProbeRequest(record.sysId(), topic, record.name(), record.source(), payload);
        ProbeResult result;
        try {
            result = probe.get().run(request);
        } catch (ProbeException e) {
            LOG.debug("Probe for topic '{}' reported an error for record {}: {}", topic, record.sysId(),
                    e.getMessage(), e);
            String message = e.getMessage();
            return error(record, message == null || message.isBlank()
                    ? "Probe for topic '" + topic + "' failed without a message" : message);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception | LinkageError | StackOverflowError e) {
            // A broken plug-in must not lose the record: report it, keep the trace in the log.
            LOG.error("Probe for topic '{}' failed on record {}", topic, record.sysId(), e);
            return error(record, "Probe for topic '" + topic + "' failed: " + e);
        }
        if (result == null) {
            return error(record, "Probe for topic '" + topic + "' returned no result");
        }
        return processed(record, result.payload());
    }

    private InputRecord systemCommand(EccRecord record) {
        try {
            return processed(record, systemCommands.answer(record.sysId(), payloadObject(record.payload())));
        } catch (IllegalArgumentException e) {
            return error(record, "Payload of SystemCommand record " + record.sysId() + " " + e.getMessage());
        } catch (SystemCommandResponder.CommandException e) {
            return error(record, e.getMessage());
        }
    }

    /** The record's payload as a JSON object; a string holding a JSON object is parsed. */
    private Map<String, Object> payloadObject(JsonNode payload) {
        if (payload == null || payload.isNull() || payload.isMissingNode()) {
            return Map.of();
        }
        JsonNode node = payload;
        if (payload.isTextual()) {
            String text = payload.asText().trim();
            if (text.isEmpty()) {
                return Map.of();
            }
            try {
                node = mapper.readTree(text);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("is a string that is not JSON: " + e.getOriginalMessage());
            }
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("must be a JSON object, not " + kind(node));
        }
        return mapper.convertValue(node, MAP);
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    private InputRecord processed(EccRecord record, Map<String, Object> payload) {
        JsonNode json;
        try {
            json = mapper.valueToTree(payload);
        } catch (IllegalArgumentException e) {
            LOG.error("Probe for topic '{}' returned a payload that is not JSON for record {}", record.topic(),
                    record.sysId(), e);
            return error(record, "Probe for topic '" + record.topic() + "' returned a payload that cannot be "
                    + "written as JSON: " + e.getMessage());
        }
        return new InputRecord(record.sysId(), record.topic(), record.name(), record.source(), json,
                EccRecord.STATE_PROCESSED, null);
    }

    private InputRecord error(EccRecord record, String message) {
        return new InputRecord(record.sysId(), record.topic(), record.name(), record.source(),
                mapper.createObjectNode(), EccRecord.STATE_ERROR, message);
    }
}
