package io.midway.api.probe;

import java.util.Map;
import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One ECC output record handed to a probe. Created by the agent core.
 *
 * <p>The payload is the record's JSON payload as plain Java values: a JSON object is a
 * {@code Map<String, Object>}, an array a {@code List<Object>}, and numbers, strings, booleans and
 * {@code null} as themselves.
 */
@ProviderType
public final class ProbeRequest {

    private final String sysId;
    private final String topic;
    private final String name;
    private final String source;
    private final Map<String, Object> payload;

    /**
     * Creates a request.
     *
     * @param sysId the output record's {@code sys_id}
     * @param topic the record's {@code topic}
     * @param name the record's {@code name} (command text or a label), may be empty
     * @param source the record's {@code source} (usually the target address), may be empty
     * @param payload the record's payload as a JSON object, empty when it had none
     */
    public ProbeRequest(String sysId, String topic, String name, String source, Map<String, Object> payload) {
        this.sysId = Objects.requireNonNull(sysId, "sysId");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.name = name == null ? "" : name;
        this.source = source == null ? "" : source;
        this.payload = payload == null ? Map.of() : payload;
    }

    /** @return the output record's {@code sys_id} */
    public String sysId() {
        return sysId;
    }

    /** @return the ECC topic */
    public String topic() {
        return topic;
    }

    /** @return the record's {@code name}, never {@code null} */
    public String name() {
        return name;
    }

    /** @return the record's {@code source}, never {@code null} */
    public String source() {
        return source;
    }

    /** @return the payload object, never {@code null} */
    public Map<String, Object> payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "ProbeRequest[" + topic + " " + sysId + "]";
    }
}
