package io.midway.instance.api;

/**
 * Something that happened on the instance (an agent went Down, a sync was applied), as
 * {@link InstanceEvents} returns it; {@code GET /api/mid/events} sends it as the wire record
 * {@code io.midway.wire.EventRecord}.
 *
 * @param seq increasing sequence number, for {@code since=}
 * @param name e.g. {@code mid_server.up}
 * @param agent the agent name it concerns, or empty
 * @param time when it happened, {@code yyyy-MM-dd HH:mm:ss} UTC
 * @param detail a sentence for the operator
 */
public record InstanceEvent(
        long seq,
        String name,
        String agent,
        String time,
        String detail) {

    /** An agent became {@code Up}. */
    public static final String MID_SERVER_UP = "mid_server.up";
    /** An agent became {@code Down}. */
    public static final String MID_SERVER_DOWN = "mid_server.down";
    /** An agent was paused. */
    public static final String MID_SERVER_PAUSED = "mid_server.paused";
    /** An agent started upgrading. */
    public static final String MID_SERVER_UPGRADING = "mid_server.upgrading";
    /** An agent upgrade failed. */
    public static final String MID_SERVER_UPGRADE_FAILED = "mid_server.upgrade_failed";
    /** An agent applied a file-sync snapshot. */
    public static final String FILE_SYNC_APPLIED = "file_sync.applied";
    /** An agent failed to apply a file-sync snapshot. */
    public static final String FILE_SYNC_FAILED = "file_sync.failed";
    /**
     * A member of an agent cluster went {@code Down} and its waiting work moved to other members
     * (since 1.5).
     */
    public static final String MID_SERVER_FAILOVER = "mid_server.failover";
    /**
     * A member of an agent cluster went {@code Down} and no other member can take its work, which
     * waits (since 1.5).
     */
    public static final String MID_SERVER_CLUSTER_DOWN = "mid_server.cluster.down";
    /**
     * An admin changed an ECC queue record (Table API {@code PATCH}/{@code PUT}); the detail names
     * the record and the fields changed (since 1.6).
     */
    public static final String ECC_RECORD_UPDATED = "ecc.record_updated";
    /** An admin deleted an ECC queue record (Table API {@code DELETE}) (since 1.6). */
    public static final String ECC_RECORD_DELETED = "ecc.record_deleted";
    /**
     * An admin changed an agent property or configuration parameter; the detail names the table,
     * the setting, the agent (or every agent) and the new revision (issue 17).
     */
    public static final String AGENT_CONFIG_CHANGED = "agent_config.changed";
    /** An agent applied the instance's settings of a revision (issue 17). */
    public static final String CONFIG_APPLIED = "config.applied";
    /** An agent refused at least one of the instance's settings; the detail names them and why (issue 17). */
    public static final String CONFIG_FAILED = "config.failed";
}
