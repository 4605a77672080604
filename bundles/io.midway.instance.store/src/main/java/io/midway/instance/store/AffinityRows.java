package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import io.midway.instance.store.sql.Statements;

/** Credential affinity ({@code dscy_credentials_affinity}), read with each credential's name. */
final class AffinityRows extends TableRows {

    AffinityRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param agentName an agent
     * @return its affinity rows, by type then target
     * @throws SQLException on a database error
     */
    List<StoredAffinity> affinityOf(String agentName) throws SQLException {
        return all(sql.get("affinity.by.agent"), AffinityRows::affinity, agentName);
    }

    /**
     * @param row a new row (its {@code credentialName} is not stored)
     * @throws SQLException on a database error (a duplicate sys_id, or agent, type and target)
     */
    void insertAffinity(StoredAffinity row) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("affinity.insert"))) {
            ps.setString(1, row.sysId());
            ps.setString(2, row.agent());
            ps.setString(3, row.credential());
            ps.setString(4, row.type());
            ps.setString(5, row.target());
            ps.setLong(6, row.updatedMs());
            ps.executeUpdate();
        }
    }

    /**
     * @param sysId a row's sys_id
     * @param credential the credential that now holds the affinity
     * @param updatedMs the time of the change, epoch milliseconds
     * @return whether the row existed
     * @throws SQLException on a database error
     */
    boolean updateAffinityCredential(String sysId, String credential, long updatedMs) throws SQLException {
        return change(sql.get("affinity.update.credential"), credential, updatedMs, sysId) > 0;
    }

    /**
     * @param sysId a row's sys_id
     * @return whether a row was removed
     * @throws SQLException on a database error
     */
    boolean deleteAffinity(String sysId) throws SQLException {
        return change(sql.get("affinity.delete"), sysId) > 0;
    }

    /**
     * @param credential the sys_id of a credential
     * @return how many affinity rows named it (all removed)
     * @throws SQLException on a database error
     */
    int deleteAffinityOfCredential(String credential) throws SQLException {
        return change(sql.get("affinity.delete.of.credential"), credential);
    }

    /**
     * @param sysId a row's sys_id
     * @return the row, with its credential's name
     * @throws SQLException on a database error
     */
    Optional<StoredAffinity> findAffinity(String sysId) throws SQLException {
        return one(sql.get("affinity.by.sys_id"), AffinityRows::affinity, sysId);
    }

    /**
     * @param query a validated query on {@link TableSchema#DSCY_CREDENTIALS_AFFINITY}
     * @return the matching rows, with their credentials' names
     * @throws SQLException on a database error
     */
    List<StoredAffinity> queryAffinity(TableQuery query) throws SQLException {
        // the query's column names are unqualified; in the outer query they can only mean a's
        return page(sql.get("affinity.query"), query, AffinityRows::affinity);
    }

    /** Reads the columns of {@code affinity.query}. */
    private static StoredAffinity affinity(ResultSet rs) throws SQLException {
        return new StoredAffinity(rs.getString("sys_id"), rs.getString("agent"), rs.getString("credential"),
                rs.getString("credential_name"), rs.getString("type"), rs.getString("target"),
                rs.getLong("updated_ms"));
    }
}
