package io.midway.instance.api;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated request body for {@code ecc_agent_cluster} (POST creates, PATCH changes); a
 * {@code null} component is a field the body does not name.
 *
 * @param name the cluster name, trimmed
 * @param type how its members share work
 * @param members the agent names in order, trimmed, each once
 */
public record ClusterChange(String name, ClusterType type, List<String> members) {

    /** The longest cluster name (the width of {@code ecc_agent.cluster}). */
    public static final int MAX_NAME_LENGTH = 200;

    /** Fields a request may set. */
    public static final Set<String> CHANGEABLE = Set.of("name", "type", "members");
    /** Fields a record shows that a request may carry back but cannot change; ignored. */
    public static final Set<String> READ_ONLY = Set.of("sys_id", "sys_created_on", "sys_updated_on");

    /** Copies the members. */
    public ClusterChange {
        members = members == null ? null : List.copyOf(members);
    }

    /**
     * @param body the request body
     * @return the change
     * @throws InstanceException (400) on an unknown field, a wrong type, an unknown cluster type, an
     *     invalid or repeated agent name, or (for a change) nothing to change
     */
    public static ClusterChange parse(JsonNode body) {
        ObjectNode object = JsonBody.object(body);
        Set<String> unknown = new TreeSet<>();
        object.fieldNames().forEachRemaining(field -> {
            if (!CHANGEABLE.contains(field) && !READ_ONLY.contains(field)) {
                unknown.add(field);
            }
        });
        if (!unknown.isEmpty()) {
            throw InstanceException.invalid("unknown field(s) " + String.join(", ", unknown),
                    "fields of ecc_agent_cluster: name, type (" + ClusterType.labels() + "), members (agent names in order)");
        }
        String name = null;
        if (object.has("name")) {
            name = JsonBody.text(object, "name");
            if (name == null || name.isBlank()) {
                throw InstanceException.invalid("field 'name' must not be empty");
            }
            name = name.trim();
            if (name.length() > MAX_NAME_LENGTH) {
                throw InstanceException.invalid("field 'name' is too long", "at most " + MAX_NAME_LENGTH + " characters");
            }
        }
        ClusterType type = null;
        if (object.has("type")) {
            String text = JsonBody.text(object, "type");
            String label = text == null ? "" : text.trim();
            type = ClusterType.forLabel(label).orElseThrow(() -> InstanceException.invalid(
                    label.isEmpty() ? "field 'type' must not be empty" : "unknown cluster type '" + label + "'",
                    "one of: " + ClusterType.labels()));
        }
        List<String> members = JsonBody.stringList(object, "members");
        if (members != null) {
            Set<String> seen = new LinkedHashSet<>();
            for (String member : members) {
                if (!AgentNames.isValid(member)) {
                    throw InstanceException.invalid("invalid agent name '" + member + "' in members",
                            "agent names use letters, digits, '.', '_' or '-', at most 100 characters");
                }
                if (!seen.add(member)) {
                    throw InstanceException.invalid("agent '" + member + "' is listed twice in members",
                            "each agent is a member once; the order of members is the failover order");
                }
            }
        }
        return new ClusterChange(name, type, members);
    }

    /** @return whether the body names no field to change */
    public boolean isEmpty() {
        return name == null && type == null && members == null;
    }
}
