package io.midway.testing.probe;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.api.probe.ProbeResult;
import io.midway.wire.Json;

/**
 * Runs a probe without OSGi the way the agent does, so that a unit test sees what the instance
 * would see:
 * <ul>
 * <li>the payload, given as JSON text or as a map, goes through the agent's JSON mapper
 * ({@link Json#mapper()}), so the probe gets the same Java types as in the agent (a whole number
 * is an {@code Integer}, or a {@code Long} or {@code BigInteger} when larger; a fraction a
 * {@code Double});</li>
 * <li>the result payload is written to JSON with that mapper and read back: a value the agent
 * cannot write, or one that is not a plain JSON value (map with string keys, list, string, number,
 * boolean, {@code null}), fails the test with an {@link AssertionError} naming where it is;</li>
 * <li>a {@link ProbeException} becomes an {@code error} outcome with its message, as the
 * operator would read it in {@code error_string}.</li>
 * </ul>
 * Any other exception from the probe is thrown on to the test (the agent would log it and answer
 * {@code error} with {@code "Probe for topic 'T' failed: <exception>"}).
 *
 * <pre>
 * ProbeOutcome outcome = ProbeHarness.topic("DNSLookup").payload("{\"names\":[\"localhost\"]}").run(probe);
 * assertEquals("processed", outcome.state());
 * String error = ProbeHarness.topic("DNSLookup").payload("{}").runExpectingError(probe);
 * </pre>
 *
 * Instances are immutable; each setter returns a new harness.
 */
public final class ProbeHarness {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String topic;
    private final String name;
    private final String source;
    private final String payloadJson;

    private ProbeHarness(String topic, String name, String source, String payloadJson) {
        this.topic = topic;
        this.name = name;
        this.source = source;
        this.payloadJson = payloadJson;
    }

    /**
     * @param topic the ECC topic of the request, e.g. {@code DNSLookup}
     * @return a harness for requests of that topic, with an empty payload
     */
    public static ProbeHarness topic(String topic) {
        Objects.requireNonNull(topic, "topic");
        return new ProbeHarness(topic, "", "", "{}");
    }

    /**
     * @param json the record's payload, a JSON object, e.g. {@code {"names":["localhost"]}}
     * @return a harness with that payload
     * @throws IllegalArgumentException when the text is not a JSON object (the agent would answer
     *     {@code error} without calling the probe)
     */
    public ProbeHarness payload(String json) {
        parseObject(json);
        return new ProbeHarness(topic, name, source, json);
    }

    /**
     * @param payload the record's payload as plain values; it is written to JSON and read back, so
     *     the probe gets the agent's types (a {@code 500L} arrives as the {@code Integer} 500)
     * @return a harness with that payload
     * @throws IllegalArgumentException when the map cannot be written as JSON
     */
    public ProbeHarness payload(Map<String, ?> payload) {
        try {
            return payload(mapper().writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the payload cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * @param source the record's {@code source}, usually the target address
     * @return a harness with that source
     */
    public ProbeHarness source(String source) {
        return new ProbeHarness(topic, name, source == null ? "" : source, payloadJson);
    }

    /**
     * @param name the record's {@code name}
     * @return a harness with that name
     */
    public ProbeHarness name(String name) {
        return new ProbeHarness(topic, name == null ? "" : name, source, payloadJson);
    }

    /**
     * @return a new request as the agent hands it to a probe, with a fresh {@code sys_id} and the
     *     payload parsed by the agent's mapper
     */
    public ProbeRequest request() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return new ProbeRequest(HexFormat.of().formatHex(id), topic, name, source, parseObject(payloadJson));
    }

    /**
     * Runs one request through the probe on the calling thread.
     *
     * @param probe the probe, e.g. created with its {@code @Activate} constructor
     * @return the outcome: {@code processed} with the payload, or {@code error} with the message of
     *     the probe's {@link ProbeException}
     * @throws InterruptedException when the probe was interrupted
     * @throws AssertionError when the probe returned {@code null} or a payload that is not plain JSON
     */
    public ProbeOutcome run(Probe probe) throws InterruptedException {
        Objects.requireNonNull(probe, "probe");
        ProbeResult result;
        try {
            result = probe.run(request());
        } catch (ProbeException e) {
            String message = e.getMessage();
            return new ProbeOutcome(ProbeOutcome.ERROR, message == null || message.isBlank()
                    ? "Probe for topic '" + topic + "' failed without a message" : message, Map.of(), "{}");
        }
        if (result == null) {
            throw new AssertionError("Probe for topic '" + topic + "' returned no result (the agent answers error)");
        }
        JsonNode tree;
        try {
            tree = mapper().valueToTree(result.payload());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("Probe for topic '" + topic + "' returned a payload that cannot be written as JSON"
                    + " (the agent answers error): " + e.getMessage(), e);
        }
        checkPlain("payload", result.payload());
        try {
            return new ProbeOutcome(ProbeOutcome.PROCESSED, null, mapper().convertValue(tree, MAP),
                    mapper().writeValueAsString(tree));
        } catch (JsonProcessingException e) {
            throw new AssertionError("Probe for topic '" + topic + "' returned a payload that cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * Runs one request and expects the probe to fail it.
     *
     * @param probe the probe
     * @return the {@code error_string} the operator would read
     * @throws InterruptedException when the probe was interrupted
     * @throws AssertionError when the probe answered {@code processed}
     */
    public String runExpectingError(Probe probe) throws InterruptedException {
        ProbeOutcome outcome = run(probe);
        if (outcome.isProcessed()) {
            throw new AssertionError("expected state error, but the probe answered processed: " + outcome.payloadJson());
        }
        return outcome.errorString();
    }

    /** @return the topic of the requests */
    String topicName() {
        return topic;
    }

    @Override
    public String toString() {
        return "ProbeHarness[" + topic + " " + payloadJson + "]";
    }

    private static ObjectMapper mapper() {
        return Json.mapper();
    }

    /** As the agent reads a record's payload: a JSON object, converted to plain values. */
    private static Map<String, Object> parseObject(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode node;
        try {
            node = mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the payload is not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the payload must be a JSON object (the agent answers error for "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()) + "): " + json);
        }
        return mapper().convertValue(node, MAP);
    }

    /** The result contract: maps with string keys, lists, strings, numbers, booleans and null. */
    private void checkPlain(String path, Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double || value instanceof Float || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger || value instanceof BigDecimal) {
            return;
        }
        if (value instanceof Map) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!(entry.getKey() instanceof String)) {
                    throw notPlain(path + " has the key " + entry.getKey() + " of type " + typeOf(entry.getKey()));
                }
                checkPlain(path + "." + entry.getKey(), entry.getValue());
            }
            return;
        }
        if (value instanceof Collection) {
            int i = 0;
            for (Object element : (Collection<?>) value) {
                checkPlain(path + "[" + i++ + "]", element);
            }
            return;
        }
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                checkPlain(path + "[" + i + "]", Array.get(value, i));
            }
            return;
        }
        throw notPlain(path + " is a " + typeOf(value));
    }

    private AssertionError notPlain(String what) {
        return new AssertionError("Probe for topic '" + topic + "' returned a payload that is not plain JSON: " + what
                + ". A result holds only maps with string keys, lists, strings, numbers, booleans and null"
                + " (see ProbeResult); convert the value, e.g. to a string.");
    }

    private static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }
}
