package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;

/** The agents ({@code ecc_agent}): their fields, heartbeat times, public keys and cluster names. */
final class AgentRows extends TableRows {

    AgentRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param agent a new agent
     * @param createdMs registration time, epoch milliseconds (also the time of its last heartbeat)
     * @throws SQLException on a database error
     */
    void insertAgent(Agent agent, long createdMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("agent.insert"))) {
            ps.setString(1, agent.sysId());
            ps.setString(2, agent.name());
            int i = bindAgentState(ps, agent, 3);
            ps.setLong(i++, createdMs);
            ps.setLong(i, createdMs);
            ps.executeUpdate();
        }
    }

    /**
     * Stores every field of an agent but its sys_id and name. A record of an older shape (no
     * {@code advertised_capabilities}) stores its {@code capabilities} as advertised and no
     * hand-set ones; {@code capabilities} is stored as given (the caller keeps it the union).
     *
     * @param agent the agent, found by sys_id
     * @throws SQLException on a database error
     */
    void updateAgent(Agent agent) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("agent.update"))) {
            int i = bindAgentState(ps, agent, 1);
            ps.setString(i, agent.sysId());
            ps.executeUpdate();
        }
    }

    /**
     * Writes when agents were last heard from, in one batch; a stored time that is already later
     * stays.
     *
     * @param times agent name → time, wire format
     * @throws SQLException on a database error
     */
    void refreshAgents(java.util.Map<String, String> times) throws SQLException {
        if (times.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("agent.refreshed"))) {
            for (java.util.Map.Entry<String, String> t : new java.util.TreeMap<>(times).entrySet()) {
                ps.setString(1, t.getValue());
                ps.setString(2, t.getKey());
                ps.setString(3, t.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Binds the columns of {@code agent.columns} after sys_id and name, from {@code start}. */
    private static int bindAgentState(PreparedStatement ps, Agent agent, int start) throws SQLException {
        int i = start;
        ps.setString(i++, agent.status());
        ps.setBoolean(i++, agent.validated());
        ps.setString(i++, agent.version());
        ps.setString(i++, agent.hostName());
        ps.setString(i++, agent.ipAddress());
        ps.setString(i++, agent.lastRefreshed());
        ps.setString(i++, JsonColumns.write(JsonColumns.nonNull(agent.capabilities())));
        ps.setString(i++, JsonColumns.write(JsonColumns.nonNull(agent.applications())));
        ps.setString(i++, JsonColumns.write(JsonColumns.nonNull(agent.ipRanges())));
        ps.setString(i++, agent.cluster() == null ? "" : agent.cluster());
        ps.setBoolean(i++, agent.isDefault());
        ps.setString(i++, agent.syncRevision());
        ps.setString(i++, agent.syncState());
        ps.setString(i++, agent.pinnedVersion());
        ps.setString(i++, JsonColumns.write(JsonColumns.nonNull(agent.manualCapabilities())));
        ps.setString(i++, JsonColumns.write(agent.advertisedCapabilities() != null ? agent.advertisedCapabilities()
                : JsonColumns.nonNull(agent.capabilities())));
        return i;
    }

    /**
     * @param name an agent name
     * @return the agent
     * @throws SQLException on a database error
     */
    Optional<Agent> findAgentByName(String name) throws SQLException {
        return one(sql.get("agent.by.name"), AgentRows::agent, name);
    }

    /**
     * @param sysId a sys_id
     * @return the agent
     * @throws SQLException on a database error
     */
    Optional<Agent> findAgent(String sysId) throws SQLException {
        return one(sql.get("agent.by.sys_id"), AgentRows::agent, sysId);
    }

    /**
     * @return every agent, by name
     * @throws SQLException on a database error
     */
    List<Agent> agents() throws SQLException {
        return all(sql.get("agent.all"), AgentRows::agent);
    }

    /**
     * @param query a validated query on {@link TableSchema#ECC_AGENT}
     * @return the matching agents
     * @throws SQLException on a database error
     */
    List<Agent> queryAgents(TableQuery query) throws SQLException {
        return page(sql.get("agent.query"), query, AgentRows::agent);
    }

    /**
     * @param cutoffMs agents whose last heartbeat was written at or before this time are due
     * @return names of agents due for a heartbeat that have none pending
     * @throws SQLException on a database error
     */
    List<String> agentsDueForHeartbeat(long cutoffMs) throws SQLException {
        return all(sql.get("agent.heartbeat.due"), rs -> rs.getString("name"),
                cutoffMs, QueueRecord.AGENT_PREFIX, QueueRecord.QUEUE_OUTPUT, QueueRecord.TOPIC_HEARTBEAT,
                QueueRecord.STATE_READY, QueueRecord.STATE_PROCESSING);
    }

    /**
     * @param cutoffMs a pending heartbeat written before this time is overdue
     * @return the agents not {@code Down} with an overdue heartbeat, by name, and when their oldest
     *     pending one was written (epoch milliseconds): one query, from the index on last_heartbeat_ms
     * @throws SQLException on a database error
     */
    java.util.Map<String, Long> agentsWithOverdueHeartbeat(long cutoffMs) throws SQLException {
        java.util.Map<String, Long> overdue = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, Long> e : all(sql.get("agent.heartbeat.overdue"),
                rs -> java.util.Map.entry(rs.getString("name"), rs.getLong("pending_ms")),
                QueueRecord.AGENT_PREFIX, QueueRecord.QUEUE_OUTPUT, QueueRecord.STATE_READY, QueueRecord.STATE_PROCESSING,
                QueueRecord.TOPIC_HEARTBEAT, cutoffMs, Agent.STATUS_DOWN, cutoffMs)) {
            overdue.put(e.getKey(), e.getValue());
        }
        return overdue;
    }

    /**
     * @param names agents that were just sent a heartbeat
     * @param sentMs when, epoch milliseconds
     * @throws SQLException on a database error
     */
    void setLastHeartbeat(Collection<String> names, long sentMs) throws SQLException {
        if (names.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("agent.heartbeat.set.all"))) {
            ps.setLong(1, sentMs);
            ps.setObject(2, names.toArray(new String[0]));
            ps.executeUpdate();
        }
    }

    /**
     * @param name an agent name
     * @param sentMs when its latest heartbeat was written, epoch milliseconds
     * @throws SQLException on a database error
     */
    void setLastHeartbeat(String name, long sentMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("agent.heartbeat.set"))) {
            ps.setLong(1, sentMs);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    /**
     * @param agentName an agent
     * @param publicKey its public key as text (base64 X.509)
     * @param fingerprint the key's fingerprint
     * @throws SQLException on a database error
     */
    void setAgentPublicKey(String agentName, String publicKey, String fingerprint) throws SQLException {
        setKey(sql.get("agent.key.set"), agentName, publicKey, fingerprint);
    }

    /**
     * @param agentName an agent
     * @return its public key as text, when it registered one
     * @throws SQLException on a database error
     */
    Optional<String> agentPublicKey(String agentName) throws SQLException {
        return one(sql.get("agent.key.read"), rs -> rs.getString("public_key"), agentName);
    }

    /**
     * Keeps a key an agent registered that is not its validated one, until an admin validates it.
     *
     * @param agentName an agent
     * @param publicKey the new key as text, or {@code null} to forget a pending key
     * @param fingerprint its fingerprint, or {@code null}
     * @throws SQLException on a database error
     */
    void setAgentPendingKey(String agentName, String publicKey, String fingerprint) throws SQLException {
        setKey(sql.get("agent.key.pending.set"), agentName, publicKey, fingerprint);
    }

    private void setKey(String update, String agentName, String publicKey, String fingerprint) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(update)) {
            ps.setString(1, publicKey);
            ps.setString(2, fingerprint);
            ps.setString(3, agentName);
            ps.executeUpdate();
        }
    }

    /**
     * @param agentName an agent
     * @return the key it registered that waits for validation, if any
     * @throws SQLException on a database error
     */
    Optional<PendingKey> agentPendingKey(String agentName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("agent.key.pending.read"))) {
            ps.setString(1, agentName);
            return single(ps, rs -> rs.getString("pending_public_key") == null ? null
                    : new PendingKey(rs.getString("pending_public_key"), rs.getString("pending_key_fingerprint")));
        }
    }

    /**
     * Sets the {@code cluster} field of registered agents (names not registered are skipped).
     *
     * @param agentNames agent names
     * @param cluster the cluster name, or {@code ""} for none
     * @throws SQLException on a database error
     */
    void setAgentCluster(Collection<String> agentNames, String cluster) throws SQLException {
        if (agentNames.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("agent.cluster.set"))) {
            for (String name : agentNames) {
                ps.setString(1, cluster);
                ps.setString(2, name);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Reads the {@code agent.read.columns} of a row. */
    private static Agent agent(ResultSet rs) throws SQLException {
        return new Agent(rs.getString("sys_id"), rs.getString("name"), rs.getString("status"),
                rs.getBoolean("validated"), rs.getString("version"), rs.getString("host_name"),
                rs.getString("ip_address"), rs.getString("last_refreshed"),
                JsonColumns.readList(rs.getString("capabilities")), JsonColumns.readList(rs.getString("applications")),
                JsonColumns.readList(rs.getString("ip_ranges")), rs.getString("cluster"), rs.getBoolean("is_default"),
                rs.getString("sync_revision"), rs.getString("sync_state"), rs.getString("pinned_version"),
                rs.getString("public_key_fingerprint"), JsonColumns.readList(rs.getString("manual_capabilities")),
                JsonColumns.readList(rs.getString("advertised_capabilities")));
    }
}
