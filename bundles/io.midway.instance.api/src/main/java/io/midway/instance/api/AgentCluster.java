package io.midway.instance.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;


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

    /** The time format of the table records, {@code yyyy-MM-dd HH:mm:ss} UTC. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

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
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        row.put("sys_id", sysId);
        row.put("name", name);
        row.put("type", type.label());
        ArrayNode list = row.putArray("members");
        members.forEach(list::add);
        row.put("sys_created_on", TIME.format(Instant.ofEpochMilli(createdMs)));
        row.put("sys_updated_on", TIME.format(Instant.ofEpochMilli(updatedMs)));
        return row;
    }
}
