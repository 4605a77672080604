package io.midway.instance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.RepositoryFile;

/** The file-sync repository ({@code sync_file}) and its revision ({@code sync_revision}). */
final class SyncRows extends TableRows {

    SyncRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @return the file-sync revision: 0 until the first change, then one more with every change
     * @throws SQLException on a database error
     */
    long syncRevision() throws SQLException {
        return one(sql.get("sync.revision.read"), rs -> rs.getLong("revision")).orElse(0L);
    }

    /**
     * @return the new file-sync revision, one more than before
     * @throws SQLException on a database error
     */
    long incrementSyncRevision() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("sync.revision.increment"))) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the sync_revision row is missing");
            }
        }
        return syncRevision();
    }

    /**
     * @return every file of the file-sync repository, by symbolic name
     * @throws SQLException on a database error
     */
    List<StoredSyncFile> syncFiles() throws SQLException {
        return all(sql.get("sync.file.all"), SyncRows::syncFile);
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return its file
     * @throws SQLException on a database error
     */
    Optional<StoredSyncFile> findSyncFile(String symbolicName) throws SQLException {
        return one(sql.get("sync.file.by.name"), SyncRows::syncFile, symbolicName);
    }

    /**
     * @param sha256 a hash, hex, lower case
     * @return the current file with these bytes
     * @throws SQLException on a database error
     */
    Optional<StoredSyncFile> findSyncFileBySha256(String sha256) throws SQLException {
        return one(sql.get("sync.file.by.sha256"), SyncRows::syncFile, sha256);
    }

    /**
     * Inserts the file, or replaces the one with the same symbolic name.
     *
     * @param file the file
     * @param uploadedOn when, wire format
     * @throws SQLException on a database error
     */
    void putSyncFile(RepositoryFile file, String uploadedOn) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("sync.file.put"))) {
            ps.setString(1, file.name());
            ps.setString(2, file.kind());
            ps.setString(3, file.symbolicName());
            ps.setString(4, file.version());
            ps.setString(5, file.sha256());
            ps.setLong(6, file.size());
            ps.setString(7, uploadedOn);
            ps.executeUpdate();
        }
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return whether a file was removed
     * @throws SQLException on a database error
     */
    boolean deleteSyncFile(String symbolicName) throws SQLException {
        return change(sql.get("sync.file.delete"), symbolicName) > 0;
    }

    /** Reads the {@code sync.file.columns} of a row. */
    private static StoredSyncFile syncFile(ResultSet rs) throws SQLException {
        return new StoredSyncFile(new RepositoryFile(rs.getString("name"), rs.getString("kind"),
                rs.getString("symbolic_name"),
                rs.getString("version"), rs.getString("sha256"), rs.getLong("size")), rs.getString("uploaded_on"));
    }
}
