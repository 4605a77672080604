package io.midway.api.probe;

import java.util.Map;
import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a probe returns: the payload of the ECC input record that answers the request.
 *
 * <p>The payload is made of plain Java values that map to JSON: maps with string keys, lists,
 * strings, numbers, booleans and {@code null}.
 */
@ProviderType
public final class ProbeResult {

    private final Map<String, Object> payload;

    private ProbeResult(Map<String, Object> payload) {
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /**
     * A successful result.
     *
     * @param payload the result payload as a JSON object
     * @return the result
     */
    public static ProbeResult of(Map<String, Object> payload) {
        return new ProbeResult(payload);
    }

    /** @return the result payload */
    public Map<String, Object> payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "ProbeResult" + payload;
    }
}
