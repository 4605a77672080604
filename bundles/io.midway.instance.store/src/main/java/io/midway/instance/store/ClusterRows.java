package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.ClusterType;
import io.midway.instance.store.sql.Statements;

/** The agent clusters ({@code ecc_agent_cluster}); their members are a JSON list of agent names. */
final class ClusterRows extends TableRows {

    ClusterRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param cluster a new cluster
     * @throws SQLException on a database error (a duplicate sys_id or name)
     */
    void insertCluster(AgentCluster cluster) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("cluster.insert"))) {
            ps.setString(1, cluster.sysId());
            ps.setString(2, cluster.name());
            ps.setString(3, cluster.type().label());
            ps.setString(4, JsonColumns.write(cluster.members()));
            ps.setLong(5, cluster.createdMs());
            ps.setLong(6, cluster.updatedMs());
            ps.executeUpdate();
        }
    }

    /**
     * Stores the name, type, members and update time of a cluster.
     *
     * @param cluster the cluster, found by sys_id
     * @return whether it existed
     * @throws SQLException on a database error
     */
    boolean updateCluster(AgentCluster cluster) throws SQLException {
        return change(sql.get("cluster.update"), cluster.name(), cluster.type().label(),
                JsonColumns.write(cluster.members()), cluster.updatedMs(), cluster.sysId()) > 0;
    }

    /**
     * @param sysId a cluster's sys_id
     * @return whether it was removed
     * @throws SQLException on a database error
     */
    boolean deleteCluster(String sysId) throws SQLException {
        return change(sql.get("cluster.delete"), sysId) > 0;
    }

    /**
     * @param sysId a sys_id
     * @return the cluster
     * @throws SQLException on a database error
     */
    Optional<AgentCluster> findCluster(String sysId) throws SQLException {
        return one(sql.get("cluster.by.sys_id"), ClusterRows::cluster, sysId);
    }

    /**
     * @param name a cluster name
     * @return the cluster
     * @throws SQLException on a database error
     */
    Optional<AgentCluster> findClusterByName(String name) throws SQLException {
        return one(sql.get("cluster.by.name"), ClusterRows::cluster, name);
    }

    /**
     * @return every cluster, by name
     * @throws SQLException on a database error
     */
    List<AgentCluster> clusters() throws SQLException {
        return all(sql.get("cluster.all"), ClusterRows::cluster);
    }

    /**
     * @param query a validated query on {@link TableSchema#ECC_AGENT_CLUSTER}
     * @return the matching clusters
     * @throws SQLException on a database error
     */
    List<AgentCluster> queryClusters(TableQuery query) throws SQLException {
        return page(sql.get("cluster.query"), query, ClusterRows::cluster);
    }

    /** Reads the {@code cluster.columns} of a row. */
    private static AgentCluster cluster(ResultSet rs) throws SQLException {
        String type = rs.getString("type");
        return new AgentCluster(rs.getString("sys_id"), rs.getString("name"), ClusterType.forLabel(type)
                .orElseThrow(() -> new SQLException("stored cluster type '" + type + "' is unknown")),
                JsonColumns.readList(rs.getString("members")), rs.getLong("created_ms"), rs.getLong("updated_ms"));
    }
}
