package io.midway.agent.internal.cleaner;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * What the running agent core uses in the data folder, for the File Cleaner: a service of the
 * core seen only inside this bundle. Without it (the core is not running) the cleaner leaves the
 * spool and the jar cache alone.
 */
public interface FilesInUse {

    /** @return the result spool folder */
    Path spoolDirectory();

    /** @return file sync's jar cache folder */
    Path jarCacheDirectory();

    /**
     * @return the SHA-256 of every cached jar file sync needs (what it installed, and what the
     *     instance's current snapshot names), or empty while the snapshot is not known yet
     */
    Optional<Set<String>> cachedJarsInUse();
}
