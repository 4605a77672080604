package io.midway.instance.api;

import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request body for {@code ecc_agent_property} or {@code ecc_agent_config} (POST creates, PATCH
 * or PUT changes); a {@code null} component is a field the body does not name. The name and value
 * are checked against the agent settings catalog by {@link AgentSettings}, not here.
 *
 * @param name the setting's name, trimmed
 * @param value its value as text (a JSON number or boolean is taken as its text)
 * @param agent the agent's name, trimmed ({@code ""}: every agent, properties only)
 */
public record AgentSettingChange(String name, String value, String agent) {

    /** Fields a request may set. */
    public static final Set<String> CHANGEABLE = Set.of("name", "value", "agent");
    /** Fields a record shows that a request may carry back but cannot change; ignored. */
    public static final Set<String> READ_ONLY = Set.of("sys_id", "sys_created_on", "sys_updated_on");

    /**
     * @param body the request body
     * @return the change
     * @throws InstanceException (400) on an unknown field or a value that is not text, a number or a boolean
     */
    public static AgentSettingChange parse(JsonNode body) {
        ObjectNode object = JsonBody.object(body);
        Set<String> unknown = new TreeSet<>();
        object.fieldNames().forEachRemaining(field -> {
            if (!CHANGEABLE.contains(field) && !READ_ONLY.contains(field)) {
                unknown.add(field);
            }
        });
        if (!unknown.isEmpty()) {
            throw InstanceException.invalid("unknown field(s) " + String.join(", ", unknown),
                    "fields: name (an agent setting), value, agent (an agent's name; empty for every agent)");
        }
        String name = object.has("name") ? trimmed(JsonBody.text(object, "name")) : null;
        String agent = object.has("agent") ? trimmed(JsonBody.text(object, "agent")) : null;
        String value = null;
        if (object.has("value")) {
            JsonNode v = object.get("value");
            if (v.isNull()) {
                value = "";
            } else if (v.isTextual() || v.isNumber() || v.isBoolean()) {
                value = v.asText();
            } else {
                throw InstanceException.invalid("field 'value' must be text, a number or true/false",
                        "got " + JsonBody.describe(v));
            }
        }
        return new AgentSettingChange(name, value, agent);
    }

    private static String trimmed(String s) {
        return s == null ? "" : s.trim();
    }

    /** @return whether the body names no field to change */
    public boolean isEmpty() {
        return name == null && value == null && agent == null;
    }
}
