package io.midway.instance.internal;

import io.midway.instance.store.PendingKey;
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.AgentNames;
import io.midway.instance.api.AgentChange;
import io.midway.instance.api.InstanceException;
import java.security.PublicKey;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.internal.cluster.ClusterRouter;
import io.midway.instance.store.StoreSession;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.InstanceEvent;
import io.midway.wire.Json;
import io.midway.instance.api.AgentRegistration;
import io.midway.wire.SealedSecret;
import io.midway.instance.api.SyncState;

import org.osgi.service.component.annotations.Reference;

/**
 * The agent registry: registration (with the agent's public key and its validation), the status
 * an agent reports or an admin sets, an admin's changes (validation, applications, IP ranges,
 * cluster, pinned core version, capabilities set by hand), file-sync reports, and reads.
 */
@Component(service = {AgentRegistry.class})
public class AgentService implements AgentRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);
    /** The statuses an agent may report for itself. */
    private static final List<String> AGENT_STATUSES = List.of(Agent.STATUS_PAUSED, Agent.STATUS_UP,
            Agent.STATUS_UPGRADING, Agent.STATUS_UPGRADE_FAILED, Agent.STATUS_DOWN);
    /** The statuses an admin may set. */
    private static final List<String> ADMIN_STATUSES = List.of(Agent.STATUS_PAUSED, Agent.STATUS_UP);


    /**
     * A public key an agent registered, checked.
     *
     * @param text the key in its canonical text form (base64 X.509)
     * @param fingerprint its fingerprint, shown on the agent
     */
    private record AgentKey(String text, String fingerprint) {

        /** @return the checked key, or {@code null} when the registration carries none */
        static AgentKey of(String publicKey) {
            if (publicKey == null || publicKey.isBlank()) {
                return null;
            }
            PublicKey key;
            try {
                key = SealedSecret.parsePublicKey(publicKey);
            } catch (IllegalArgumentException e) {
                throw InstanceException.invalid("invalid value for field 'public_key': " + e.getMessage(),
                        "a base64 X.509 RSA public key of at least " + SealedSecret.MIN_KEY_BITS + " bits");
            }
            return new AgentKey(SealedSecret.publicKeyText(key), SealedSecret.fingerprint(key));
        }
    }

    /** Event: an agent registered a public key other than its validated one (it is not validated until an admin says so). */
    public static final String MID_SERVER_REKEY = "mid_server.rekey";

    private final InstanceCore core;

    /**
     * @param core the instance core
     */
    @Activate
    public AgentService(@Reference InstanceCore core) {
        this.core = core;
    }

    /**
     * Registers a new agent ({@code Up}, validated when auto-validation is on, event
     * {@code mid_server.up}) or refreshes a known one (a {@code Down} agent comes back {@code Up}).
     * A registration that names the records the agent still holds ({@link AgentRegistration#held})
     * makes every other record leased to it ready again at once ({@link LeaseRecovery}).
     *
     * @param registration what the agent says about itself
     * @return the agent and whether it is new
     */
    public Registered register(AgentRegistration registration) {
        if (registration == null) {
            throw InstanceException.invalid("the request body must be a JSON object");
        }
        String name = registration.name() == null ? null : registration.name().trim();
        AgentNames.check(name);
        List<String> capabilities = strings(registration.capabilities(), "capabilities");
        AgentKey key = AgentKey.of(registration.publicKey());
        List<String> held = registration.held();
        if (held != null) {
            LeaseRecovery.supersedeWaitingPolls(core, name);
        }
        return core.write((s, c) -> {
            String now = Json.time(c.now);
            Optional<Agent> existing = s.findAgentByName(name);
            if (existing.isEmpty()) {
                // an admin may have made it a cluster member before it registered
                String cluster = ClusterRouter.clusterOf(s.clusters(), name).map(AgentCluster::name).orElse("");
                Agent agent = new Agent(AgentRecords.newSysId(), name, Agent.STATUS_UP, core.settings().autoValidate(),
                        registration.version(), registration.hostName(), registration.ipAddress(), now,
                        AgentChange.unionOfCapabilities(capabilities, List.of()), List.of(), List.of(), cluster, false,
                        null, null, null, key == null ? null : key.fingerprint(), List.of(), capabilities);
                s.insertAgent(agent, c.now.toEpochMilli());
                if (key != null) {
                    s.setAgentPublicKey(name, key.text(), key.fingerprint());
                    LOG.info("Agent {} registered with public key {}", name, key.fingerprint());
                }
                c.event(s, InstanceEvent.MID_SERVER_UP, name, "registered" + describe(registration)
                        + (agent.validated() ? ", validated" : ", not validated yet"));
                return new Registered(agent, true);
            }
            Agent old = existing.get();
            String status = old.status();
            if (Agent.STATUS_DOWN.equals(status)) {
                status = Agent.STATUS_UP;
                c.event(s, InstanceEvent.MID_SERVER_UP, name, "registered again after being Down");
            }
            // A key other than the one the agent has does not replace it (the MID Server's rekey):
            // it waits for an admin's validation, and a validated agent is validated no more, so
            // it gets no credentials and no standard work until then. auto.validate applies to a
            // first registration only.
            boolean validated = old.validated();
            String fingerprint = old.publicKeyFingerprint();
            boolean rekey = key != null && fingerprint != null && !key.fingerprint().equals(fingerprint);
            if (key != null && fingerprint == null) {
                fingerprint = key.fingerprint();
            }
            if (rekey) {
                validated = false;
            }
            // the agent's advertised capabilities are replaced; those set by hand stay
            List<String> manual = old.manualCapabilities() == null ? List.of() : old.manualCapabilities();
            Agent agent = new Agent(old.sysId(), name, status, validated, registration.version(),
                    registration.hostName(), registration.ipAddress(), now,
                    AgentChange.unionOfCapabilities(capabilities, manual), old.applications(),
                    old.ipRanges(), old.cluster(), old.isDefault(), old.syncRevision(), old.syncState(),
                    old.pinnedVersion(), fingerprint, manual, capabilities);
            s.updateAgent(agent);
            if (key != null && old.publicKeyFingerprint() == null) {
                s.setAgentPublicKey(name, key.text(), key.fingerprint());
                LOG.info("Agent {} registered its public key {}", name, key.fingerprint());
            } else if (rekey) {
                s.setAgentPendingKey(name, key.text(), key.fingerprint());
                LOG.warn("Agent {} registered another public key {} (validated: {}): it is not validated until an "
                        + "admin validates the new key", name, key.fingerprint(), old.publicKeyFingerprint());
                c.event(s, MID_SERVER_REKEY, name, "registered another public key " + key.fingerprint()
                        + " (validated key " + old.publicKeyFingerprint() + "); not validated until an admin "
                        + "validates it" + (old.validated() ? "" : " (it was not validated before either)"));
            } else if (key != null) {
                // back to the validated key: a key that was waiting is forgotten
                s.setAgentPendingKey(name, null, null);
            }
            if (held != null) {
                LeaseRecovery.release(core, s, c, name, held);
            }
            c.wake(name);
            return new Registered(agent, false);
        });
    }

    /**
     * An agent asks to be paused or resumed (its own shell or console).
     *
     * @param name the agent name
     * @param status {@code Paused} or {@code Up}
     * @return the agent as stored
     */
    public Agent changeStatus(String name, String status) {
        return changeStatus(name, status, null);
    }

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
    public Agent changeStatus(String name, String status, String detail) {
        if (name == null || name.isBlank()) {
            throw InstanceException.invalid("field 'name' is required");
        }
        if (status == null || status.isBlank()) {
            throw InstanceException.invalid("field 'status' is required", String.join(", ", AGENT_STATUSES));
        }
        if (!AGENT_STATUSES.contains(status)) {
            throw InstanceException.invalid("status must be one of: " + String.join(", ", AGENT_STATUSES),
                    "got '" + status + "'");
        }
        String sentence = detail == null || detail.isBlank() ? null : detail.trim();
        return core.write((s, c) -> {
            Agent agent = s.findAgentByName(name.trim()).orElseThrow(() -> AgentRecords.notRegistered(name.trim()));
            Agent changed = applyStatus(s, c, agent, status, "the agent", sentence);
            s.updateAgent(changed);
            return changed;
        });
    }

    /**
     * An admin changes an agent.
     *
     * @param sysId the agent's sys_id
     * @param change what to change
     * @return the agent as stored
     */
    public Agent updateAgent(String sysId, AgentChange change) {
        if (change.ipRanges() != null) {
            try {
                io.midway.instance.internal.selection.IpRanges.parse(change.ipRanges());
            } catch (IllegalArgumentException e) {
                throw InstanceException.invalid(e.getMessage(),
                        "each ip_ranges entry is a CIDR block (10.0.0.0/8), an address (192.168.1.7) or a range "
                                + "(10.0.0.1-10.0.0.50); nothing was changed");
            }
        }
        return core.write((s, c) -> {
            Agent agent = s.findAgent(sysId)
                    .orElseThrow(() -> InstanceException.notFound("no agent with sys_id " + sysId));
            if (change.status() != null) {
                if (!ADMIN_STATUSES.contains(change.status())) {
                    throw InstanceException.invalid("status must be one of: " + String.join(", ", ADMIN_STATUSES),
                            "got '" + change.status() + "'");
                }
                agent = applyStatus(s, c, agent, change.status(), "an admin", null);
            }
            String pinned = agent.pinnedVersion();
            if (change.pinnedVersion() != null) {
                pinned = change.pinnedVersion().isEmpty() ? null : change.pinnedVersion();
                if (!Objects.equals(pinned, agent.pinnedVersion())) {
                    LOG.info("Agent {} {} by an admin", agent.name(),
                            pinned == null ? "unpinned (follows the instance version " + core.instanceVersion() + ")"
                                    : "pinned to core version " + pinned);
                    c.wake(agent.name());
                }
            }
            String cluster = agent.cluster() == null ? "" : agent.cluster();
            if (change.cluster() != null && !change.cluster().equals(cluster)) {
                ClusterService.moveToCluster(s, c, agent.name(), change.cluster());
                cluster = change.cluster();
            }
            boolean validated = change.validated() != null ? change.validated() : agent.validated();
            String fingerprint = agent.publicKeyFingerprint();
            if (Boolean.TRUE.equals(change.validated())) {
                // Validating an agent validates the key it registered last: a waiting one replaces
                // the old, and its credentials are sealed for it from now on.
                Optional<PendingKey> pending = s.agentPendingKey(agent.name());
                if (pending.isPresent()) {
                    s.setAgentPublicKey(agent.name(), pending.get().text(), pending.get().fingerprint());
                    s.setAgentPendingKey(agent.name(), null, null);
                    fingerprint = pending.get().fingerprint();
                    s.incrementCredentialRevision();
                    LOG.info("Agent {}: its new public key {} is validated by an admin", agent.name(), fingerprint);
                }
            }
            if (validated != agent.validated()) {
                LOG.info("Agent {} {} by an admin", agent.name(), validated ? "validated" : "invalidated");
                c.wake(agent.name());
            }
            List<String> advertised = agent.advertisedCapabilities() == null ? agent.capabilities()
                    : agent.advertisedCapabilities();
            List<String> manual = agent.manualCapabilities() == null ? List.of() : agent.manualCapabilities();
            if (change.manualCapabilities() != null && !change.manualCapabilities().equals(manual)) {
                manual = change.manualCapabilities();
                LOG.info("Agent {}: capabilities set by hand {} by an admin", agent.name(),
                        manual.isEmpty() ? "cleared" : "now " + manual);
            }
            Agent changed = new Agent(agent.sysId(), agent.name(), agent.status(), validated,
                    agent.version(), agent.hostName(), agent.ipAddress(), agent.lastRefreshed(),
                    AgentChange.unionOfCapabilities(advertised, manual),
                    change.applications() != null ? change.applications() : agent.applications(),
                    change.ipRanges() != null ? change.ipRanges() : agent.ipRanges(),
                    cluster,
                    change.isDefault() != null ? change.isDefault() : agent.isDefault(),
                    agent.syncRevision(), agent.syncState(), pinned, fingerprint, manual, advertised);
            s.updateAgent(changed);
            return changed;
        });
    }

    private Agent applyStatus(StoreSession s, Changes c, Agent agent, String status, String by,
            String detail) throws SQLException {
        if (status.equals(agent.status()) && detail == null) {
            return agent;
        }
        switch (status) {
            case Agent.STATUS_PAUSED -> c.event(s, InstanceEvent.MID_SERVER_PAUSED, agent.name(),
                    detail != null ? detail : "paused by " + by);
            case Agent.STATUS_UPGRADING -> c.event(s, InstanceEvent.MID_SERVER_UPGRADING, agent.name(),
                    detail != null ? detail : "upgrading its core from " + AgentRecords.or(agent.version(), "an unknown version")
                            + " (was " + agent.status() + ")");
            case Agent.STATUS_UPGRADE_FAILED -> c.event(s, InstanceEvent.MID_SERVER_UPGRADE_FAILED, agent.name(),
                    detail != null ? detail : "the upgrade of its core failed");
            // An agent that stops on command says so (it registers Up again when it starts).
            case Agent.STATUS_DOWN -> c.event(s, InstanceEvent.MID_SERVER_DOWN, agent.name(),
                    detail != null ? detail : "stopped");
            default -> c.event(s, InstanceEvent.MID_SERVER_UP, agent.name(),
                    detail != null ? detail : "resumed by " + by + " (was " + agent.status() + ")");
        }
        c.wake(agent.name());
        return AgentRecords.withStatus(agent, status);
    }

    /**
     * Records how an agent applied a file-sync snapshot: its {@code sync_revision} and
     * {@code sync_state}, and an event {@code file_sync.applied} or {@code file_sync.failed}
     * listing the result of each file.
     *
     * @param report what the agent reports
     * @return the agent as stored
     * @throws InstanceException 400 for a malformed report, 404 for an unknown agent
     */
    public Agent syncReport(SyncState report) {
        SyncReportEvent event = SyncReportEvent.of(report);
        return core.write((s, c) -> {
            Agent agent = s.findAgentByName(event.agentName())
                    .orElseThrow(() -> AgentRecords.notRegistered(event.agentName()));
            Agent changed = AgentRecords.withSync(agent, Json.time(c.now), event.revision(), event.state());
            s.updateAgent(changed);
            c.event(s, event.name(), agent.name(), event.detail());
            return changed;
        });
    }

    /**
     * @param query a query on {@link TableSchema#ECC_AGENT}
     * @return the matching agents
     */
    public List<Agent> agents(TableQuery query) {
        AgentRecords.requireTable(query, TableSchema.ECC_AGENT);
        core.requireOpen();
        return core.read(s -> s.queryAgents(query)).stream().map(core.refreshTimes()::overlay).toList();
    }

    /**
     * @param sysId a sys_id
     * @return the agent
     */
    public Optional<Agent> agent(String sysId) {
        core.requireOpen();
        return core.read(s -> s.findAgent(sysId)).map(core.refreshTimes()::overlay);
    }

    /**
     * @param name an agent name
     * @return the agent
     */
    public Optional<Agent> agentByName(String name) {
        core.requireOpen();
        return core.read(s -> s.findAgentByName(name)).map(core.refreshTimes()::overlay);
    }


    private static List<String> strings(List<String> list, String field) {
        if (list == null) {
            return List.of();
        }
        List<String> clean = new ArrayList<>();
        for (String s : list) {
            if (s == null) {
                throw InstanceException.invalid("field '" + field + "' must hold strings only");
            }
            if (!s.isBlank()) {
                clean.add(s.trim());
            }
        }
        return clean;
    }

    private static String describe(AgentRegistration r) {
        StringBuilder text = new StringBuilder();
        if (r.version() != null) {
            text.append(" version ").append(r.version());
        }
        if (r.hostName() != null) {
            text.append(" on ").append(r.hostName());
        }
        if (r.ipAddress() != null) {
            text.append(" (").append(r.ipAddress()).append(')');
        }
        return text.length() == 0 ? "" : ":" + text;
    }

    /**
     * @param name an agent name
     * @return the public key it registered and that is validated, in its text form
     */
    public Optional<String> publicKey(String name) {
        core.requireOpen();
        return core.read(s -> s.agentPublicKey(name));
    }
}
