package io.midway.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the data folder owner-only (issue 14): it holds the database, logs, spool, caches, keys
 * and passwords. {@code bin/midway-java} sets {@code umask 077}, so what the process creates is
 * owner-only; this closes a folder made by an older version or by hand, which is enough, since
 * nothing inside can be reached through a folder others cannot enter.
 */
final class DataFolder {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private DataFolder() {
    }

    /**
     * @param data the data folder, existing
     * @return a notice to print once when the folder was open to others and has been closed
     * @throws LaunchException when the permissions cannot be read or set
     */
    static Optional<String> protect(Path data) {
        try {
            Set<PosixFilePermission> before = Files.getPosixFilePermissions(data);
            if (before.equals(OWNER_ONLY)) {
                return Optional.empty();
            }
            Files.setPosixFilePermissions(data, EnumSet.copyOf(OWNER_ONLY));
            Set<PosixFilePermission> others = EnumSet.noneOf(PosixFilePermission.class);
            others.addAll(before);
            others.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
            return others.isEmpty() ? Optional.empty()
                    : Optional.of("data folder " + data + " was open to other users ("
                            + PosixFilePermissions.toString(before) + "): made owner-only (rwx------)");
        } catch (UnsupportedOperationException e) {
            return Optional.empty(); // not a POSIX file system: its own access control applies
        } catch (IOException e) {
            throw new LaunchException("cannot make the data folder " + data + " owner-only: " + e.getMessage());
        }
    }
}
