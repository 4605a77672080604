package io.midway.api.agent;

import io.midway.api.upgrade.UpgradeRecordDTO;

import org.osgi.dto.DTO;

/** The agent core's upgrade state. @since 1.2 */
public class UpgradeStatusDTO extends DTO {

    /** The running core's version. */
    public String currentVersion;
    /** The version the agent should run: the pinned one, else the instance version; {@code null} when unknown. */
    public String targetVersion;
    /** The version this agent is pinned to on the instance, or {@code null}. */
    public String pinnedVersion;
    /**
     * {@code current} (running the target), {@code upgrading}, {@code pinned} (the pin holds it on
     * another version), {@code skipped} (the target already failed here and is not retried), or
     * {@code unknown} (no word from the instance yet).
     */
    public String state;
    /** Why the last upgrade failed, when the state is {@code skipped}, else {@code null}. */
    public String lastFailure;
    /** Every upgrade attempt, oldest first. */
    public UpgradeRecordDTO[] history;
}
