package io.midway.instance.store;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.QueryTerm;
import io.midway.instance.api.QueryTerm.Operator;
import io.midway.instance.api.QueryTerm.Range;
import io.midway.instance.api.TableQuery.Clause;
import io.midway.instance.api.TableQuery.Group;
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
        List<Group> groups = query.groups();
        if (groups.isEmpty()) {
            return new Sql("", List.of());
        }
        List<Object> parameters = new ArrayList<>();
        List<String> ored = new ArrayList<>();
        for (Group g : groups) {
            List<String> anded = new ArrayList<>();
            for (Clause c : g.allOf()) {
                List<String> any = new ArrayList<>();
                for (QueryTerm t : c.anyOf()) {
                    any.add(sqlFor(t, parameters));
                }
                anded.add(any.size() == 1 ? any.get(0) : "(" + String.join(" OR ", any) + ")");
            }
            String all = String.join(" AND ", anded);
            ored.add(groups.size() > 1 && anded.size() > 1 ? "(" + all + ")" : all);
        }
        return new Sql(" WHERE " + String.join(" OR ", ored), parameters);
    }

    private static String sqlFor(QueryTerm t, List<Object> parameters) {
        String column = t.field().column();
        Type type = t.field().type();
        String none = type == Type.TEXT ? "(" + column + " IS NULL OR " + column + " = '')"
                : type == Type.LIST ? "(" + column + " IS NULL OR " + column + " = '[]')"
                : column + " IS NULL";
        String some = type == Type.TEXT ? "(" + column + " IS NOT NULL AND " + column + " <> '')"
                : type == Type.LIST ? "(" + column + " IS NOT NULL AND " + column + " <> '[]')"
                : column + " IS NOT NULL";
        switch (t.operator()) {
            case ISEMPTY:
                return none;
            case ISNOTEMPTY:
                return some;
            case IN:
            case NOT_IN:
                return in(t, column, none, parameters);
            case BETWEEN:
                Range r = (Range) t.value();
                parameters.add(r.low());
                parameters.add(r.high());
                return column + " BETWEEN ? AND ?";
            case LT:
            case LE:
            case GT:
            case GE:
                parameters.add(t.value());
                return column + " " + t.operator().token() + " ?";
            default:
                break;
        }
        if (type == Type.LIST) {
            return listTerm(t, column, none, some, parameters);
        }
        switch (t.operator()) {
            case EQ:
                if (t.value() == null) {
                    return none;
                }
                parameters.add(t.value());
                return column + " = ?";
            case NE:
                if (t.value() == null) {
                    return some;
                }
                parameters.add(t.value());
                return "(" + column + " IS NULL OR " + column + " <> ?)";
            case STARTSWITH:
                parameters.add(escapeLike((String) t.value()) + "%");
                return column + " LIKE ? ESCAPE '\\'";
            case ENDSWITH:
                parameters.add("%" + escapeLike((String) t.value()));
                return column + " LIKE ? ESCAPE '\\'";
            case LIKE:
                parameters.add("%" + escapeLike((String) t.value()) + "%");
                return column + " LIKE ? ESCAPE '\\'";
            case NOTLIKE:
                parameters.add("%" + escapeLike((String) t.value()) + "%");
                return "(" + column + " IS NULL OR " + column + " NOT LIKE ? ESCAPE '\\')";
            default:
                throw new IllegalStateException("operator " + t.operator());
        }
    }

    private static String in(QueryTerm t, String column, String none, List<Object> parameters) {
        List<String> placeholders = new ArrayList<>();
        boolean empty = false;
        for (Object value : (List<?>) t.value()) {
            if (value == null) {
                empty = true;
            } else {
                placeholders.add("?");
                parameters.add(value);
            }
        }
        String list = placeholders.isEmpty() ? null : column + " IN (" + String.join(", ", placeholders) + ")";
        String matches = list == null ? none : empty ? "(" + list + " OR " + none + ")" : list;
        return t.operator() == Operator.NOT_IN ? "NOT COALESCE(" + matches + ", FALSE)" : matches;
    }

    /**
     * A list column holds a JSON array of strings: an element equals {@code x} where the text
     * holds {@code "x"} (JSON-encoded), and contains {@code x} where it holds {@code x}'s JSON
     * encoding without quotes (which never spans two elements: a quote inside a value is escaped).
     */
    private static String listTerm(QueryTerm t, String column, String none, String some, List<Object> parameters) {
        String value = (String) t.value();
        boolean negated = t.operator() == Operator.NE || t.operator() == Operator.NOTLIKE;
        if (value == null) {
            return negated ? some : none;
        }
        String json = jsonString(value);
        String pattern = t.operator() == Operator.EQ || t.operator() == Operator.NE ? json
                : json.substring(1, json.length() - 1);
        parameters.add("%" + escapeLike(pattern) + "%");
        return negated ? "(" + column + " IS NULL OR " + column + " NOT LIKE ? ESCAPE '\\')"
                : column + " LIKE ? ESCAPE '\\'";
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
