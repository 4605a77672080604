package io.midway.instance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.InstanceDescription;

/** The agent cores ({@code agent_core}) and the instance version ({@code instance_state}). */
final class CoreRows extends TableRows {

    CoreRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @return the instance version an upload set, or {@code null} when no core was ever uploaded
     * @throws SQLException on a database error
     */
    String instanceVersion() throws SQLException {
        return one(sql.get("instance.version.read"), rs -> rs.getString("version")).orElse(null);
    }

    /**
     * @param version the new instance version
     * @throws SQLException on a database error
     */
    void setInstanceVersion(String version) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("instance.version.set"))) {
            ps.setString(1, version);
            ps.executeUpdate();
        }
    }

    /**
     * @return every stored agent core, in no particular order
     * @throws SQLException on a database error
     */
    List<StoredCore> cores() throws SQLException {
        return all(sql.get("core.all"), CoreRows::core);
    }

    /**
     * @param version a Bundle-Version, normalised
     * @return the core of that version
     * @throws SQLException on a database error
     */
    Optional<StoredCore> findCore(String version) throws SQLException {
        return one(sql.get("core.by.version"), CoreRows::core, version);
    }

    /**
     * @param sha256 a hash, hex, lower case
     * @return the stored core with these bytes
     * @throws SQLException on a database error
     */
    Optional<StoredCore> findCoreBySha256(String sha256) throws SQLException {
        return one(sql.get("core.by.sha256"), CoreRows::core, sha256);
    }

    /**
     * Inserts the core, or replaces the one of the same version; its download count starts at 0.
     *
     * @param core the core
     * @param uploadedOn when, wire format
     * @throws SQLException on a database error
     */
    void putCore(InstanceDescription.Core core, String uploadedOn) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("core.put"))) {
            ps.setString(1, core.symbolicName());
            ps.setString(2, core.version());
            ps.setString(3, core.sha256());
            ps.setLong(4, core.size());
            ps.setString(5, uploadedOn);
            ps.executeUpdate();
        }
    }

    /**
     * @param sha256 the hash of a core an agent fetched completely
     * @return whether a core has that hash
     * @throws SQLException on a database error
     */
    boolean countCoreDownload(String sha256) throws SQLException {
        return change(sql.get("core.download.count"), sha256) > 0;
    }

    /** Reads the {@code core.columns} of a row. */
    private static StoredCore core(ResultSet rs) throws SQLException {
        return new StoredCore(new InstanceDescription.Core(rs.getString("symbolic_name"), rs.getString("version"),
                rs.getString("sha256"), rs.getLong("size")), rs.getString("uploaded_on"), rs.getLong("downloads"));
    }
}
