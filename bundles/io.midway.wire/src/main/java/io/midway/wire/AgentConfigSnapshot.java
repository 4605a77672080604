package io.midway.wire;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reply of the agent-facing {@code GET /api/mid/config?agent=NAME}: the settings the instance
 * holds for that agent, already resolved (a configuration parameter over a property for the
 * agent over a global property), each once.
 *
 * @param revision changes with every change of properties or parameters; the same value rides on
 *     every poll reply as {@code config_revision}, so the agent fetches again only when it differs
 * @param result the resolved settings; never {@code null}
 */
public record AgentConfigSnapshot(
        @JsonProperty("revision") String revision,
        @JsonProperty("result") List<Setting> result) {

    /** A configuration parameter ({@code ecc_agent_config}) for this agent. */
    public static final String SOURCE_PARAMETER = "parameter";
    /** A property ({@code ecc_agent_property}) for this agent. */
    public static final String SOURCE_AGENT_PROPERTY = "agent_property";
    /** A property for every agent. */
    public static final String SOURCE_GLOBAL_PROPERTY = "global_property";

    /**
     * Copies the list and turns {@code null} into an empty one.
     *
     * @param revision the revision
     * @param result the settings, or {@code null}
     */
    public AgentConfigSnapshot {
        result = result == null ? List.of() : List.copyOf(result);
    }

    /**
     * One setting.
     *
     * @param name the setting's name ({@link AgentSettingCatalog})
     * @param value its value as text
     * @param source {@link #SOURCE_PARAMETER}, {@link #SOURCE_AGENT_PROPERTY} or
     *     {@link #SOURCE_GLOBAL_PROPERTY} on the instance's side; on the agent's report also
     *     {@code environment}, {@code file}, {@code console} or {@code default}
     */
    public record Setting(
            @JsonProperty("name") String name,
            @JsonProperty("value") String value,
            @JsonProperty("source") String source) {
    }
}
