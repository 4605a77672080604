package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.midway.instance.store.sql.Statements;

/**
 * The credentials ({@code discovery_credentials}, secrets as the caller's ciphertexts), the
 * credential revision and the master key's check value ({@code instance_state}).
 */
final class CredentialRows extends TableRows {

    CredentialRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param credential a new credential
     * @throws SQLException on a database error (a duplicate sys_id or name among them)
     */
    void insertCredential(StoredCredential credential) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("credential.insert"))) {
            ps.setString(1, credential.sysId());
            ps.setString(2, credential.name());
            int i = bindCredential(ps, credential, 3);
            ps.setLong(i++, credential.createdMs());
            ps.setLong(i, credential.updatedMs());
            ps.executeUpdate();
        }
    }

    /**
     * Stores every field of a credential but its sys_id and creation time.
     *
     * @param credential the credential, found by sys_id
     * @return whether it existed
     * @throws SQLException on a database error
     */
    boolean updateCredential(StoredCredential credential) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("credential.update"))) {
            ps.setString(1, credential.name());
            int i = bindCredential(ps, credential, 2);
            ps.setLong(i++, credential.updatedMs());
            ps.setString(i, credential.sysId());
            return ps.executeUpdate() > 0;
        }
    }

    /** Binds type to external_id of {@code credential.columns}, from {@code start}. */
    private static int bindCredential(PreparedStatement ps, StoredCredential c, int start) throws SQLException {
        int i = start;
        ps.setString(i++, c.type());
        ps.setInt(i++, c.order());
        ps.setBoolean(i++, c.active());
        ps.setString(i++, JsonColumns.write(c.fields()));
        ps.setString(i++, JsonColumns.write(c.secrets()));
        ps.setString(i++, c.resolver());
        ps.setString(i++, c.externalId());
        return i;
    }

    /**
     * @param sysId a sys_id
     * @return whether a credential was removed
     * @throws SQLException on a database error
     */
    boolean deleteCredential(String sysId) throws SQLException {
        return change(sql.get("credential.delete"), sysId) > 0;
    }

    /**
     * @param sysId a sys_id
     * @return the credential
     * @throws SQLException on a database error
     */
    Optional<StoredCredential> findCredential(String sysId) throws SQLException {
        return one(sql.get("credential.by.sys_id"), CredentialRows::credential, sysId);
    }

    /**
     * @param name a credential name
     * @return the credential
     * @throws SQLException on a database error
     */
    Optional<StoredCredential> findCredentialByName(String name) throws SQLException {
        return one(sql.get("credential.by.name"), CredentialRows::credential, name);
    }

    /**
     * @return the active credentials, by order then name
     * @throws SQLException on a database error
     */
    List<StoredCredential> activeCredentials() throws SQLException {
        return all(sql.get("credential.active"), CredentialRows::credential);
    }

    /**
     * @return how many credentials hold at least one secret
     * @throws SQLException on a database error
     */
    long credentialsWithSecrets() throws SQLException {
        return one(sql.get("credential.with.secrets.count"), rs -> rs.getLong("row_count")).orElse(0L);
    }

    /**
     * @param query a validated query on {@link TableSchema#DISCOVERY_CREDENTIALS}
     * @return the matching credentials
     * @throws SQLException on a database error
     */
    List<StoredCredential> queryCredentials(TableQuery query) throws SQLException {
        return page(sql.get("credential.query"), query, CredentialRows::credential);
    }

    /**
     * @param sysIds credential sys_ids
     * @return those of them that name a stored credential
     * @throws SQLException on a database error
     */
    Set<String> existingCredentials(Collection<String> sysIds) throws SQLException {
        if (sysIds.isEmpty()) {
            return new HashSet<>();
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("credential.existing"))) {
            ps.setObject(1, new LinkedHashSet<>(sysIds).toArray(new String[0]));
            return new HashSet<>(rows(ps, rs -> rs.getString("sys_id")));
        }
    }

    /**
     * @return the credential revision: 0 until the first change, then one more with every change
     * @throws SQLException on a database error
     */
    long credentialRevision() throws SQLException {
        return one(sql.get("credential.revision.read"), rs -> rs.getLong("credential_revision")).orElse(0L);
    }

    /**
     * @return the new credential revision, one more than before
     * @throws SQLException on a database error
     */
    long incrementCredentialRevision() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("credential.revision.increment"))) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the instance_state row is missing");
            }
        }
        return credentialRevision();
    }

    /**
     * @return the check value of the master key the secrets are encrypted with, or {@code null}
     *     before the first start with credentials
     * @throws SQLException on a database error
     */
    String credentialKeyCheck() throws SQLException {
        return one(sql.get("credential.key_check.read"), rs -> rs.getString("credential_key_check")).orElse(null);
    }

    /**
     * Records the check value of the master key unless one is recorded (the first instance node
     * to start on a database decides the key of all).
     *
     * @param check the check value of this node's master key
     * @return whether it was recorded; {@code false}: another node's was there first
     * @throws SQLException on a database error
     */
    boolean claimCredentialKeyCheck(String check) throws SQLException {
        return change(sql.get("credential.key_check.claim"), check) == 1;
    }

    /**
     * @param check the check value of the master key
     * @throws SQLException on a database error
     */
    void setCredentialKeyCheck(String check) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("credential.key_check.set"))) {
            ps.setString(1, check);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the instance_state row is missing");
            }
        }
    }

    /** Reads the {@code credential.columns} of a row. */
    private static StoredCredential credential(ResultSet rs) throws SQLException {
        return new StoredCredential(rs.getString("sys_id"), rs.getString("name"), rs.getString("type"),
                rs.getInt("cred_order"), rs.getBoolean("active"), JsonColumns.readMap(rs.getString("fields")),
                JsonColumns.readMap(rs.getString("secrets")), rs.getString("resolver"), rs.getString("external_id"),
                rs.getLong("created_ms"), rs.getLong("updated_ms"));
    }
}
