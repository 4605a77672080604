package io.midway.api.upgrade;

import org.osgi.dto.DTO;

/** One upgrade attempt of the agent core. */
public class UpgradeRecordDTO extends DTO {

    /** The new core runs and reported healthy. */
    public static final String OUTCOME_UPGRADED = "upgraded";
    /** The new core failed; the previous one runs again. */
    public static final String OUTCOME_ROLLED_BACK = "rolled_back";
    /** The upgrade is under way. */
    public static final String OUTCOME_RUNNING = "running";
    /**
     * A rollback's cause: the new core itself failed (it did not resolve or start, its components
     * did not activate, its service or probes did not come back). Not tried again. @since 1.1
     */
    public static final String CAUSE_CORE = "core";
    /**
     * A rollback's cause: something outside the new core (the JVM stopped before it ran, the
     * upgrader failed). Tried again later. @since 1.1
     */
    public static final String CAUSE_OUTSIDE = "outside";

    /** The core version before. */
    public String fromVersion;
    /** The core version asked for. */
    public String toVersion;
    /** SHA-256 of the new jar. */
    public String sha256;
    /** {@code upgraded}, {@code rolled_back} or {@code running}. */
    public String outcome;
    /** Why it was rolled back, or {@code null}. */
    public String reason;
    /** Why it was rolled back: {@code core} or {@code outside}; {@code null} otherwise. @since 1.1 */
    public String cause;
    /** When it started, ISO-8601 UTC. */
    public String started;
    /** When it ended, ISO-8601 UTC, or {@code null} while running. */
    public String finished;
}
