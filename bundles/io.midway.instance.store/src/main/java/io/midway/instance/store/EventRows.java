package io.midway.instance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.InstanceEvent;

/** The events ({@code ecc_event}), numbered by their {@code seq}. */
final class EventRows extends TableRows {

    EventRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param name the event name
     * @param agent the agent name it concerns, may be null
     * @param time when, wire format
     * @param detail a sentence for the operator
     * @return the stored event with its sequence number
     * @throws SQLException on a database error
     */
    InstanceEvent insertEvent(String name, String agent, String time, String detail) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("event.insert"), new String[] {"seq"})) {
            ps.setString(1, name);
            if (agent == null) {
                ps.setNull(2, Types.VARCHAR);
            } else {
                ps.setString(2, agent);
            }
            ps.setString(3, time);
            ps.setString(4, detail);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("the database gave no seq for the new event");
                }
                return new InstanceEvent(keys.getLong("seq"), name, agent == null ? "" : agent, time, detail);
            }
        }
    }

    /**
     * @param since a sequence number
     * @param limit the most events to return
     * @return events after it, oldest first
     * @throws SQLException on a database error
     */
    List<InstanceEvent> eventsSince(long since, int limit) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("event.since"))) {
            ps.setLong(1, since);
            ps.setInt(2, limit);
            return rows(ps, EventRows::event);
        }
    }

    /**
     * @param limit the most events to return
     * @return the newest events, newest first
     * @throws SQLException on a database error
     */
    List<InstanceEvent> latestEvents(int limit) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("event.latest"))) {
            ps.setInt(1, limit);
            return rows(ps, EventRows::event);
        }
    }

    /** Reads an event's columns; an event of no agent has {@code ""} for it. */
    private static InstanceEvent event(java.sql.ResultSet rs) throws SQLException {
        String agent = rs.getString("agent");
        return new InstanceEvent(rs.getLong("seq"), rs.getString("name"), agent == null ? "" : agent,
                rs.getString("event_time"), rs.getString("detail"));
    }
}
