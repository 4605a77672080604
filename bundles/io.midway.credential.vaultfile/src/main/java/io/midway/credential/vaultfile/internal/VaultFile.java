package io.midway.credential.vaultfile.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * One vault file: a JSON object of entries by external id, readable by its owner only.
 *
 * <p>{@link #entries()} checks the file's permissions on every call and refuses, without reading
 * it, a file (or the target of a link) that grants anything to group or others. The parsed
 * entries are kept in memory and read again when the file's size, modification time or identity
 * (inode) changes, so an operator can edit it while the agent runs. Thread-safe.
 *
 * <p>Nothing here logs or throws any part of the file's content: parse errors are reported by
 * line and column only, without Jackson's message (which quotes the text it choked on).
 */
final class VaultFile {

    /** The largest vault file read: far more than any real vault file, small enough to be safe. */
    static final long MAX_SIZE = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(VaultFile.class);

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path file;
    private final AtomicBoolean warnedNoPosix = new AtomicBoolean();
    private volatile Snapshot snapshot;

    /**
     * @param file the vault file (absolute); it need not exist yet
     */
    VaultFile(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    /** @return the vault file, absolute */
    Path path() {
        return file;
    }

    /**
     * The entries of the file as it is now: checked, and read again when it changed.
     *
     * @return the entries by external id, unmodifiable; each value is meant to be a JSON object of
     *     fields, which the caller checks
     * @throws VaultFileException when the file is missing, not owner-only, not a regular file,
     *     unreadable, too large, or not a JSON object
     */
    Map<String, JsonNode> entries() throws VaultFileException {
        Path real = ownerOnlyRealFile();
        BasicFileAttributes attributes = attributes(real);
        Snapshot current = snapshot;
        if (current != null && current.isOf(real, attributes)) {
            return current.entries;
        }
        synchronized (this) {
            current = snapshot;
            if (current != null && current.isOf(real, attributes)) {
                return current.entries;
            }
            Map<String, JsonNode> entries = parse(read(real, attributes));
            snapshot = new Snapshot(real, attributes.size(), attributes.lastModifiedTime(), attributes.fileKey(), entries);
            LOG.info("Vault file {} {}: {} entries", file, current == null ? "read" : "changed, read again", entries.size());
            return entries;
        }
    }

    /**
     * Finds the file behind any link and checks that only its owner may access it.
     *
     * @return the real file
     */
    private Path ownerOnlyRealFile() throws VaultFileException {
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(file)) {
                throw new VaultFileException("vault file " + file + " is a link to a file that does not exist");
            }
            throw new VaultFileException("vault file " + file + " does not exist; create it, readable by the agent's user only "
                    + "(chmod 600), with {\"<external_id>\": {\"user_name\": \"...\", \"password\": \"...\"}}");
        } catch (AccessDeniedException e) {
            throw new VaultFileException("vault file " + file + " cannot be reached by the agent's user (access denied to "
                    + e.getFile() + ")");
        } catch (IOException e) {
            throw new VaultFileException("vault file " + file + " cannot be found: " + e);
        }
        String shown = real.equals(file) ? "vault file " + file : "vault file " + file + " (a link to " + real + ")";
        if (!Files.isRegularFile(real)) {
            throw new VaultFileException(shown + " is not a regular file");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(real, PosixFileAttributeView.class);
        if (posix == null) {
            if (warnedNoPosix.compareAndSet(false, true)) {
                LOG.warn("Vault file {} is on a file system without POSIX permissions: its permissions are not checked; "
                        + "make sure only the agent's user can read it", real);
            }
            return real;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = posix.readAttributes().permissions();
        } catch (IOException e) {
            throw new VaultFileException("the permissions of " + shown + " cannot be read: " + e);
        }
        if (!Collections.disjoint(permissions, GROUP_OR_OTHERS)) {
            throw new VaultFileException(shown + " is accessible to group or others (" + PosixFilePermissions.toString(permissions)
                    + "); make it owner-only: chmod 600 " + shellWord(real.toString()));
        }
        return real;
    }

    private BasicFileAttributes attributes(Path real) throws VaultFileException {
        try {
            return Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new VaultFileException("vault file " + file + " cannot be read: " + e);
        }
    }

    /** Reads the checked real file, without following a link swapped in since the check. */
    private byte[] read(Path real, BasicFileAttributes attributes) throws VaultFileException {
        String tooLarge = "vault file " + file + " is larger than " + MAX_SIZE + " bytes; it is not read";
        if (attributes.size() > MAX_SIZE) {
            throw new VaultFileException(tooLarge);
        }
        try (SeekableByteChannel channel = Files.newByteChannel(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                InputStream in = Channels.newInputStream(channel)) {
            byte[] bytes = in.readNBytes((int) MAX_SIZE + 1);
            if (bytes.length > MAX_SIZE) {
                Arrays.fill(bytes, (byte) 0);
                throw new VaultFileException(tooLarge);
            }
            return bytes;
        } catch (AccessDeniedException e) {
            throw new VaultFileException("vault file " + file + " cannot be read by the agent's user (access denied); it must "
                    + "belong to that user, owner-only (chmod 600)");
        } catch (IOException e) {
            throw new VaultFileException("vault file " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** Parses the content and wipes the bytes; an error says where, never what. */
    private Map<String, JsonNode> parse(byte[] bytes) throws VaultFileException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String at = where == null || where.getLineNr() < 1 ? ""
                    : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            // Not e.getMessage() nor e as cause: Jackson quotes the text it could not parse.
            throw new VaultFileException("vault file " + file + " is not valid JSON (a syntax error or a duplicate key" + at
                    + "); its content is not shown");
        } catch (IOException e) {
            throw new VaultFileException("vault file " + file + " is not valid JSON (" + e.getClass().getSimpleName()
                    + "); its content is not shown");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        if (root == null || root.isMissingNode()) {
            throw new VaultFileException("vault file " + file + " is empty; it must be a JSON object of entries, "
                    + "{\"<external_id>\": {\"user_name\": \"...\", \"password\": \"...\"}}");
        }
        if (!root.isObject()) {
            throw new VaultFileException("vault file " + file + " holds " + describe(root) + ", not a JSON object of entries "
                    + "{\"<external_id>\": {\"user_name\": \"...\", \"password\": \"...\"}}");
        }
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            entries.put(entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableMap(entries);
    }

    /**
     * @param node a JSON value
     * @return what kind of value it is, e.g. "a number", never the value itself
     */
    static String describe(JsonNode node) {
        switch (node.getNodeType()) {
            case ARRAY:
                return "an array";
            case OBJECT:
            case POJO:
                return "an object";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case STRING:
                return "a string";
            case NULL:
                return "null";
            default:
                return "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " value";
        }
    }

    /** @return the text as one shell word, quoted when it needs to be */
    static String shellWord(String text) {
        return SHELL_SAFE.matcher(text).matches() ? text : "'" + text.replace("'", "'\\''") + "'";
    }

    /** The parsed file and what it was parsed from. */
    private static final class Snapshot {
        final Path real;
        final long size;
        final FileTime modified;
        final Object fileKey;
        final Map<String, JsonNode> entries;

        Snapshot(Path real, long size, FileTime modified, Object fileKey, Map<String, JsonNode> entries) {
            this.real = real;
            this.size = size;
            this.modified = modified;
            this.fileKey = fileKey;
            this.entries = entries;
        }

        boolean isOf(Path path, BasicFileAttributes attributes) {
            return real.equals(path) && size == attributes.size() && modified.equals(attributes.lastModifiedTime())
                    && Objects.equals(fileKey, attributes.fileKey());
        }
    }
}
