package io.midway.instance.api;

import java.util.List;

/**
 * What a poll of an agent returns ({@link AgentPolls}); {@code GET /api/mid/ecc/poll} sends it as
 * the wire record {@code io.midway.wire.PollReply}.
 *
 * @param result the output records leased to the agent, possibly none
 * @param syncRevision the file-sync snapshot revision
 * @param instanceVersion the instance's version
 * @param agentStatus the status the instance holds for the polling agent ({@code Up}, {@code Paused} …)
 * @param validated whether the instance has validated the polling agent
 * @param pinnedVersion the core version this agent is pinned to (it then ignores the instance
 *     version), or {@code null}
 * @param credentialRevision the revision of the credentials pushed to this agent
 *     (the revision of {@link Credentials#forAgent}), or {@code null} when the instance has none for it
 * @param configRevision the revision of the agent properties and parameters ({@link AgentSettings#revision()}),
 *     or {@code null} in a result of an older shape
 */
public record PollResult(
        List<QueueRecord> result,
        String syncRevision,
        String instanceVersion,
        String agentStatus,
        boolean validated,
        String pinnedVersion,
        String credentialRevision,
        String configRevision) {

    /**
     * A result without a configuration revision (the 1.7 shape).
     *
     * @param result the output records leased to the agent
     * @param syncRevision the file-sync snapshot revision
     * @param instanceVersion the instance's version
     * @param agentStatus the status the instance holds for the polling agent
     * @param validated whether the instance has validated the polling agent
     * @param pinnedVersion the core version this agent is pinned to, or {@code null}
     * @param credentialRevision the revision of the credentials pushed to this agent, or {@code null}
     */
    public PollResult(List<QueueRecord> result, String syncRevision, String instanceVersion, String agentStatus,
            boolean validated, String pinnedVersion, String credentialRevision) {
        this(result, syncRevision, instanceVersion, agentStatus, validated, pinnedVersion, credentialRevision, null);
    }

    /**
     * A result without a credential revision (the 1.2 shape).
     *
     * @param result the output records leased to the agent
     * @param syncRevision the file-sync snapshot revision
     * @param instanceVersion the instance's version
     * @param agentStatus the status the instance holds for the polling agent
     * @param validated whether the instance has validated the polling agent
     * @param pinnedVersion the core version this agent is pinned to, or {@code null}
     */
    public PollResult(List<QueueRecord> result, String syncRevision, String instanceVersion, String agentStatus,
            boolean validated, String pinnedVersion) {
        this(result, syncRevision, instanceVersion, agentStatus, validated, pinnedVersion, null, null);
    }

    /**
     * A result without a pinned version (the 1.1 shape).
     *
     * @param result the output records leased to the agent
     * @param syncRevision the file-sync snapshot revision
     * @param instanceVersion the instance's version
     * @param agentStatus the status the instance holds for the polling agent
     * @param validated whether the instance has validated the polling agent
     */
    public PollResult(List<QueueRecord> result, String syncRevision, String instanceVersion, String agentStatus,
            boolean validated) {
        this(result, syncRevision, instanceVersion, agentStatus, validated, null, null, null);
    }
}
