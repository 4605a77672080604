package io.midway.instance.store;

import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.midway.instance.store.sql.Statements;

/**
 * The rows of one table (or one concern) on the connection of a {@link StoreSession}: each
 * subclass runs the engine's statements by key ({@code sql/common.sql}, {@code sql/h2.sql}) and
 * reads the rows they answer by column name.
 */
abstract class TableRows {

    /** Reads one row of a result set (its columns by name). */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** The session's connection (and so its transaction). */
    final Connection connection;
    /** The engine's SQL by key. */
    final Statements sql;

    TableRows(Connection connection, Statements sql) {
        this.connection = connection;
        this.sql = sql;
    }

    /**
     * One page of a Table API query: the select, then the query's condition, order, offset and limit.
     *
     * @param select {@code SELECT columns FROM table}, from a {@code *.query} statement
     * @param query a validated query on that table
     * @param reader reads one row
     * @return the matching rows
     * @throws SQLException on a database error
     */
    final <T> List<T> page(String select, TableQuery query, RowReader<T> reader) throws SQLException {
        QuerySql.Sql where = QuerySql.where(query);
        try (PreparedStatement ps = connection.prepareStatement(select + where.text() + QuerySql.orderBy(query) + " "
                + sql.get("table.page"))) {
            int i = bind(ps, where.parameters());
            ps.setInt(i++, query.offset());
            ps.setInt(i, query.limit());
            return rows(ps, reader);
        }
    }

    /**
     * @param count {@code SELECT COUNT(*) AS row_count FROM table}, from a {@code *.count} statement
     * @param query a query on that table; only its condition counts
     * @return how many rows match it
     * @throws SQLException on a database error
     */
    final long count(String count, TableQuery query) throws SQLException {
        QuerySql.Sql where = QuerySql.where(query);
        try (PreparedStatement ps = connection.prepareStatement(count + where.text())) {
            bind(ps, where.parameters());
            return single(ps, rs -> rs.getLong("row_count")).orElse(0L);
        }
    }

    /**
     * @param query a statement that answers rows
     * @param reader reads one row
     * @param parameters its parameters, in order
     * @return the first row it answers, if any
     * @throws SQLException on a database error
     */
    final <T> Optional<T> one(String query, RowReader<T> reader, Object... parameters) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query)) {
            bind(ps, List.of(parameters));
            return single(ps, reader);
        }
    }

    /**
     * @param query a statement that answers rows
     * @param reader reads one row
     * @param parameters its parameters, in order
     * @return every row it answers
     * @throws SQLException on a database error
     */
    final <T> List<T> all(String query, RowReader<T> reader, Object... parameters) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query)) {
            bind(ps, List.of(parameters));
            return rows(ps, reader);
        }
    }

    /**
     * @param statement an insert, update or delete
     * @param parameters its parameters, in order (none of them null)
     * @return how many rows it changed
     * @throws SQLException on a database error
     */
    final int change(String statement, Object... parameters) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(statement)) {
            bind(ps, List.of(parameters));
            return ps.executeUpdate();
        }
    }

    /** Runs a query and reads every row it answers. */
    static <T> List<T> rows(PreparedStatement ps, RowReader<T> reader) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(reader.read(rs));
            }
        }
        return rows;
    }

    /** Runs a query and reads the first row it answers, if any. */
    static <T> Optional<T> single(PreparedStatement ps, RowReader<T> reader) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(reader.read(rs)) : Optional.empty();
        }
    }

    static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    private static int bind(PreparedStatement ps, List<Object> parameters) throws SQLException {
        int i = 1;
        for (Object p : parameters) {
            ps.setObject(i++, p);
        }
        return i;
    }
}
