package io.midway.instance.api;

import java.util.List;

/**
 * What an agent last reported of the instance's settings ({@code POST /api/mid/config/report}),
 * as kept on its {@code ecc_agent} record.
 *
 * @param agent the agent's name
 * @param revision the configuration revision it applied, or {@code null} before its first report
 * @param state {@code applied}, {@code failed}, or {@code null} before its first report
 * @param errors the values it refused, one per line ({@code name='value': message}), or empty
 * @param effective every setting in effect on it, with its source
 */
public record AgentConfigStatus(String agent, String revision, String state, String errors,
        List<ResolvedSetting> effective) {

    /** Applying went well. */
    public static final String APPLIED = "applied";
    /** At least one value was refused. */
    public static final String FAILED = "failed";

    /** Copies the list. */
    public AgentConfigStatus {
        effective = effective == null ? List.of() : List.copyOf(effective);
        errors = errors == null ? "" : errors;
    }
}
