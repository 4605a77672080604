package io.midway.instance.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record of {@code ecc_agent_property} (a setting for every agent, or for one) or
 * {@code ecc_agent_config} (a configuration parameter, for one agent).
 *
 * @param sysId its sys_id
 * @param name the setting's name (the agent settings catalog)
 * @param value its value, as the catalog normalised it
 * @param agent the agent's name; empty for a property of every agent
 * @param createdMs when it was created, epoch milliseconds
 * @param updatedMs when it last changed, epoch milliseconds
 */
public record AgentSetting(String sysId, String name, String value, String agent, long createdMs, long updatedMs) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** @return whether it is a property of every agent */
    public boolean global() {
        return agent == null || agent.isEmpty();
    }

    /** @return the record as the Table API shows it */
    public ObjectNode toJson() {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        row.put("sys_id", sysId);
        row.put("name", name);
        row.put("value", value);
        row.put("agent", agent == null ? "" : agent);
        row.put("sys_created_on", TIME.format(Instant.ofEpochMilli(createdMs)));
        row.put("sys_updated_on", TIME.format(Instant.ofEpochMilli(updatedMs)));
        return row;
    }
}
