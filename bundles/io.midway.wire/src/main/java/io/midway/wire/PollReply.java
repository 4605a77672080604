package io.midway.wire;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reply of {@code GET /api/mid/ecc/poll}.
 *
 * @param result the output records leased to the agent, possibly none
 * @param syncRevision the file-sync snapshot revision
 * @param instanceVersion the instance's version
 * @param agentStatus the status the instance holds for the polling agent ({@code Up}, {@code Paused} …)
 * @param validated whether the instance has validated the polling agent
 * @param pinnedVersion the core version this agent is pinned to (it then ignores the instance
 *     version), or {@code null}
 * @param credentialRevision the revision of the credentials pushed to this agent
 *     ({@link CredentialSync#revision()}), or {@code null} when the instance has none for it
 * @param configRevision the revision of the settings the instance holds for agents
 *     ({@link AgentConfigSnapshot#revision()}), or {@code null} from an instance without them
 */
public record PollReply(
        @JsonProperty("result") List<EccRecord> result,
        @JsonProperty("sync_revision") String syncRevision,
        @JsonProperty("instance_version") String instanceVersion,
        @JsonProperty("agent_status") String agentStatus,
        @JsonProperty("validated") boolean validated,
        @JsonProperty("pinned_version") String pinnedVersion,
        @JsonProperty("credential_revision") String credentialRevision,
        @JsonProperty("config_revision") String configRevision) {

    /**
     * A reply without a configuration revision (the 1.7 shape).
     *
     * @param result the output records leased to the agent
     * @param syncRevision the file-sync snapshot revision
     * @param instanceVersion the instance's version
     * @param agentStatus the status the instance holds for the polling agent
     * @param validated whether the instance has validated the polling agent
     * @param pinnedVersion the core version this agent is pinned to, or {@code null}
     * @param credentialRevision the revision of the credentials pushed to this agent, or {@code null}
     */
    public PollReply(List<EccRecord> result, String syncRevision, String instanceVersion, String agentStatus,
            boolean validated, String pinnedVersion, String credentialRevision) {
        this(result, syncRevision, instanceVersion, agentStatus, validated, pinnedVersion, credentialRevision, null);
    }

    /**
     * A reply without a credential revision (the 1.2 shape).
     *
     * @param result the output records leased to the agent
     * @param syncRevision the file-sync snapshot revision
     * @param instanceVersion the instance's version
     * @param agentStatus the status the instance holds for the polling agent
     * @param validated whether the instance has validated the polling agent
     * @param pinnedVersion the core version this agent is pinned to, or {@code null}
     */
    public PollReply(List<EccRecord> result, String syncRevision, String instanceVersion, String agentStatus,
            boolean validated, String pinnedVersion) {
        this(result, syncRevision, instanceVersion, agentStatus, validated, pinnedVersion, null, null);
    }

    /**
     * A reply without a pinned version (the 1.1 shape).
     *
     * @param result the output records leased to the agent
     * @param syncRevision the file-sync snapshot revision
     * @param instanceVersion the instance's version
     * @param agentStatus the status the instance holds for the polling agent
     * @param validated whether the instance has validated the polling agent
     */
    public PollReply(List<EccRecord> result, String syncRevision, String instanceVersion, String agentStatus,
            boolean validated) {
        this(result, syncRevision, instanceVersion, agentStatus, validated, null, null, null);
    }
}
