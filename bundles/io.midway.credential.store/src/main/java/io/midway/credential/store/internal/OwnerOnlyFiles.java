package io.midway.credential.store.internal;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files only the agent's user may read: created {@code rw-------} (directories {@code rwx------})
 * where the file system has POSIX permissions, written whole to a temporary file and moved into
 * place atomically, so a crash leaves the old content or the new, never half of it.
 */
final class OwnerOnlyFiles {

    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private OwnerOnlyFiles() {
    }

    /**
     * Creates a directory (and its parents) when it is missing; a new one is {@code rwx------}.
     *
     * @param dir the directory
     * @throws IOException when it cannot be created
     */
    static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (isPosix(parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /**
     * Writes a file whole: to a {@code rw-------} temporary file beside it, then moved over it.
     *
     * @param file the file
     * @param bytes its new content
     * @throws IOException when it cannot be written
     */
    static void write(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = isPosix(dir)
                ? Files.createTempFile(dir, file.getFileName() + ".", ".tmp", PosixFilePermissions.asFileAttribute(FILE))
                : Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * @param file an existing file
     * @return the permissions it grants to its group or to others, empty when none or when the
     *     file system has no POSIX permissions
     * @throws IOException when they cannot be read
     */
    static Set<PosixFilePermission> groupOrOthers(Path file) throws IOException {
        if (!isPosix(file)) {
            return Set.of();
        }
        Set<PosixFilePermission> granted = EnumSet.copyOf(Files.getPosixFilePermissions(file));
        granted.retainAll(GROUP_OR_OTHERS);
        return granted;
    }

    /**
     * @param file an existing file
     * @return its permissions as {@code rw-r--r--}, or {@code "(no POSIX permissions)"}
     * @throws IOException when they cannot be read
     */
    static String describe(Path file) throws IOException {
        return isPosix(file) ? PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
                : "(no POSIX permissions)";
    }

    private static boolean isPosix(Path path) {
        Path existing = path == null ? null : path.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null
                && Files.getFileAttributeView(existing, PosixFileAttributeView.class) != null;
    }
}
