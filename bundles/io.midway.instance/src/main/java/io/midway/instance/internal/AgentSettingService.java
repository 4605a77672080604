package io.midway.instance.internal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.AgentSettingChange;
import io.midway.instance.api.AgentSettings;
import io.midway.instance.api.ConfigError;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.ResolvedSetting;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.store.StoreSession;
import io.midway.wire.AgentSettingCatalog;
import io.midway.wire.AgentSettingSpec;

/**
 * Configuration from the instance (issue 17): the agent properties and configuration parameters,
 * checked against the {@link AgentSettingCatalog}; each change takes one configuration revision
 * in its transaction (so every waiting poll, on every node, answers with it) and writes an event
 * {@value InstanceEvent#AGENT_CONFIG_CHANGED}. Also each agent's resolved set and its reports.
 */
@Component(service = {AgentSettings.class})
public class AgentSettingService implements AgentSettings {

    private static final Logger LOG = LoggerFactory.getLogger(AgentSettingService.class);
    /** A report lists at most this many refused values and settings in effect. */
    static final int MAX_REPORT_ENTRIES = 500;
    /** A refused value's message is kept up to this length. */
    static final int MAX_MESSAGE_LENGTH = 500;
    /** What an event or the console shows instead of a secret value. */
    static final String HIDDEN = "********";
    private static final Set<String> SOURCES = Set.of("environment", "parameter", "agent_property",
            "global_property", "file", "console", "default");

    private final InstanceCore core;

    /**
     * @param core the instance core
     */
    @Activate
    public AgentSettingService(@Reference InstanceCore core) {
        this.core = core;
    }

    @Override
    public List<AgentSetting> settings(TableQuery query) {
        requireSettingTable(query.table());
        core.requireOpen();
        return core.read(s -> s.querySettings(query));
    }

    @Override
    public Optional<AgentSetting> setting(TableSchema table, String sysId) {
        requireSettingTable(table);
        core.requireOpen();
        return core.read(s -> s.findSetting(table, sysId));
    }

    @Override
    public AgentSetting create(TableSchema table, AgentSettingChange change) {
        requireSettingTable(table);
        if (change.name() == null || change.name().isEmpty()) {
            throw InstanceException.invalid("field 'name' is required",
                    "the settings the instance can set: " + AgentSettingCatalog.centralNames());
        }
        if (change.value() == null) {
            throw InstanceException.invalid("field 'value' is required");
        }
        String agent = change.agent() == null ? "" : change.agent();
        String value = checked(table, change.name(), change.value(), agent);
        return core.write((s, c) -> {
            requireAgent(s, agent);
            Optional<AgentSetting> taken = s.findSetting(table, change.name(), agent);
            if (taken.isPresent()) {
                throw taken(table, taken.get());
            }
            long now = c.now.toEpochMilli();
            AgentSetting setting = new AgentSetting(AgentRecords.newSysId(), change.name(), value, agent, now, now);
            s.insertSetting(table, setting);
            changed(s, c, table, "set", setting);
            return setting;
        });
    }

    @Override
    public AgentSetting update(TableSchema table, String sysId, AgentSettingChange change) {
        requireSettingTable(table);
        if (change.isEmpty()) {
            throw InstanceException.invalid("nothing to change", "fields that can be changed: name, value, agent");
        }
        return core.write((s, c) -> {
            AgentSetting old = s.findSetting(table, sysId).orElseThrow(() -> notFound(table, sysId));
            String name = change.name() != null ? change.name() : old.name();
            String agent = change.agent() != null ? change.agent() : old.agent();
            String value = checked(table, name, change.value() != null ? change.value() : old.value(), agent);
            requireAgent(s, agent);
            Optional<AgentSetting> taken = s.findSetting(table, name, agent);
            if (taken.isPresent() && !taken.get().sysId().equals(sysId)) {
                throw taken(table, taken.get());
            }
            AgentSetting setting = new AgentSetting(sysId, name, value, agent, old.createdMs(), c.now.toEpochMilli());
            s.updateSetting(table, setting);
            changed(s, c, table, "set", setting);
            return setting;
        });
    }

    @Override
    public void delete(TableSchema table, String sysId) {
        requireSettingTable(table);
        core.write((s, c) -> {
            AgentSetting old = s.findSetting(table, sysId).orElseThrow(() -> notFound(table, sysId));
            s.deleteSetting(table, sysId);
            changed(s, c, table, "deleted", old);
            return null;
        });
    }

    @Override
    public AgentSetting put(TableSchema table, String name, String agent, String value) {
        requireSettingTable(table);
        String a = agent == null ? "" : agent.trim();
        String n = name == null ? "" : name.trim();
        String v = checked(table, n, value, a);
        return core.write((s, c) -> {
            requireAgent(s, a);
            Optional<AgentSetting> old = s.findSetting(table, n, a);
            long now = c.now.toEpochMilli();
            AgentSetting setting;
            if (old.isPresent()) {
                setting = new AgentSetting(old.get().sysId(), n, v, a, old.get().createdMs(), now);
                s.updateSetting(table, setting);
            } else {
                setting = new AgentSetting(AgentRecords.newSysId(), n, v, a, now, now);
                s.insertSetting(table, setting);
            }
            changed(s, c, table, "set", setting);
            return setting;
        });
    }

    @Override
    public boolean remove(TableSchema table, String name, String agent) {
        requireSettingTable(table);
        String a = agent == null ? "" : agent.trim();
        return core.write((s, c) -> {
            Optional<AgentSetting> old = s.findSetting(table, name == null ? "" : name.trim(), a);
            if (old.isEmpty()) {
                return false;
            }
            s.deleteSetting(table, old.get().sysId());
            changed(s, c, table, "deleted", old.get());
            return true;
        });
    }

    @Override
    public List<ResolvedSetting> resolve(String agent) {
        core.requireOpen();
        return core.read(s -> resolve(s, agent));
    }

    /** Parameter over property for the agent over global property, by name. */
    static List<ResolvedSetting> resolve(StoreSession s, String agent) throws SQLException {
        Map<String, ResolvedSetting> byName = new TreeMap<>();
        for (AgentSetting p : s.settingsFor(TableSchema.ECC_AGENT_PROPERTY, agent)) {
            if (p.global()) {
                byName.putIfAbsent(p.name(), new ResolvedSetting(p.name(), p.value(), "global_property"));
            }
        }
        for (AgentSetting p : s.settingsFor(TableSchema.ECC_AGENT_PROPERTY, agent)) {
            if (!p.global()) {
                byName.put(p.name(), new ResolvedSetting(p.name(), p.value(), "agent_property"));
            }
        }
        for (AgentSetting p : s.settingsFor(TableSchema.ECC_AGENT_CONFIG, agent)) {
            byName.put(p.name(), new ResolvedSetting(p.name(), p.value(), "parameter"));
        }
        return new ArrayList<>(byName.values());
    }

    @Override
    public String revision() {
        return core.configRevision();
    }

    @Override
    public AgentConfigStatus report(String agent, String revision, String state, List<ConfigError> errors,
            List<ResolvedSetting> effective) {
        if (agent == null || agent.isBlank()) {
            throw InstanceException.invalid("field 'name' is required", "the agent's name");
        }
        if (revision == null || revision.isBlank() || revision.length() > 40) {
            throw InstanceException.invalid("field 'revision' is required", "the configuration revision applied");
        }
        if (!AgentConfigStatus.APPLIED.equals(state) && !AgentConfigStatus.FAILED.equals(state)) {
            throw InstanceException.invalid("field 'state' must be applied or failed", "got " + state);
        }
        List<ConfigError> refused = errors == null ? List.of() : errors;
        List<ResolvedSetting> inEffect = effective == null ? List.of() : effective;
        if (refused.size() > MAX_REPORT_ENTRIES || inEffect.size() > MAX_REPORT_ENTRIES) {
            throw InstanceException.invalid("too many entries in the report", "at most " + MAX_REPORT_ENTRIES);
        }
        for (ResolvedSetting e : inEffect) {
            if (e == null || e.name() == null || !SOURCES.contains(e.source())) {
                throw InstanceException.invalid("an effective setting needs a name and a source",
                        "sources: environment, parameter, agent_property, global_property, file, console, default");
            }
        }
        List<ResolvedSetting> shown = inEffect.stream()
                .map(e -> new ResolvedSetting(e.name(), secret(e.name()) ? HIDDEN : e.value(), e.source())).toList();
        String errorText = errorText(refused);
        AgentConfigStatus status = new AgentConfigStatus(agent, revision.trim(), state, errorText, shown);
        return core.write((s, c) -> {
            AgentConfigStatus before = s.configStatus(agent).orElseThrow(() -> AgentRecords.notRegistered(agent));
            s.writeConfigStatus(status);
            // bounded: one event per agent, revision and state (an agent that reports again says nothing new)
            if (!status.revision().equals(before.revision()) || !state.equals(before.state())) {
                if (AgentConfigStatus.APPLIED.equals(state)) {
                    c.event(s, InstanceEvent.CONFIG_APPLIED, agent, "revision " + status.revision() + " applied ("
                            + shown.size() + " settings in effect)");
                } else {
                    c.event(s, InstanceEvent.CONFIG_FAILED, agent, "revision " + status.revision() + " failed: "
                            + errorText.replace('\n', ';'));
                }
            }
            return status;
        });
    }

    @Override
    public Optional<AgentConfigStatus> status(String agent) {
        core.requireOpen();
        return core.read(s -> s.configStatus(agent));
    }

    /** The refused values, one per line, each message cut to {@link #MAX_MESSAGE_LENGTH}. */
    private static String errorText(List<ConfigError> errors) {
        List<String> lines = new ArrayList<>();
        for (ConfigError e : errors) {
            if (e == null) {
                continue;
            }
            String name = printable(e.name() == null ? "?" : e.name(), 200);
            String value = secret(name) ? HIDDEN : printable(e.value() == null ? "" : e.value(), 200);
            lines.add(name + "='" + value + "': " + printable(e.message() == null ? "" : e.message(),
                    MAX_MESSAGE_LENGTH));
        }
        return String.join("\n", lines);
    }

    private static String printable(String s, int max) {
        String t = s.length() > max ? s.substring(0, max) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", " ");
    }

    /**
     * Whether a setting's value is a secret, never shown in an event or a page: the catalog has
     * no central secret today, but a setting whose key names a password is one.
     */
    static boolean secret(String name) {
        return AgentSettingCatalog.find(name).map(AgentSettingSpec::key)
                .map(k -> k.toLowerCase(java.util.Locale.ROOT).contains("password")).orElse(false);
    }

    /** The value normalised by the catalog; 400 with the catalog's rule, or for a parameter without an agent. */
    private static String checked(TableSchema table, String name, String value, String agent) {
        String normalised;
        try {
            normalised = AgentSettingCatalog.validateCentral(name, value);
        } catch (IllegalArgumentException e) {
            throw InstanceException.invalid(e.getMessage(),
                    "the settings and their rules: README, Configuration from the instance");
        }
        if (table == TableSchema.ECC_AGENT_CONFIG && agent.isEmpty()) {
            throw InstanceException.invalid("a configuration parameter is for one agent: field 'agent' is required",
                    "a setting for every agent is a property (ecc_agent_property with agent empty)");
        }
        return normalised;
    }

    private static void requireAgent(StoreSession s, String agent) throws SQLException {
        if (!agent.isEmpty() && s.findAgentByName(agent).isEmpty()) {
            throw InstanceException.invalid("agent '" + printable(agent, 100) + "' is not registered",
                    "name a registered agent (ecc_agent), or leave 'agent' empty for every agent (properties only)");
        }
    }

    private void changed(StoreSession s, Changes c, TableSchema table, String what, AgentSetting setting)
            throws SQLException {
        long revision = c.nextConfigRevision(s);
        String value = secret(setting.name()) ? HIDDEN : setting.value();
        String detail = table.name() + " " + setting.name() + ("set".equals(what) ? " = '" + value + "'" : " deleted")
                + " for " + (setting.global() ? "every agent" : "agent " + setting.agent()) + " (revision " + revision
                + ")";
        c.event(s, InstanceEvent.AGENT_CONFIG_CHANGED, setting.global() ? null : setting.agent(), detail);
        LOG.info("Agent configuration: {}", detail);
    }

    private static InstanceException taken(TableSchema table, AgentSetting other) {
        return InstanceException.conflict(table.name() + " has " + other.name() + " for "
                + (other.global() ? "every agent" : "agent " + other.agent()) + " already",
                "its sys_id is " + other.sysId() + "; change it with PATCH /api/now/table/" + table.name() + "/"
                        + other.sysId());
    }

    private static InstanceException notFound(TableSchema table, String sysId) {
        return new InstanceException(InstanceException.Reason.NOT_FOUND, "No Record found",
                "no " + table.name() + " record with sys_id " + sysId);
    }

    private static void requireSettingTable(TableSchema table) {
        if (table != TableSchema.ECC_AGENT_PROPERTY && table != TableSchema.ECC_AGENT_CONFIG) {
            throw new IllegalArgumentException("not a table of agent settings: " + table);
        }
    }
}
