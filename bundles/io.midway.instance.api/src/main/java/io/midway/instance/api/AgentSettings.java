package io.midway.instance.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Configuration from the instance: the agent properties ({@code ecc_agent_property}, for every
 * agent or for one) and configuration parameters ({@code ecc_agent_config}, for one agent), each
 * agent's resolved set (parameter over property for the agent over global property), the revision
 * every change takes, and the agents' reports of how they applied it.
 *
 * <p>Every change is checked against the agent settings catalog: an unknown name, a value of the
 * wrong type or out of range, or a setting only the agent's host may set ({@code instance.url},
 * {@code agent.name} …) is a 400 naming the setting and the rule. Every change takes one new
 * revision, wakes every waiting poll (on every node) and writes an event
 * {@value InstanceEvent#AGENT_CONFIG_CHANGED}.
 */
@ProviderType
public interface AgentSettings {

    /**
     * @param query a query on {@link TableSchema#ECC_AGENT_PROPERTY} or {@link TableSchema#ECC_AGENT_CONFIG}
     * @return the matching records
     */
    List<AgentSetting> settings(TableQuery query);

    /**
     * @param table {@link TableSchema#ECC_AGENT_PROPERTY} or {@link TableSchema#ECC_AGENT_CONFIG}
     * @param sysId a sys_id
     * @return the record
     */
    Optional<AgentSetting> setting(TableSchema table, String sysId);

    /**
     * @param table the table
     * @param change the body: {@code name} and {@code value} required; {@code agent} required for a parameter
     * @return the stored record
     * @throws InstanceException 400 for a bad name or value, a local-only setting, a parameter
     *     without an agent or an agent that is not registered; 409 when the table has one for that
     *     name and agent already
     */
    AgentSetting create(TableSchema table, AgentSettingChange change);

    /**
     * @param table the table
     * @param sysId the record's sys_id
     * @param change the fields to change
     * @return the record as stored
     * @throws InstanceException as {@link #create}, and 404 for an unknown sys_id
     */
    AgentSetting update(TableSchema table, String sysId, AgentSettingChange change);

    /**
     * @param table the table
     * @param sysId the record's sys_id
     * @throws InstanceException 404 for an unknown sys_id
     */
    void delete(TableSchema table, String sysId);

    /**
     * Creates or replaces the record for a name and agent (the shell's {@code set}).
     *
     * @param table the table
     * @param name the setting's name
     * @param agent the agent, or {@code ""} for every agent (properties only)
     * @param value the value
     * @return the record as stored
     * @throws InstanceException as {@link #create}
     */
    AgentSetting put(TableSchema table, String name, String agent, String value);

    /**
     * Deletes the record for a name and agent (the shell's {@code delete}).
     *
     * @param table the table
     * @param name the setting's name
     * @param agent the agent, or {@code ""}
     * @return whether there was one
     */
    boolean remove(TableSchema table, String name, String agent);

    /**
     * @param agent an agent's name
     * @return the settings the instance holds for it, resolved, by name
     */
    List<ResolvedSetting> resolve(String agent);

    /** @return the configuration revision, as it rides on every poll reply */
    String revision();

    /**
     * Keeps an agent's report on its record and writes {@value InstanceEvent#CONFIG_APPLIED} or
     * {@value InstanceEvent#CONFIG_FAILED} (once per agent, revision and state).
     *
     * @param agent the agent
     * @param revision the revision it applied
     * @param state {@link AgentConfigStatus#APPLIED} or {@link AgentConfigStatus#FAILED}
     * @param errors the values it refused
     * @param effective every setting in effect on it
     * @return what is kept
     * @throws InstanceException 400 for a malformed report, 404 for an agent that is not registered
     */
    AgentConfigStatus report(String agent, String revision, String state, List<ConfigError> errors,
            List<ResolvedSetting> effective);

    /**
     * @param agent an agent's name
     * @return its last report, if it is registered
     */
    Optional<AgentConfigStatus> status(String agent);
}
