package io.midway.api.cleaner;

import org.osgi.dto.DTO;

/** The File Cleaner's settings and runs. */
public class CleanerStatusDTO extends DTO {

    /** Whether it runs at start and every interval. */
    public boolean enabled;
    /** Only files older than this many days are removed. */
    public int maxAgeDays;
    /** Hours between runs. */
    public int intervalHours;
    /** The last run since the agent started, or {@code null}. */
    public CleanerRunDTO lastRun;
    /** When the next run is due (ISO-8601 instant), or {@code null} when it is off. */
    public String nextRun;
}
