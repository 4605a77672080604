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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of jars stored by their SHA-256 ({@code <sha256>.jar}), shared by the file-sync
 * repository and the agent-core repository: bounded streaming of an upload with its hash,
 * atomic moves, and the clean-up of unfinished uploads and unused jars at start.
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
