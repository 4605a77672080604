package io.midway.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of the agent-facing {@code POST /api/mid/agents/status}: an agent asks to be paused or
 * resumed (from its shell or console).
 *
 * @param name the agent name
 * @param status {@code Paused} or {@code Up}
 */
public record StatusChange(
        @JsonProperty("name") String name,
        @JsonProperty("status") String status) {
}
