package io.midway.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of the agent-facing {@code POST /api/mid/agents/status}: an agent asks to be paused or
 * resumed (from its shell or console), or reports its upgrade ({@code Upgrading},
 * {@code Upgrade Failed}, then {@code Up}).
 *
 * @param name the agent name
 * @param status {@code Paused}, {@code Up}, {@code Upgrading} or {@code Upgrade Failed}
 * @param detail a sentence for the event (e.g. why an upgrade failed), or {@code null}
 */
public record StatusChange(
        @JsonProperty("name") String name,
        @JsonProperty("status") String status,
        @JsonProperty("detail") String detail) {

    /**
     * @param name the agent name
     * @param status {@code Paused} or {@code Up}
     */
    public StatusChange(String name, String status) {
        this(name, status, null);
    }
}
