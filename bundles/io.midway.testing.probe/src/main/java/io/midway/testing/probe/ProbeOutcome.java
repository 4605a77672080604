package io.midway.testing.probe;

import java.util.Map;
import java.util.Objects;

/**
 * What the agent would post to the instance for one request: the input record's {@code state},
 * its {@code error_string} and its payload, as the instance would read them.
 */
public final class ProbeOutcome {

    /** The state of a record the probe answered. */
    public static final String PROCESSED = "processed";
    /** The state of a record the probe failed on. */
    public static final String ERROR = "error";

    private final String state;
    private final String errorString;
    private final Map<String, Object> payload;
    private final String payloadJson;

    ProbeOutcome(String state, String errorString, Map<String, Object> payload, String payloadJson) {
        this.state = Objects.requireNonNull(state, "state");
        this.errorString = errorString;
        this.payload = payload;
        this.payloadJson = payloadJson;
    }

    /** @return {@value #PROCESSED} or {@value #ERROR} */
    public String state() {
        return state;
    }

    /** @return whether the state is {@value #PROCESSED} */
    public boolean isProcessed() {
        return PROCESSED.equals(state);
    }

    /** @return the message for the operator when the state is {@value #ERROR}, else {@code null} */
    public String errorString() {
        return errorString;
    }

    /**
     * @return the result payload read back from its JSON, as the instance would see it (numbers as
     *     the agent's mapper reads them: {@code Integer}, {@code Long}, {@code BigInteger},
     *     {@code Double}); empty for an error
     */
    public Map<String, Object> payload() {
        return payload;
    }

    /** @return the result payload as the JSON text the agent would send; {@code {}} for an error */
    public String payloadJson() {
        return payloadJson;
    }

    /**
     * @return the payload, after checking the probe answered
     * @throws AssertionError when the state is {@value #ERROR}, with its error string
     */
    public Map<String, Object> assertProcessed() {
        if (!isProcessed()) {
            throw new AssertionError("expected state processed, but the probe answered error: " + errorString);
        }
        return payload;
    }

    @Override
    public String toString() {
        return isProcessed() ? "ProbeOutcome[processed " + payloadJson + "]" : "ProbeOutcome[error " + errorString + "]";
    }
}
