package io.midway.instance.internal;

import io.midway.instance.api.InstanceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.store.JarRows;
import io.midway.wire.Json;

/**
 * The jars of the file-sync repository or of the agent-core repository, stored by their SHA-256:
 * their bytes in the database ({@code stored_jar}, written in the transaction of the row that
 * names them, so every instance node on one database can serve them), and this node's cache of
 * them in a folder ({@code <sha256>.jar}), filled from the database on the first download of a
 * jar uploaded on another node. Bounded streaming of an upload with its hash, atomic moves, the
 * move into the database of jars that an older release kept only in the folder, and the clean-up
 * of unfinished uploads and unused jars at start.
 */
final class JarDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(JarDirectory.class);

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern STORED_JAR = Pattern.compile("[0-9a-f]{64}\\.jar");
    private static final String INCOMING_PREFIX = "upload-";
    private static final String INCOMING_SUFFIX = ".tmp";

    /**
     * An upload received into a temporary file.
     *
     * @param sha256 hex SHA-256 of its bytes, lower case
     * @param size its size in bytes
     */
    record Received(String sha256, long size) {
    }

    /** A write of the owning repository: runs work on the stored jars in one of its transactions. */
    @FunctionalInterface
    interface Writer {
        /** @param work what to do with the stored jars, and the transaction's time */
        void write(JarWork work);
    }

    /** Work on the stored jars inside a transaction. */
    @FunctionalInterface
    interface JarWork {
        /**
         * @param rows the stored jars
         * @param now the transaction's time
         * @throws SQLException on a database error
         */
        void run(JarRows rows, Instant now) throws SQLException;
    }

    private final Path directory;
    private final long maxBytes;

    /**
     * @param directory the folder, created if missing
     * @param maxBytes the largest jar accepted
     * @param what what the folder holds, for the error message
     */
    JarDirectory(Path directory, long maxBytes, String what) {
        this.directory = directory.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the " + what + " directory " + this.directory, e);
        }
    }

    /** @return the folder */
    Path directory() {
        return directory;
    }

    /**
     * @param sha256 a hash
     * @return where the jar with that hash is kept
     */
    Path jarPath(String sha256) {
        return directory.resolve(sha256 + ".jar");
    }

    /**
     * @return a new temporary file in the folder for an upload; the caller deletes it
     * @throws IOException when it cannot be created
     */
    Path incoming() throws IOException {
        return Files.createTempFile(directory, INCOMING_PREFIX, INCOMING_SUFFIX);
    }

    /**
     * @param declaredLength the Content-Length, or -1 when unknown
     * @throws InstanceException 413 when it is above the limit
     */
    void checkDeclaredLength(long declaredLength) {
        if (declaredLength > maxBytes) {
            throw tooLarge(declaredLength);
        }
    }

    /**
     * Streams a request body into a file, hashing it, up to the size limit.
     *
     * @param body the body
     * @param incoming the file from {@link #incoming()}
     * @return its hash and size
     * @throws InstanceException 413 above the limit
     * @throws IOException when reading or writing fails
     */
    Received receive(InputStream body, Path incoming) throws IOException {
        MessageDigest digest = sha256();
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(incoming)) {
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                size += n;
                if (size > maxBytes) {
                    throw tooLarge(-1);
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return new Received(HexFormat.of().formatHex(digest.digest()), size);
    }

    private InstanceException tooLarge(long size) {
        return new InstanceException(InstanceException.Reason.TOO_LARGE,
                "the file is too large: at most " + maxBytes + " bytes", size < 0 ? "" : "got " + size + " bytes");
    }

    /**
     * @param sha256 a hash from a request path
     * @param hint where the client finds valid hashes
     * @return the hash in lower case
     * @throws InstanceException 400 when it is not 64 hex digits
     */
    static String checkSha256(String sha256, String hint) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw InstanceException.invalid("not a sha256: '" + abbreviate(sha256) + "'",
                    "expected 64 hex digits, as in " + hint);
        }
        return sha256.toLowerCase(Locale.ROOT);
    }

    /**
     * @param from a file in the folder
     * @param to its place
     */
    static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + to, e);
        }
    }

    /** @param file a file to delete; a failure is logged, and the next start's clean-up retries */
    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}; it is removed at the next start", file, e.toString());
        }
    }

    /**
     * Removes unfinished uploads and the jars whose hash is not wanted.
     *
     * @param wantedSha256 the hashes still in use
     * @param unusedBy for the log line: "no … uses it"
     */
    void removeUnused(Set<String> wantedSha256, String unusedBy) {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                boolean unfinished = fileName.startsWith(INCOMING_PREFIX) && fileName.endsWith(INCOMING_SUFFIX);
                boolean unused = STORED_JAR.matcher(fileName).matches()
                        && !wantedSha256.contains(fileName.substring(0, fileName.length() - ".jar".length()));
                if (unfinished || unused) {
                    stale.add(entry);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot list {}: {}", directory, e.toString());
        }
        for (Path entry : stale) {
            LOG.info("Removing {}: no {} uses it", entry, unusedBy);
            deleteQuietly(entry);
        }
    }

    /**
     * In the transaction that names the bytes: stores them in the database unless they are there
     * already, and locks their row until it ends (a removal on another node waits for it).
     *
     * @param rows the stored jars of the transaction
     * @param received the hash and size of the file
     * @param file the uploaded file, read again on each attempt of the transaction
     * @param now the transaction's time
     * @throws SQLException on a database error
     */
    void storeBytes(JarRows rows, Received received, Path file, Instant now) throws SQLException {
        if (rows.lock(received.sha256())) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            rows.insert(received.sha256(), received.size(), in, Json.time(now));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload " + file, e);
        }
    }

    /**
     * After the commit of an upload: puts the uploaded file into this node's cache, unless it is
     * there already.
     *
     * @param uploaded the uploaded file (moved, when it is used)
     * @param sha256 its hash
     */
    void cache(Path uploaded, String sha256) {
        Path target = jarPath(sha256);
        if (!Files.exists(target) && Files.exists(uploaded)) {
            move(uploaded, target);
        }
    }

    /**
     * The jar with this hash in this node's folder, fetched from the database when the folder
     * lacks it (uploaded on another node, or the folder lost): streamed into a temporary file,
     * its SHA-256 checked, then moved into place.
     *
     * @param sha256 hex, lower case
     * @param service the instance, whose database holds the bytes
     * @return the file, or empty when the database does not hold these bytes
     * @throws IOException when the folder cannot be written, or the stored bytes are damaged
     */
    Optional<Path> cached(String sha256, InstanceCore service) throws IOException {
        Path jar = jarPath(sha256);
        if (Files.isRegularFile(jar)) {
            return Optional.of(jar);
        }
        Path fetching = incoming();
        try {
            MessageDigest digest = sha256();
            boolean stored;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(fetching), digest)) {
                stored = service.read(s -> s.jars().copy(sha256, out));
            }
            if (!stored) {
                return Optional.empty();
            }
            String got = HexFormat.of().formatHex(digest.digest());
            if (!got.equals(sha256)) {
                throw new IOException("the bytes of " + sha256 + " in the database have sha256 " + got
                        + ": damaged; an admin uploads the file again");
            }
            Files.move(fetching, jar, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Fetched {} from the database into this node's cache {}", jar.getFileName(), directory);
            return Optional.of(jar);
        } finally {
            Files.deleteIfExists(fetching);
        }
    }

    /**
     * At start: removes from the database the jars nothing names, and stores there the bytes of
     * named jars it lacks that this folder holds (written by a release before the database kept
     * jars, schema 11 and older), each checked against its hash.
     *
     * @param named the hashes the repository names, each with what names it (for the log)
     * @param service the instance, whose database holds the bytes
     * @param writer runs a write of the repository
     */
    void adopt(Map<String, String> named, InstanceCore service, Writer writer) {
        writer.write((rows, now) -> {
            int removed = rows.deleteAllUnnamed();
            if (removed > 0) {
                LOG.info("Removed {} stored jar(s) from the database that nothing names", removed);
            }
        });
        for (Map.Entry<String, String> e : named.entrySet()) {
            String sha256 = e.getKey();
            if (service.read(s -> s.jars().size(sha256)).isPresent()) {
                continue;
            }
            Path jar = jarPath(sha256);
            if (!Files.isRegularFile(jar)) {
                LOG.error("The bytes of {} ({}) are missing from the database and from {}; agents cannot fetch it "
                        + "until it is uploaded again", e.getValue(), sha256, directory);
                continue;
            }
            Received received;
            try (InputStream in = Files.newInputStream(jar)) {
                received = hash(in);
            } catch (IOException ex) {
                LOG.error("Cannot read {}: {}", jar, ex.toString());
                continue;
            }
            if (!received.sha256().equals(sha256)) {
                LOG.error("{} is damaged (its sha256 is {}): not stored in the database; {} is uploaded again", jar,
                        received.sha256(), e.getValue());
                continue;
            }
            writer.write((rows, now) -> storeBytes(rows, received, jar, now));
            LOG.info("Stored the bytes of {} ({} bytes) in the database; until now they were only in {}", e.getValue(),
                    received.size(), directory);
        }
    }

    private static Received hash(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
            size += n;
        }
        return new Received(HexFormat.of().formatHex(digest.digest()), size);
    }

    /**
     * @param text text from a request
     * @return it, cut to 80 characters for an error message
     */
    static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
