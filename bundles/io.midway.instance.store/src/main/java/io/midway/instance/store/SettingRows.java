package io.midway.instance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.ResolvedSetting;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.store.sql.Statements;

import com.fasterxml.jackson.core.type.TypeReference;

/**
 * The agent properties ({@code ecc_agent_property}) and configuration parameters
 * ({@code ecc_agent_config}), which have the same columns; the configuration revision; each
 * agent's report of how it applied them (columns of {@code ecc_agent} written apart).
 */
final class SettingRows extends TableRows {

    private static final TypeReference<List<ResolvedSetting>> SETTINGS = new TypeReference<>() {
    };

    SettingRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /** Whether the table is {@code ecc_agent_property} (else {@code ecc_agent_config}; any other is an error). */
    private static boolean property(TableSchema table) {
        if (table == TableSchema.ECC_AGENT_PROPERTY) {
            return true;
        }
        if (table == TableSchema.ECC_AGENT_CONFIG) {
            return false;
        }
        throw new IllegalArgumentException("not a table of agent settings: " + table);
    }

    void insert(TableSchema table, AgentSetting setting) throws SQLException {
        change(sql.get(property(table) ? "property.insert" : "parameter.insert"), setting.sysId(), setting.name(), setting.value(), setting.agent(),
                setting.createdMs(), setting.updatedMs());
    }

    boolean update(TableSchema table, AgentSetting setting) throws SQLException {
        return change(sql.get(property(table) ? "property.update" : "parameter.update"), setting.name(), setting.value(), setting.agent(),
                setting.updatedMs(), setting.sysId()) > 0;
    }

    boolean delete(TableSchema table, String sysId) throws SQLException {
        return change(sql.get(property(table) ? "property.delete" : "parameter.delete"), sysId) > 0;
    }

    Optional<AgentSetting> find(TableSchema table, String sysId) throws SQLException {
        return one(sql.get(property(table) ? "property.by.sys_id" : "parameter.by.sys_id"), SettingRows::setting, sysId);
    }

    Optional<AgentSetting> findByKey(TableSchema table, String name, String agent) throws SQLException {
        return one(sql.get(property(table) ? "property.by.key" : "parameter.by.key"), SettingRows::setting, name, agent);
    }

    /** The global records and this agent's (parameters: this agent's), by name. */
    List<AgentSetting> forAgent(TableSchema table, String agent) throws SQLException {
        return all(sql.get(property(table) ? "property.for.agent" : "parameter.for.agent"), SettingRows::setting, agent);
    }

    List<AgentSetting> query(TableQuery query) throws SQLException {
        return page(sql.get(property(query.table()) ? "property.query" : "parameter.query"), query, SettingRows::setting);
    }

    long revision() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("config.revision.read"))) {
            return single(ps, rs -> rs.getLong("config_revision")).orElse(0L);
        }
    }

    long incrementRevision() throws SQLException {
        change(sql.get("config.revision.increment"));
        return revision();
    }

    boolean writeStatus(AgentConfigStatus status) throws SQLException {
        return change(sql.get("agent.config.write"), status.revision(), status.state(), status.errors(),
                JsonColumns.write(status.effective()), status.agent()) > 0;
    }

    Optional<AgentConfigStatus> readStatus(String agent) throws SQLException {
        return one(sql.get("agent.config.read"), rs -> {
            String effective = rs.getString("config_effective");
            List<ResolvedSetting> list;
            try {
                list = effective == null || effective.isEmpty() ? List.of()
                        : JsonColumns.MAPPER.readValue(effective, SETTINGS);
            } catch (java.io.IOException e) {
                throw new SQLException("stored effective configuration of " + agent + " is not a JSON list", e);
            }
            return new AgentConfigStatus(rs.getString("name"), rs.getString("config_revision"),
                    rs.getString("config_state"), rs.getString("config_errors"), list);
        }, agent);
    }

    private static AgentSetting setting(ResultSet rs) throws SQLException {
        return new AgentSetting(rs.getString("sys_id"), rs.getString("name"), rs.getString("setting_value"),
                rs.getString("agent"), rs.getLong("created_ms"), rs.getLong("updated_ms"));
    }
}
