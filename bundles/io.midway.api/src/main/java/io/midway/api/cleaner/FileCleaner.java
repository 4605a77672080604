package io.midway.api.cleaner;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Removes files in the agent's data folder that nothing uses any more and that are older than a
 * configured age: rotated logs beyond the count, spool leftovers already handled, cached jars no
 * longer installed, kept cores older than the last good one. Never a file in use, never anything
 * outside the data folder.
 */
@ProviderType
public interface FileCleaner {

    /** @return the settings in effect, the last run (if any) and the next one */
    CleanerStatusDTO status();

    /**
     * Runs the cleaner now, even when it is switched off, and waits for the outcome.
     *
     * @return what it removed
     */
    CleanerRunDTO runNow();
}
