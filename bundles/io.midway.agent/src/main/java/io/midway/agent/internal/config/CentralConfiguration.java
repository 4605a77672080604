package io.midway.agent.internal.config;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.ConfigReport;

/**
 * The settings this agent takes from the instance, laid over its Config Admin configurations
 * (above the {@code etc/} files and console edits, below the environment) without a restart.
 */
public interface CentralConfiguration {

    /** @return the revision of the instance's settings taken last, or {@code null} before the first */
    String revision();

    /**
     * Takes the instance's settings and delivers the changed ones through Config Admin.
     *
     * @param snapshot the instance's reply
     * @return what changed and what was refused
     * @throws IOException when the settings cannot be kept on disk (nothing is taken then)
     */
    CentralSettings.Outcome apply(AgentConfigSnapshot snapshot) throws IOException;

    /** @return the values refused at the last apply, each with the rule it breaks */
    List<ConfigReport.Error> errors();

    /** @return every value in effect from the instance, by setting name */
    Map<String, CentralSettings.Value> values();

    /** @return every setting of the catalog as in effect on this agent, with its source */
    List<AgentConfigSnapshot.Setting> effective();
}
