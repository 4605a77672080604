package io.midway.instance.api;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated change of an ECC queue record ({@code PATCH} or {@code PUT
 * /api/now/table/ecc_queue/{sys_id}}): the fields given, and their new values. Whether the record
 * may change so (its queue and state) is the queue's to decide ({@link EccQueue#updateRecord}).
 *
 * @param given the changeable fields the body names (a field named with {@code null} clears it)
 * @param agent the new {@code mid.server.NAME}, when given
 * @param topic the new topic, when given
 * @param name the new name, when given
 * @param source the new source, when given
 * @param payload the new payload, when given
 * @param priority the new priority, when given
 * @param state the new state ({@code ready}, {@code processed} or {@code error}), when given
 * @param errorString the error string, when given (only with state {@code error})
 * @param unchanged read-only fields the body names, with the text it gives: accepted only when
 *     equal to the record's (a client may send back a record it read), else a 400
 */
public record EccChange(Set<String> given, String agent, String topic, String name, String source, JsonNode payload,
        Integer priority, String state, String errorString, Map<String, String> unchanged) {

    /** Fields of an output in state {@code ready} that an admin may change. */
    public static final List<String> CHANGEABLE = List.of("agent", "topic", "name", "source", "payload", "priority",
            "state", "error_string");
    /** Fields no change may alter. */
    public static final List<String> READ_ONLY = List.of("sys_id", "queue", "response_to", "sys_created_on",
            "processed", "application", "capability", "selection");

    /** Checks the values; throws a 400 naming the field and the rule. */
    public EccChange {
        given = Set.copyOf(given);
        unchanged = Map.copyOf(unchanged);
        FieldLimits.check("agent", agent, FieldLimits.AGENT);
        FieldLimits.check("topic", topic, FieldLimits.TOPIC);
        FieldLimits.check("name", name, FieldLimits.LONG_TEXT);
        FieldLimits.check("source", source, FieldLimits.LONG_TEXT);
        FieldLimits.check("error_string", errorString, FieldLimits.LONG_TEXT);
        if (given.contains("agent")) {
            if (agent == null || !agent.startsWith(QueueRecord.AGENT_PREFIX) || QueueRecord.AGENT_ALL.equals(agent)
                    || !AgentNames.isValid(agent.substring(QueueRecord.AGENT_PREFIX.length()))) {
                throw InstanceException.invalid("field 'agent' must be mid.server.<NAME>",
                        "got '" + agent + "'; a record is readdressed to one agent (mid.server.* only when inserting)");
            }
        }
        if (given.contains("topic") && (topic == null || topic.isBlank())) {
            throw InstanceException.invalid("field 'topic' cannot be empty");
        }
        if (given.contains("priority") && (priority == null || priority < QueueRecord.PRIORITY_INTERACTIVE
                || priority > QueueRecord.PRIORITY_STANDARD)) {
            throw InstanceException.invalid("field 'priority' must be 0, 1 or 2", "got " + priority);
        }
        if (given.contains("state") && !QueueRecord.STATE_PROCESSED.equals(state)
                && !QueueRecord.STATE_ERROR.equals(state) && !QueueRecord.STATE_READY.equals(state)) {
            throw InstanceException.invalid("field 'state' can be set to processed (cancel) or error only",
                    "got '" + state + "'");
        }
        if (given.contains("error_string") && errorString != null && !errorString.isEmpty()
                && !QueueRecord.STATE_ERROR.equals(state)) {
            throw InstanceException.invalid("field 'error_string' can be set only with state error",
                    "send {\"state\":\"error\",\"error_string\":\"…\"}");
        }
    }

    /**
     * @param body the request body, a JSON object
     * @return the change
     * @throws InstanceException (400) naming an unknown field or an invalid value
     */
    public static EccChange parse(JsonNode body) {
        ObjectNode object = JsonBody.object(body);
        Set<String> given = new LinkedHashSet<>();
        Map<String, String> unchanged = new LinkedHashMap<>();
        for (var it = object.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (CHANGEABLE.contains(field)) {
                given.add(field);
            } else if (READ_ONLY.contains(field)) {
                JsonNode value = object.get(field);
                unchanged.put(field, value == null || value.isNull() ? "" : value.isTextual() ? value.textValue()
                        : value.toString());
            } else {
                throw InstanceException.invalid("unknown field '" + field + "' of ecc_queue",
                        "fields that may change: " + CHANGEABLE);
            }
        }
        JsonNode payload = object.get("payload");
        return new EccChange(given, JsonBody.text(object, "agent"), JsonBody.text(object, "topic"),
                JsonBody.text(object, "name"), JsonBody.text(object, "source"),
                payload == null || payload.isNull() ? null : payload, JsonBody.integer(object, "priority"),
                JsonBody.text(object, "state"), JsonBody.text(object, "error_string"), unchanged);
    }

    /**
     * @param field a field name
     * @return whether the change names it
     */
    public boolean has(String field) {
        return given.contains(field);
    }

    /**
     * @param current the record as it is
     * @throws InstanceException (400) "field X cannot be changed" for a read-only field given with another value
     */
    public void checkReadOnly(QueueRecord current) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("sys_id", current.sysId());
        values.put("queue", current.queue());
        values.put("response_to", current.responseTo());
        values.put("sys_created_on", current.sysCreatedOn());
        values.put("processed", current.processed());
        values.put("application", current.application());
        values.put("capability", current.capability());
        values.put("selection", current.selection());
        for (Map.Entry<String, String> e : unchanged.entrySet()) {
            String now = values.get(e.getKey());
            if (!Objects.equals(now == null ? "" : now, e.getValue())) {
                throw InstanceException.invalid("field '" + e.getKey() + "' cannot be changed",
                        "read-only fields: " + READ_ONLY + "; fields that may change: " + CHANGEABLE);
            }
        }
    }

    /**
     * @param current the record as it is (an output in state {@code ready})
     * @param now the time, {@code yyyy-MM-dd HH:mm:ss} UTC
     * @return the record with this change applied
     */
    public QueueRecord applyTo(QueueRecord current, String now) {
        String newState = has("state") ? state : current.state();
        boolean ends = !QueueRecord.STATE_READY.equals(newState) && QueueRecord.STATE_READY.equals(current.state());
        String error = QueueRecord.STATE_ERROR.equals(newState)
                ? (has("error_string") ? errorString : current.errorString()) : null;
        return new QueueRecord(current.sysId(), has("agent") ? agent : current.agent(),
                has("topic") ? topic : current.topic(), has("name") ? name : current.name(),
                has("source") ? source : current.source(), has("payload") ? payload : current.payload(),
                current.queue(), newState, current.responseTo(), has("priority") ? priority : current.priority(),
                error, current.sysCreatedOn(), ends ? now : current.processed(), current.application(),
                current.capability(), current.selection());
    }
}
