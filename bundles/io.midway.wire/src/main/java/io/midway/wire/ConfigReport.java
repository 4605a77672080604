package io.midway.wire;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of the agent-facing {@code POST /api/mid/config/report}: how applying the instance's
 * settings went on an agent, and every setting in effect there with where it comes from. The
 * instance keeps it on the agent and writes a {@code config.applied} or {@code config.failed}
 * event.
 *
 * @param name the agent
 * @param revision the {@link AgentConfigSnapshot#revision()} applied
 * @param state {@link #STATE_APPLIED} or {@link #STATE_FAILED}
 * @param errors one entry per central value the agent refused (it keeps its last good value)
 * @param effective every catalog setting in effect on the agent, with its source
 */
public record ConfigReport(
        @JsonProperty("name") String name,
        @JsonProperty("revision") String revision,
        @JsonProperty("state") String state,
        @JsonProperty("errors") List<Error> errors,
        @JsonProperty("effective") List<AgentConfigSnapshot.Setting> effective) {

    /** Every central value is in effect. */
    public static final String STATE_APPLIED = "applied";
    /** At least one central value was refused. */
    public static final String STATE_FAILED = "failed";

    /**
     * Copies the lists and turns {@code null} into empty ones.
     *
     * @param name the agent
     * @param revision the revision
     * @param state the state
     * @param errors the refused values, or {@code null}
     * @param effective the settings in effect, or {@code null}
     */
    public ConfigReport {
        errors = errors == null ? List.of() : List.copyOf(errors);
        effective = effective == null ? List.of() : List.copyOf(effective);
    }

    /**
     * A central value the agent refused.
     *
     * @param name the setting
     * @param value the refused value
     * @param message the rule it breaks
     */
    public record Error(
            @JsonProperty("name") String name,
            @JsonProperty("value") String value,
            @JsonProperty("message") String message) {
    }
}
