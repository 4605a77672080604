package io.midway.instance.store;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableQuery.Condition;
import io.midway.instance.api.TableQuery.InValues;
import io.midway.instance.api.TableQuery.Order;
import io.midway.instance.api.TableSchema.Type;

/**
 * A {@link TableQuery} as SQL: its {@code WHERE} and {@code ORDER BY} clauses, holding only the
 * columns its table's schema names and {@code ?} placeholders; values only ever travel as
 * parameters.
 */
public final class QuerySql {

    private QuerySql() {
    }

    /**
     * A piece of SQL and its parameters.
     *
     * @param text SQL text holding only whitelisted column names and {@code ?} placeholders
     * @param parameters the values of the placeholders, in order
     */
    public record Sql(String text, List<Object> parameters) {
    }

    /** @return the {@code WHERE} clause (empty text when there is no condition) */
    public static Sql where(TableQuery query) {
        List<Condition> conditions = query.conditions();
        if (conditions.isEmpty()) {
            return new Sql("", List.of());
        }
        List<String> parts = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        for (Condition c : conditions) {
            parts.add(sqlFor(c, parameters));
        }
        return new Sql(" WHERE " + String.join(" AND ", parts), parameters);
    }

    private static String sqlFor(Condition c, List<Object> parameters) {
        String column = c.field().column();
        if (c.value() instanceof InValues in) {
            List<String> placeholders = new ArrayList<>();
            boolean empty = false;
            for (Object value : in.values()) {
                if (value == null) {
                    empty = true;
                } else {
                    placeholders.add("?");
                    parameters.add(value);
                }
            }
            String list = placeholders.isEmpty() ? null : column + " IN (" + String.join(", ", placeholders) + ")";
            String none = c.field().type() == Type.TEXT ? "(" + column + " IS NULL OR " + column + " = '')"
                    : column + " IS NULL";
            String matches = list == null ? none : empty ? "(" + list + " OR " + none + ")" : list;
            return c.negated() ? "NOT COALESCE(" + matches + ", FALSE)" : matches;
        }
        if (c.value() == null) {
            if (c.field().type() == Type.LIST) {
                return c.negated() ? "(" + column + " IS NOT NULL AND " + column + " <> '[]')"
                        : "(" + column + " IS NULL OR " + column + " = '[]')";
            }
            if (c.field().type() == Type.TEXT) {
                return c.negated() ? "(" + column + " IS NOT NULL AND " + column + " <> '')"
                        : "(" + column + " IS NULL OR " + column + " = '')";
            }
            return column + (c.negated() ? " IS NOT NULL" : " IS NULL");
        }
        if (c.field().type() == Type.LIST) {
            parameters.add("%" + escapeLike(jsonString((String) c.value())) + "%");
            return c.negated() ? "(" + column + " IS NULL OR " + column + " NOT LIKE ? ESCAPE '\\')"
                    : column + " LIKE ? ESCAPE '\\'";
        }
        parameters.add(c.value());
        return c.negated() ? "(" + column + " IS NULL OR " + column + " <> ?)" : column + " = ?";
    }

    private static String jsonString(String value) {
        try {
            return JsonColumns.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a string", e);
        }
    }

    private static String escapeLike(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** @return the {@code ORDER BY} clause, always ending with the insertion order */
    public static String orderBy(TableQuery query) {
        List<Order> orders = query.orders();
        if (orders.isEmpty()) {
            return " ORDER BY " + query.table().defaultOrder();
        }
        List<String> parts = new ArrayList<>();
        for (Order o : orders) {
            parts.add(o.field().orderColumn() + (o.descending() ? " DESC" : ""));
        }
        parts.add("seq");
        return " ORDER BY " + String.join(", ", parts);
    }
}
