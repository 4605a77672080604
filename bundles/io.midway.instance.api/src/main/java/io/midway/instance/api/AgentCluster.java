package io.midway.instance.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.wire.Json;

/**
 * One {@code ecc_agent_cluster} record.
 *
 * @param sysId its sys_id
 * @param name its name, unique
 * @param type how its members share work
 * @param members agent names in order (failover tries them in this order); an agent is in at most
 *     one cluster; a name need not be registered yet
 * @param createdMs when it was created, epoch milliseconds
 * @param updatedMs when it last changed, epoch milliseconds
 */
public record AgentCluster(String sysId, String name, ClusterType type, List<String> members, long createdMs,
        long updatedMs) {

    /** Copies the members. */
    public AgentCluster {
        members = List.copyOf(members);
    }

    /**
     * @param agentName an agent name
     * @return whether the agent is a member
     */
    public boolean hasMember(String agentName) {
        return members.contains(agentName);
    }

    /** @return the record as the Table API shows it */
    public ObjectNode toJson() {
        ObjectNode row = Json.mapper().createObjectNode();
        row.put("sys_id", sysId);
        row.put("name", name);
        row.put("type", type.label());
        ArrayNode list = row.putArray("members");
        members.forEach(list::add);
        row.put("sys_created_on", Json.time(Instant.ofEpochMilli(createdMs)));
        row.put("sys_updated_on", Json.time(Instant.ofEpochMilli(updatedMs)));
        return row;
    }
}
