package io.midway.instance.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The agent registry: registration, the status an agent reports or an admin sets, an admin's
 * changes, file-sync reports, and reads. Throws {@link InstanceException}.
 */
@ProviderType
public interface AgentRegistry {

    /**
     * The result of a registration.
     *
     * @param agent the agent as stored
     * @param created whether it was new
     */
    record Registered(Agent agent, boolean created) {
    }

    /**
     * Registers a new agent ({@code Up}, validated when auto-validation is on, event
     * {@code mid_server.up}) or refreshes a known one (a {@code Down} agent comes back {@code Up}).
     *
     * @param registration what the agent says about itself
     * @return the agent and whether it is new
     */
    Registered register(AgentRegistration registration);

    /**
     * An agent asks to be paused or resumed (its own shell or console).
     *
     * @param name the agent name
     * @param status {@code Paused} or {@code Up}
     * @return the agent as stored
     */
    Agent changeStatus(String name, String status);

    /**
     * An agent reports its status: paused or resumed (its own shell or console), or the course of
     * an upgrade of its core ({@code Upgrading}, {@code Upgrade Failed}, then {@code Up}). Each
     * writes its event ({@code mid_server.paused}, {@code .up}, {@code .upgrading},
     * {@code .upgrade_failed}) with the detail as the event detail. The same status again does
     * nothing unless it comes with a detail (another upgrade attempt, another failure).
     *
     * @param name the agent name
     * @param status {@code Paused}, {@code Up}, {@code Upgrading} or {@code Upgrade Failed}
     * @param detail a sentence for the event, or {@code null}
     * @return the agent as stored
     */
    Agent changeStatus(String name, String status, String detail);

    /**
     * An admin changes an agent.
     *
     * @param sysId the agent's sys_id
     * @param change what to change
     * @return the agent as stored
     */
    Agent updateAgent(String sysId, AgentChange change);

    /**
     * Records how an agent applied a file-sync snapshot: its {@code sync_revision} and
     * {@code sync_state}, and an event {@code file_sync.applied} or {@code file_sync.failed}
     * listing the result of each file.
     *
     * @param report what the agent reports
     * @return the agent as stored
     * @throws InstanceException 400 for a malformed report, 404 for an unknown agent
     */
    Agent syncReport(SyncState report);

    /**
     * @param query a query on {@link TableSchema#ECC_AGENT}
     * @return the matching agents
     */
    List<Agent> agents(TableQuery query);

    /**
     * @param sysId a sys_id
     * @return the agent
     */
    Optional<Agent> agent(String sysId);

    /**
     * @param name an agent name
     * @return the agent
     */
    Optional<Agent> agentByName(String name);

    /**
     * @param name an agent name
     * @return the public key it registered and that is validated, in its text form
     */
    Optional<String> publicKey(String name);
}
