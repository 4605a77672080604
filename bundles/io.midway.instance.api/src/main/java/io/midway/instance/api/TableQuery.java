package io.midway.instance.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.TableSchema.Field;
import io.midway.instance.api.TableSchema.Type;

/**
 * A parsed Table API query: {@code sysparm_query} ({@code field=value}, {@code field!=value},
 * {@code fieldINa,b,c}, {@code fieldNOT INa,b,c}, {@code ORDERBYfield}, {@code ORDERBYDESCfield}, joined by {@code ^}; {@code ^^} is a literal
 * caret), {@code sysparm_fields}, {@code sysparm_limit} and {@code sysparm_offset}. Every field
 * name is checked against the table's {@link TableSchema}; values only ever travel as SQL
 * parameters.
 */
public final class TableQuery {

    /** Records returned when {@code sysparm_limit} is absent. */
    public static final int DEFAULT_LIMIT = 10000;

    private static final String ORDER_BY = "ORDERBY";
    private static final String ORDER_BY_DESC = "ORDERBYDESC";

    /**
     * A {@code field=value} or {@code field!=value} term.
     *
     * @param field the field
     * @param negated whether it is {@code !=}
     * @param value the value converted to the field type ({@code null} for an empty value)
     */
    public record Condition(Field field, boolean negated, Object value) {
    }

    /** The values of an {@code IN} / {@code NOT IN} term (at most {@value #MAX_IN_VALUES}). */
    public record InValues(List<Object> values) {
    }

    /** The most values one {@code IN} term may list. */
    public static final int MAX_IN_VALUES = 1000;

    /**
     * An {@code ORDERBY} term.
     *
     * @param field the field
     * @param descending whether it is {@code ORDERBYDESC}
     */
    public record Order(Field field, boolean descending) {
    }

    private final TableSchema table;
    private final List<Condition> conditions;
    private final List<Order> orders;
    private final List<String> fields;
    private final int limit;
    private final int offset;

    private TableQuery(TableSchema table, List<Condition> conditions, List<Order> orders, List<String> fields,
            int limit, int offset) {
        this.table = table;
        this.conditions = List.copyOf(conditions);
        this.orders = List.copyOf(orders);
        this.fields = List.copyOf(fields);
        this.limit = limit;
        this.offset = offset;
    }

    /**
     * @param table the table
     * @return a query for every record, default order, all fields
     */
    public static TableQuery all(TableSchema table) {
        return new TableQuery(table, List.of(), List.of(), List.of(), DEFAULT_LIMIT, 0);
    }

    /**
     * @param table the table queried
     * @param sysparmQuery the encoded query, may be null
     * @param sysparmFields comma-separated field names, may be null
     * @param sysparmLimit the maximum number of records, may be null
     * @param sysparmOffset how many records to skip, may be null
     * @return the query
     * @throws InstanceException (400) naming what is wrong
     */
    public static TableQuery parse(TableSchema table, String sysparmQuery, String sysparmFields, String sysparmLimit,
            String sysparmOffset) {
        List<Condition> conditions = new ArrayList<>();
        List<Order> orders = new ArrayList<>();
        for (String term : splitTerms(sysparmQuery)) {
            parseTerm(table, term, conditions, orders);
        }
        return new TableQuery(table, conditions, orders, parseFields(table, sysparmFields),
                parseCount("sysparm_limit", sysparmLimit, DEFAULT_LIMIT),
                parseCount("sysparm_offset", sysparmOffset, 0));
    }

    /**
     * @param table the table
     * @param sysparmFields comma-separated field names, may be null
     * @return the valid field names, empty for all
     * @throws InstanceException (400) naming an unknown field
     */
    public static List<String> parseFields(TableSchema table, String sysparmFields) {
        if (sysparmFields == null || sysparmFields.isBlank()) {
            return List.of();
        }
        Collection<String> names = new LinkedHashSet<>();
        for (String raw : sysparmFields.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (table.field(name).isEmpty()) {
                throw InstanceException.invalid("unknown field '" + name + "' in sysparm_fields",
                        "fields of " + table.name() + ": " + String.join(", ", table.fieldNames()));
            }
            names.add(name);
        }
        return List.copyOf(names);
    }

    /**
     * Splits on {@code ^}; {@code ^^} stands for a literal {@code ^}. Empty terms are dropped.
     */
    public static List<String> splitTerms(String query) {
        List<String> terms = new ArrayList<>();
        if (query == null) {
            return terms;
        }
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '^') {
                if (i + 1 < query.length() && query.charAt(i + 1) == '^') {
                    current.append('^');
                    i++;
                } else {
                    addTerm(terms, current);
                }
            } else {
                current.append(c);
            }
        }
        addTerm(terms, current);
        return terms;
    }

    private static void addTerm(List<String> terms, StringBuilder current) {
        if (!current.toString().isBlank()) {
            terms.add(current.toString());
        }
        current.setLength(0);
    }

    private static void parseTerm(TableSchema table, String term, List<Condition> conditions, List<Order> orders) {
        if (term.startsWith(ORDER_BY_DESC) || term.startsWith(ORDER_BY)) {
            boolean descending = term.startsWith(ORDER_BY_DESC);
            String name = term.substring(descending ? ORDER_BY_DESC.length() : ORDER_BY.length()).trim();
            Field field = knownField(table, name);
            if (!field.orderable()) {
                throw InstanceException.invalid("cannot order by field '" + name + "' in sysparm_query");
            }
            orders.add(new Order(field, descending));
            return;
        }
        int eq = term.indexOf('=');
        if (eq <= 0 || !table.field(term.substring(0, term.charAt(eq - 1) == '!' ? eq - 1 : eq).trim()).isPresent()) {
            Optional<Condition> in = parseIn(table, term);
            if (in.isPresent()) {
                conditions.add(in.get());
                return;
            }
        }
        if (eq <= 0) {
            throw InstanceException.invalid("unsupported term '" + term + "' in sysparm_query",
                    "use field=value, field!=value, fieldINa,b, fieldNOT INa,b, ORDERBYfield or ORDERBYDESCfield, "
                            + "joined by ^");
        }
        boolean negated = term.charAt(eq - 1) == '!';
        String name = term.substring(0, negated ? eq - 1 : eq).trim();
        String value = term.substring(eq + 1);
        Field field = knownField(table, name);
        if (!field.queryable()) {
            throw InstanceException.invalid("field '" + name + "' cannot be used in sysparm_query");
        }
        conditions.add(new Condition(field, negated, convert(field, value)));
    }

    /** {@code fieldINa,b,c} or {@code fieldNOT INa,b,c}, for a known field; empty when the term is neither. */
    private static Optional<Condition> parseIn(TableSchema table, String term) {
        for (String name : table.fieldNames()) {
            for (String operator : new String[] {"NOT IN", "IN"}) {
                if (term.startsWith(name + operator)) {
                    Field field = table.field(name).orElseThrow();
                    if (!field.queryable() || field.type() == Type.LIST) {
                        throw InstanceException.invalid("field '" + name + "' cannot be used with IN in sysparm_query");
                    }
                    List<Object> values = new ArrayList<>();
                    for (String value : term.substring(name.length() + operator.length()).split(",", -1)) {
                        values.add(convert(field, value.trim()));
                    }
                    if (values.size() > MAX_IN_VALUES) {
                        throw InstanceException.invalid("at most " + MAX_IN_VALUES + " values in one IN term",
                                "got " + values.size() + " for field '" + name + "'");
                    }
                    return Optional.of(new Condition(field, operator.startsWith("NOT"), new InValues(values)));
                }
            }
        }
        return Optional.empty();
    }

    private static Field knownField(TableSchema table, String name) {
        Optional<Field> field = table.field(name);
        if (field.isPresent()) {
            return field.get();
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if ((upper.startsWith("OR") || upper.startsWith("NQ")) && table.field(name.substring(2)).isPresent()) {
            throw InstanceException.invalid("OR and NQ terms are not supported in sysparm_query",
                    "terms joined by ^ are all required (AND)");
        }
        throw InstanceException.invalid("unknown field '" + name + "' in sysparm_query",
                "fields of " + table.name() + ": " + String.join(", ", table.fieldNames()));
    }

    private static Object convert(Field field, String value) {
        if (value.isEmpty()) {
            return null;
        }
        switch (field.type()) {
            case INTEGER:
                try {
                    return Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    throw InstanceException.invalid("field '" + field.name() + "' takes a whole number, got '"
                            + value + "'");
                }
            case BOOLEAN:
                if ("true".equalsIgnoreCase(value.trim())) {
                    return Boolean.TRUE;
                }
                if ("false".equalsIgnoreCase(value.trim())) {
                    return Boolean.FALSE;
                }
                throw InstanceException.invalid("field '" + field.name() + "' takes true or false, got '"
                        + value + "'");
            default:
                return value;
        }
    }

    private static int parseCount(String parameter, String value, int defaultValue) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw InstanceException.invalid(parameter + " must be a non-negative whole number, got '" + value + "'");
        }
    }

    /** @return the table queried */
    public TableSchema table() {
        return table;
    }

    /** @return the conditions, all required */
    public List<Condition> conditions() {
        return conditions;
    }

    /** @return the requested order, empty for the default */
    public List<Order> orders() {
        return orders;
    }

    /** @return the requested fields, empty for all */
    public List<String> fields() {
        return fields;
    }

    /** @return the maximum number of records */
    public int limit() {
        return limit;
    }

    /** @return how many records to skip */
    public int offset() {
        return offset;
    }

    /**
     * @param row a record as JSON
     * @return the same object, reduced to the requested fields
     */
    public ObjectNode project(ObjectNode row) {
        return project(row, fields);
    }

    /**
     * @param row a record as JSON
     * @param fields the fields to keep, empty for all
     * @return the same object, reduced to the fields
     */
    public static ObjectNode project(ObjectNode row, List<String> fields) {
        if (!fields.isEmpty()) {
            row.retain(fields);
        }
        return row;
    }
}
