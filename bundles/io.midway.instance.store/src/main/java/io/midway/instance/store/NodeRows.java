package io.midway.instance.store;

import io.midway.instance.api.NodeRow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import io.midway.instance.store.sql.Statements;

/** The instance nodes on the database ({@code instance_node}): each writes its own row. */
final class NodeRows extends TableRows {

    NodeRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * Writes a node's row (new, or its last-seen time and job flag); a node that holds the jobs
     * also unmarks every other row.
     *
     * @param node the row
     * @throws SQLException on a database error
     */
    void put(NodeRow node) throws SQLException {
        change(sql.get("node.put"), node.id(), node.host(), node.pid(), node.version(), node.startedMs(),
                node.lastSeenMs(), node.holdsJobs());
        if (node.holdsJobs()) {
            change(sql.get("node.jobs.others"), node.id());
        }
    }

    /**
     * @return every node's row, oldest start first
     * @throws SQLException on a database error
     */
    List<NodeRow> all() throws SQLException {
        return all(sql.get("node.all"), NodeRows::node);
    }

    /**
     * @param id a node's id
     * @throws SQLException on a database error
     */
    void delete(String id) throws SQLException {
        change(sql.get("node.delete"), id);
    }

    /**
     * @param seenBeforeMs epoch milliseconds
     * @return how many rows of nodes not seen since then were removed
     * @throws SQLException on a database error
     */
    int deleteGone(long seenBeforeMs) throws SQLException {
        return change(sql.get("node.delete.gone"), seenBeforeMs);
    }

    private static NodeRow node(ResultSet rs) throws SQLException {
        return new NodeRow(rs.getString("id"), rs.getString("host"), rs.getLong("pid"), rs.getString("version"),
                rs.getLong("started_ms"), rs.getLong("last_seen_ms"), rs.getBoolean("holds_jobs"));
    }
}
