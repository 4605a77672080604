package io.midway.api.cleaner;

import org.osgi.dto.DTO;

/** One run of the File Cleaner. */
public class CleanerRunDTO extends DTO {

    /** When it started (ISO-8601 instant). */
    public String started;
    /** {@code start}, {@code schedule} or {@code command}. */
    public String trigger;
    /** How many files it removed. */
    public int filesRemoved;
    /** The bytes those files held. */
    public long bytesFreed;
    /** How many files it could not remove (each logged as a warning). */
    public int failures;
    /** The files removed, relative to the data folder (at most 100 listed). */
    public RemovedFileDTO[] removed;
    /** Rules it skipped and why, e.g. the agent core not running; empty when none. */
    public String[] skipped;
}
