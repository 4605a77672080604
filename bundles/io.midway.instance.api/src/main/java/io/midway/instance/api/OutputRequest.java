package io.midway.instance.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * A validated request to insert an output record ({@code POST /api/now/table/ecc_queue}).
 *
 * @param agent {@code mid.server.NAME} or {@code mid.server.*}
 * @param topic the probe topic
 * @param name the name, may be null
 * @param source the source, may be null
 * @param payload any JSON value, may be null
 * @param state {@code ready} (default), {@code processed} or {@code error}
 * @param priority 0, 1 or 2
 * @param errorString the error string, may be null
 * @param responseTo the response_to, may be null
 * @param application with no agent: the application to choose an agent for (MID selection), else null
 * @param capability with no agent: the capability the chosen agent needs, may be null
 */
public record OutputRequest(String agent, String topic, String name, String source, JsonNode payload, String state,
        int priority, String errorString, String responseTo, String application, String capability) {

    /**
     * A request addressed to an agent by name.
     *
     * @param agent {@code mid.server.NAME} or {@code mid.server.*}
     * @param topic the probe topic
     * @param name the name, may be null
     * @param source the source, may be null
     * @param payload any JSON value, may be null
     * @param state {@code ready}, {@code processed} or {@code error}
     * @param priority 0, 1 or 2
     * @param errorString the error string, may be null
     * @param responseTo the response_to, may be null
     */
    public OutputRequest(String agent, String topic, String name, String source, JsonNode payload, String state,
            int priority, String errorString, String responseTo) {
        this(agent, topic, name, source, payload, state, priority, errorString, responseTo, null, null);
    }

    /** The most records one {@code POST /api/now/table/ecc_queue} may insert. */
    public static final int MAX_BATCH_RECORDS = 10_000;

    private static final Set<String> STATES = Set.of(QueueRecord.STATE_READY, QueueRecord.STATE_PROCESSED,
            QueueRecord.STATE_ERROR);

    /** Checks the fields; the canonical constructor throws a 400 on an invalid value. */
    public OutputRequest {
        FieldLimits.check("agent", agent, FieldLimits.AGENT);
        FieldLimits.check("topic", topic, FieldLimits.TOPIC);
        FieldLimits.check("name", name, FieldLimits.LONG_TEXT);
        FieldLimits.check("source", source, FieldLimits.LONG_TEXT);
        FieldLimits.check("error_string", errorString, FieldLimits.LONG_TEXT);
        FieldLimits.check("response_to", responseTo, FieldLimits.RESPONSE_TO);
        FieldLimits.check("application", application, FieldLimits.APPLICATION);
        FieldLimits.check("capability", capability, FieldLimits.APPLICATION);
        if (topic == null || topic.isBlank()) {
            throw InstanceException.invalid("field 'topic' is required");
        }
        if ((agent == null || agent.isBlank()) && (application == null || application.isBlank())) {
            throw InstanceException.invalid("field 'agent' is required, or 'application' for the instance to choose one",
                    "use mid.server.<NAME> for one agent, mid.server.* for all, or no agent with 'application', "
                            + "'source' (the target IP) and optionally 'capability' (MID selection)");
        }
        if (agent != null && !agent.isBlank() && !QueueRecord.AGENT_ALL.equals(agent)) {
            if (!agent.startsWith(QueueRecord.AGENT_PREFIX)
                    || !AgentNames.isValid(agent.substring(QueueRecord.AGENT_PREFIX.length()))) {
                throw InstanceException.invalid("field 'agent' must be mid.server.<NAME> or mid.server.*",
                        "got '" + agent + "'");
            }
        }
        if (!STATES.contains(state)) {
            throw InstanceException.invalid("field 'state' of a new output record must be ready, processed or error",
                    "got '" + state + "'");
        }
        if (priority < QueueRecord.PRIORITY_INTERACTIVE || priority > QueueRecord.PRIORITY_STANDARD) {
            throw InstanceException.invalid("field 'priority' must be 0, 1 or 2", "got " + priority);
        }
    }

    /**
     * @param body the request body
     * @return the request
     * @throws InstanceException (400) naming a missing or invalid field
     */
    public static OutputRequest parse(JsonNode body) {
        ObjectNode object = JsonBody.object(body);
        String queue = JsonBody.text(object, "queue");
        if (queue != null && !QueueRecord.QUEUE_OUTPUT.equals(queue)) {
            throw InstanceException.invalid("only output records can be inserted here",
                    "field 'queue' must be output (or absent), got '" + queue + "'; agents post input to /api/mid/ecc/input");
        }
        String state = JsonBody.text(object, "state");
        Integer priority = JsonBody.integer(object, "priority");
        JsonNode payload = object.get("payload");
        return new OutputRequest(JsonBody.text(object, "agent"), JsonBody.text(object, "topic"),
                JsonBody.text(object, "name"), JsonBody.text(object, "source"),
                payload == null || payload.isNull() ? null : payload,
                state == null ? QueueRecord.STATE_READY : state,
                priority == null ? QueueRecord.PRIORITY_STANDARD : priority,
                JsonBody.text(object, "error_string"), JsonBody.text(object, "response_to"),
                JsonBody.text(object, "application"), JsonBody.text(object, "capability"));
    }

    /** @return whether the instance chooses the agent (no agent named, an application given) */
    public boolean routed() {
        return agent == null || agent.isBlank();
    }

    /**
     * Reads a batch: a JSON array of request objects.
     *
     * @param body the request body, a JSON array
     * @return the requests, in order
     * @throws InstanceException (400) when the array is empty or holds more than
     *         {@link #MAX_BATCH_RECORDS}, or naming the index and the reason of the first invalid element
     */
    public static List<OutputRequest> parseBatch(JsonNode body) {
        if (body == null || !body.isArray()) {
            throw InstanceException.invalid("the request body must be a JSON array of records");
        }
        if (body.isEmpty()) {
            throw InstanceException.invalid("the array of records is empty", "send at least one record");
        }
        if (body.size() > MAX_BATCH_RECORDS) {
            throw InstanceException.invalid("too many records in one request",
                    "at most " + MAX_BATCH_RECORDS + ", got " + body.size());
        }
        List<OutputRequest> requests = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            try {
                requests.add(parse(body.get(i)));
            } catch (InstanceException e) {
                throw InstanceException.invalid("records[" + i + "]: " + e.getMessage(),
                        e.detail().isEmpty() ? "nothing was inserted" : e.detail() + "; nothing was inserted");
            }
        }
        return requests;
    }

    /** @return whether it addresses every agent ({@code mid.server.*}) */
    public boolean fanOut() {
        return QueueRecord.AGENT_ALL.equals(agent);
    }
}
