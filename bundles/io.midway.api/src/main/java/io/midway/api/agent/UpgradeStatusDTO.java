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
     * another version), {@code skipped} (the target's core itself failed here and is not retried
     * until the instance offers another jar), {@code waiting} (the target failed here for a reason
     * outside the core and is tried again at {@link #retryAt}), {@code unavailable} (the instance
     * offers no jar of it), or {@code unknown} (no word from the instance yet).
     */
    public String state;
    /** Why the last upgrade failed, when the state is {@code skipped} or {@code waiting}, else {@code null}. */
    public String lastFailure;
    /**
     * The cause of that failure: {@code core} (the new core failed; skipped) or {@code outside}
     * (retried), or {@code null}. @since 1.5
     */
    public String failureCause;
    /** When the target is tried again (ISO-8601 UTC) in state {@code waiting}, else {@code null}. @since 1.5 */
    public String retryAt;
    /** Every upgrade attempt, oldest first. */
    public UpgradeRecordDTO[] history;
}
