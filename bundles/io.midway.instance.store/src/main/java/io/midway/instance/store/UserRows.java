package io.midway.instance.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import io.midway.instance.api.UserRow;
import io.midway.instance.store.sql.Statements;

/** The identities that may log in ({@code sys_user}): agents and admins created through the API. */
final class UserRows extends TableRows {

    UserRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param user a new identity
     * @throws SQLException on a database error (a taken user name among them)
     */
    void insertUser(UserRow user) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("user.insert"))) {
            ps.setString(1, user.sysId());
            ps.setString(2, user.userName());
            ps.setString(3, user.roles());
            ps.setString(4, user.agent());
            ps.setBoolean(5, user.active());
            ps.setString(6, user.passwordHash());
            ps.setString(7, user.source());
            ps.setString(8, user.createdOn());
            ps.executeUpdate();
        }
    }

    /**
     * @param user the identity as it is to be (found by sys_id)
     * @throws SQLException on a database error
     */
    void updateUser(UserRow user) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("user.update"))) {
            ps.setString(1, user.userName());
            ps.setString(2, user.roles());
            ps.setString(3, user.agent());
            ps.setBoolean(4, user.active());
            ps.setString(5, user.passwordHash());
            ps.setString(6, user.sysId());
            ps.executeUpdate();
        }
    }

    /**
     * @param sysId an identity's sys_id
     * @return whether it was there
     * @throws SQLException on a database error
     */
    boolean deleteUser(String sysId) throws SQLException {
        return change(sql.get("user.delete"), sysId) > 0;
    }

    /**
     * @return every identity, oldest first
     * @throws SQLException on a database error
     */
    List<UserRow> users() throws SQLException {
        return all(sql.get("user.all"), UserRows::user);
    }

    /**
     * @param userName a user name
     * @return its identity, when there is one
     * @throws SQLException on a database error
     */
    java.util.Optional<UserRow> user(String userName) throws SQLException {
        return one(sql.get("user.by.name"), UserRows::user, userName);
    }

    /**
     * @param agent an agent's name
     * @return the identities bound to it, oldest first
     * @throws SQLException on a database error
     */
    List<UserRow> usersOf(String agent) throws SQLException {
        return all(sql.get("user.by.agent"), UserRows::user, agent);
    }

    /** Reads the {@code user.columns} of a row. */
    private static UserRow user(ResultSet rs) throws SQLException {
        return new UserRow(rs.getString("sys_id"), rs.getString("user_name"), rs.getString("roles"),
                rs.getString("agent"), rs.getBoolean("active"), rs.getString("password_hash"), rs.getString("source"),
                rs.getString("sys_created_on"));
    }
}
