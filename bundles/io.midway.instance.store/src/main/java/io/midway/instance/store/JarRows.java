package io.midway.instance.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import io.midway.instance.store.sql.Statements;

/**
 * The bytes of the stored jars ({@code stored_jar}, migration 12): the jars of the file-sync
 * repository and of the agent cores, by SHA-256, so that every instance node on one database can
 * serve them. Written in the transaction of the row that names them ({@code sync_file},
 * {@code agent_core}), deleted when nothing names them any more. Bytes go in and out as streams,
 * read back in slices: memory stays bounded whatever the size of a jar.
 */
public final class JarRows extends TableRows {

    /** The size of one slice read back: 1 MiB. */
    static final int CHUNK_BYTES = 1024 * 1024;

    JarRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * Whether the bytes are stored, locking their row until the transaction ends (so that a
     * removal on another node cannot delete bytes this transaction is about to name).
     *
     * @param sha256 hex, lower case
     * @return whether they are stored
     * @throws SQLException on a database error
     */
    public boolean lock(String sha256) throws SQLException {
        return one(sql.get("jar.lock"), rs -> rs.getLong("size"), sha256).isPresent();
    }

    /**
     * Stores bytes (nothing when another node stored the same bytes at the same moment).
     *
     * @param sha256 their SHA-256, hex, lower case (the caller computed it)
     * @param size their size
     * @param bytes the bytes, read to the end by the driver
     * @param created when, wire format
     * @throws SQLException on a database error
     */
    public void insert(String sha256, long size, InputStream bytes, String created) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("jar.insert"))) {
            ps.setString(1, sha256);
            ps.setLong(2, size);
            ps.setBinaryStream(3, bytes, size);
            ps.setString(4, created);
            ps.executeUpdate();
        }
    }

    /**
     * @param sha256 hex, lower case
     * @return the size of the stored bytes, if stored
     * @throws SQLException on a database error
     */
    public Optional<Long> size(String sha256) throws SQLException {
        return one(sql.get("jar.size"), rs -> rs.getLong("size"), sha256);
    }

    /**
     * Writes the stored bytes to a stream, one slice at a time.
     *
     * @param sha256 hex, lower case
     * @param out where to write them
     * @return whether they were stored (when not, nothing was written)
     * @throws SQLException on a database error, or when the bytes are removed while being read
     * @throws UncheckedIOException when writing fails
     */
    public boolean copy(String sha256, OutputStream out) throws SQLException {
        Optional<Long> size = size(sha256);
        if (size.isEmpty()) {
            return false;
        }
        long total = size.get();
        try (PreparedStatement ps = connection.prepareStatement(sql.get("jar.chunk"))) {
            for (long offset = 0; offset < total; ) {
                int length = (int) Math.min(CHUNK_BYTES, total - offset);
                ps.setInt(1, Math.toIntExact(offset + 1));
                ps.setInt(2, length);
                ps.setString(3, sha256);
                try (ResultSet rs = ps.executeQuery()) {
                    byte[] chunk = rs.next() ? rs.getBytes("chunk") : null;
                    if (chunk == null || chunk.length == 0) {
                        throw new SQLException("stored jar " + sha256 + " was removed or cut short while being read, at byte "
                                + offset + " of " + total);
                    }
                    out.write(chunk);
                    offset += chunk.length;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    /**
     * @return the hashes of every stored jar
     * @throws SQLException on a database error
     */
    public List<String> all() throws SQLException {
        return all(sql.get("jar.all"), rs -> rs.getString("sha256"));
    }

    /**
     * Deletes the bytes when neither a file of the repository nor an agent core names them.
     *
     * @param sha256 hex, lower case
     * @return whether they were deleted
     * @throws SQLException on a database error
     */
    public boolean deleteUnnamed(String sha256) throws SQLException {
        return change(sql.get("jar.delete.unnamed"), sha256) > 0;
    }

    /**
     * Deletes every stored jar nothing names (left by an older node, or by a failed removal).
     *
     * @return how many
     * @throws SQLException on a database error
     */
    public int deleteAllUnnamed() throws SQLException {
        return change(sql.get("jar.delete.all.unnamed"));
    }
}
