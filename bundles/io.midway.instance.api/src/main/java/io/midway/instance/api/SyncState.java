package io.midway.instance.api;

import java.util.List;

/**
 * How applying a file-sync snapshot went on one agent, as it reported it (the body of
 * {@code POST /api/mid/file_sync/report}, the wire record {@code io.midway.wire.SyncReport}).
 * The instance records it on the agent ({@code sync_revision}, {@code sync_state}) and as a
 * {@code file_sync.applied} or {@code file_sync.failed} event.
 *
 * @param name the agent
 * @param revision the snapshot revision applied
 * @param state {@code applied} when every file is as the snapshot says, else {@code failed}
 * @param files one result per file that was looked at
 */
public record SyncState(
        String name,
        String revision,
        String state,
        List<Result> files) {

    /** Every file is as the snapshot says. */
    public static final String STATE_APPLIED = "applied";
    /** At least one file could not be applied (and was rolled back). */
    public static final String STATE_FAILED = "failed";

    /**
     * The result for one file.
     *
     * @param symbolicName the bundle's symbolic name
     * @param version the version the snapshot asked for (or the removed one)
     * @param sha256 the snapshot's hash, or {@code null} for a removal
     * @param action {@code install}, {@code update}, {@code uninstall} or {@code skip}
     * @param outcome {@code ok}, {@code failed} (rolled back to what ran before, or removed if new)
     *     or {@code skipped}
     * @param message why it failed or was skipped, for the operator; {@code null} when ok
     */
    public record Result(
            String symbolicName,
            String version,
            String sha256,
            String action,
            String outcome,
            String message) {

        /** A bundle new to the agent. */
        public static final String ACTION_INSTALL = "install";
        /** A bundle the agent had, in another version or with other bytes. */
        public static final String ACTION_UPDATE = "update";
        /** A bundle no longer in the snapshot. */
        public static final String ACTION_UNINSTALL = "uninstall";
        /** Not applied on purpose (e.g. the same symbolic name comes from deploy/). */
        public static final String ACTION_SKIP = "skip";

        /** Done. */
        public static final String OUTCOME_OK = "ok";
        /** Not done; what ran before runs again. */
        public static final String OUTCOME_FAILED = "failed";
        /** Not done on purpose. */
        public static final String OUTCOME_SKIPPED = "skipped";
    }
}
