package io.midway.instance.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.QueryTerm.Operator;
import io.midway.instance.api.TableSchema.Field;
import io.midway.instance.api.TableSchema.Type;

/**
 * A parsed Table API query: {@code sysparm_query} in the ServiceNow encoded query language, the
 * request's name-value filters, {@code sysparm_fields}, {@code sysparm_limit} and
 * {@code sysparm_offset}.
 *
 * <p>Terms are joined by {@code ^} (AND; {@code ^^} is a literal caret). A term is a known field,
 * then the longest operator that matches right after it ({@link QueryTerm.Operator}: {@code =},
 * {@code !=}, {@code IN}, {@code NOT IN}, {@code STARTSWITH}, {@code ENDSWITH}, {@code LIKE},
 * {@code NOTLIKE}, {@code ISEMPTY}, {@code ISNOTEMPTY}, {@code <}, {@code <=}, {@code >},
 * {@code >=}, {@code BETWEEN} as {@code low@high}), then the value. {@code ^OR} joins a term
 * to the previous one with OR ({@code a=1^ORb=2^c=3} is (a=1 OR b=2) AND c=3); {@code ^NQ}
 * starts a new query OR'd with the previous ones; {@code ORDERBY}/{@code ORDERBYDESC} order;
 * a trailing {@code ^EQ} is accepted and means nothing. Every field name is checked against the
 * table's {@link TableSchema}; values only ever travel as SQL parameters.
 */
public final class TableQuery {

    /** Records returned when {@code sysparm_limit} is absent. */
    public static final int DEFAULT_LIMIT = 10000;

    private static final String ORDER_BY = "ORDERBY";
    private static final String ORDER_BY_DESC = "ORDERBYDESC";

    /** The operators, longest token first (the longest that matches wins). */
    private static final List<Operator> BY_LENGTH = Arrays.stream(Operator.values())
            .sorted(Comparator.comparingInt((Operator o) -> o.token().length()).reversed()).toList();

    /**
     * Terms of which at least one must hold ({@code ^OR} joins them).
     *
     * @param anyOf the terms, never empty
     */
    public record Clause(List<QueryTerm> anyOf) {

        /** @param anyOf the terms */
        public Clause {
            anyOf = List.copyOf(anyOf);
        }
    }

    /**
     * One query of an {@code ^NQ} chain: clauses that must all hold.
     *
     * @param allOf the clauses, never empty
     */
    public record Group(List<Clause> allOf) {

        /** @param allOf the clauses */
        public Group {
            allOf = List.copyOf(allOf);
        }
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
    private final List<Group> groups;
    private final List<Order> orders;
    private final List<String> fields;
    private final int limit;
    private final int offset;

    private TableQuery(TableSchema table, List<Group> groups, List<Order> orders, List<String> fields,
            int limit, int offset) {
        this.table = table;
        this.groups = List.copyOf(groups);
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
        return parse(table, sysparmQuery, sysparmFields, sysparmLimit, sysparmOffset, Map.of());
    }

    /**
     * @param table the table queried
     * @param sysparmQuery the encoded query, may be null
     * @param sysparmFields comma-separated field names, may be null
     * @param sysparmLimit the maximum number of records, may be null
     * @param sysparmOffset how many records to skip, may be null
     * @param parameters the request's other query parameters (name to value): those named
     *     {@code sysparm_*} are left alone; every other one must name a field of the table and is
     *     an {@code =} term required with the rest (ServiceNow's name-value filters)
     * @return the query
     * @throws InstanceException (400) naming what is wrong, e.g. a parameter that names no field
     */
    public static TableQuery parse(TableSchema table, String sysparmQuery, String sysparmFields, String sysparmLimit,
            String sysparmOffset, Map<String, String> parameters) {
        List<Clause> filters = new ArrayList<>();
        for (Map.Entry<String, String> p : new TreeMap<>(parameters).entrySet()) {
            String name = p.getKey();
            if (name.startsWith("sysparm_")) {
                continue;
            }
            Optional<Field> field = table.field(name);
            if (field.isEmpty()) {
                throw InstanceException.invalid("unknown query parameter '" + name + "'",
                        "name-value filters take a field of " + table.name() + ": "
                                + String.join(", ", table.fieldNames()));
            }
            String value = p.getValue() == null ? "" : p.getValue();
            filters.add(new Clause(List.of(term(field.get(), Operator.EQ, value))));
        }
        List<Group> groups = new ArrayList<>();
        List<Order> orders = new ArrayList<>();
        List<Clause> current = new ArrayList<>();
        for (String term : splitTerms(sysparmQuery)) {
            if (term.startsWith(ORDER_BY)) {
                orders.add(parseOrder(table, term));
            } else if ("EQ".equals(term)) {
                continue;
            } else if (term.startsWith("NQ")) {
                if (current.isEmpty()) {
                    throw InstanceException.invalid("^NQ must follow a term in sysparm_query", "got '" + term + "'");
                }
                groups.add(new Group(current));
                current = new ArrayList<>();
                current.add(new Clause(List.of(parseTerm(table, term.substring(2)))));
            } else if (term.startsWith("OR")) {
                if (current.isEmpty()) {
                    throw InstanceException.invalid("^OR must follow a term in sysparm_query", "got '" + term + "'");
                }
                Clause last = current.remove(current.size() - 1);
                List<QueryTerm> anyOf = new ArrayList<>(last.anyOf());
                anyOf.add(parseTerm(table, term.substring(2)));
                current.add(new Clause(anyOf));
            } else {
                current.add(new Clause(List.of(parseTerm(table, term))));
            }
        }
        if (!current.isEmpty()) {
            groups.add(new Group(current));
        }
        if (!filters.isEmpty()) {
            if (groups.isEmpty()) {
                groups.add(new Group(filters));
            } else {
                // the filters hold with each query of the chain: (q1 OR q2) AND f = (q1 AND f) OR (q2 AND f)
                List<Group> filtered = new ArrayList<>();
                for (Group g : groups) {
                    List<Clause> allOf = new ArrayList<>(g.allOf());
                    allOf.addAll(filters);
                    filtered.add(new Group(allOf));
                }
                groups = filtered;
            }
        }
        return new TableQuery(table, groups, orders, parseFields(table, sysparmFields),
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

    private static Order parseOrder(TableSchema table, String term) {
        boolean descending = term.startsWith(ORDER_BY_DESC);
        String name = term.substring(descending ? ORDER_BY_DESC.length() : ORDER_BY.length()).trim();
        Field field = table.field(name).orElseThrow(() -> unknownField(table, name));
        if (!field.orderable()) {
            throw InstanceException.invalid("cannot order by field '" + name + "' in sysparm_query");
        }
        return new Order(field, descending);
    }

    /** A known field (the longest that fits), then the longest operator right after it, then the value. */
    private static QueryTerm parseTerm(TableSchema table, String term) {
        List<String> names = table.fieldNames();
        names.sort(Comparator.comparingInt(String::length).reversed());
        String knownButNoOperator = null;
        for (String name : names) {
            if (!term.startsWith(name)) {
                continue;
            }
            String rest = term.substring(name.length());
            for (Operator operator : BY_LENGTH) {
                if (rest.startsWith(operator.token())) {
                    return term(table.field(name).orElseThrow(), operator, rest.substring(operator.token().length()));
                }
            }
            if (knownButNoOperator == null) {
                knownButNoOperator = name;
            }
        }
        if (knownButNoOperator != null) {
            String rest = term.substring(knownButNoOperator.length());
            Matcher m = Pattern.compile("^([A-Z ]+|[^A-Za-z0-9]{1,2})").matcher(rest);
            String operator = m.find() ? m.group(1).trim() : rest;
            throw InstanceException.invalid("unknown operator '" + operator + "' after field '" + knownButNoOperator
                    + "' in sysparm_query", "operators: " + operatorList());
        }
        Matcher m = Pattern.compile("^[A-Za-z0-9_.]+").matcher(term);
        String name = m.find() ? m.group() : term;
        if (name.length() > 1 && name.chars().skip(1).anyMatch(Character::isUpperCase)
                && Character.isLowerCase(name.charAt(0))) {
            name = name.substring(0, (int) name.chars().takeWhile(c -> !Character.isUpperCase(c)).count());
        }
        throw unknownField(table, name);
    }

    private static InstanceException unknownField(TableSchema table, String name) {
        return InstanceException.invalid("unknown field '" + name + "' in sysparm_query",
                "fields of " + table.name() + ": " + String.join(", ", table.fieldNames()));
    }

    private static String operatorList() {
        return String.join(", ", Arrays.stream(Operator.values()).map(Operator::token).toList())
                + ", joined by ^, ^OR or ^NQ; ORDERBYfield, ORDERBYDESCfield";
    }

    private static QueryTerm term(Field field, Operator operator, String value) {
        if (!field.queryable()) {
            throw InstanceException.invalid("field '" + field.name() + "' cannot be used in sysparm_query");
        }
        if (!operator.appliesTo(field.type())) {
            throw InstanceException.invalid("operator " + operator.token() + " cannot be used on field '"
                    + field.name() + "' in sysparm_query",
                    "'" + field.name() + "' is " + field.type().name().toLowerCase(Locale.ROOT) + "; it takes "
                            + String.join(", ", Arrays.stream(Operator.values())
                                    .filter(o -> o.appliesTo(field.type())).map(Operator::token).toList()));
        }
        switch (operator) {
            case ISEMPTY:
            case ISNOTEMPTY:
                return new QueryTerm(field, operator, null);
            case IN:
            case NOT_IN:
                List<Object> values = new ArrayList<>();
                for (String v : value.split(",", -1)) {
                    values.add(convert(field, v.trim()));
                }
                if (values.size() > MAX_IN_VALUES) {
                    throw InstanceException.invalid("at most " + MAX_IN_VALUES + " values in one IN term",
                            "got " + values.size() + " for field '" + field.name() + "'");
                }
                return new QueryTerm(field, operator, values);
            case BETWEEN:
                int at = value.indexOf('@');
                Object low = at < 0 ? null : convert(field, value.substring(0, at));
                Object high = at < 0 ? null : convert(field, value.substring(at + 1));
                if (low == null || high == null) {
                    throw InstanceException.invalid("BETWEEN on field '" + field.name() + "' takes low@high, got '"
                            + value + "'");
                }
                return new QueryTerm(field, operator, new QueryTerm.Range(low, high));
            case EQ:
            case NE:
                return new QueryTerm(field, operator, field.type() == Type.LIST ? emptyToNull(value)
                        : convert(field, value));
            case LT:
            case LE:
            case GT:
            case GE:
                Object bound = convert(field, value);
                if (bound == null) {
                    throw InstanceException.invalid("operator " + operator.token() + " on field '" + field.name()
                            + "' takes a value");
                }
                return new QueryTerm(field, operator, bound);
            default:
                // STARTSWITH, ENDSWITH, LIKE, NOTLIKE: text, matched as is
                return new QueryTerm(field, operator, value);
        }
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
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

    /**
     * @return the queries of the {@code ^NQ} chain, of which a record must meet one; empty when
     *     every record matches
     */
    public List<Group> groups() {
        return groups;
    }

    /**
     * @param fieldName a field name
     * @return whether a term of this query is on that field
     */
    public boolean mentions(String fieldName) {
        return groups.stream().flatMap(g -> g.allOf().stream()).flatMap(c -> c.anyOf().stream())
                .anyMatch(t -> t.field().name().equals(fieldName));
    }

    /**
     * The same query without its terms on a field: each clause that holds one of them is
     * dropped, as if that term were true, so that the result matches every record this query
     * matches, whatever the field's value (and maybe more).
     *
     * @param fieldName a field name
     * @return the wider query, same order, fields and page
     */
    public TableQuery ignoring(String fieldName) {
        List<Group> wider = new ArrayList<>();
        for (Group g : groups) {
            List<Clause> kept = g.allOf().stream()
                    .filter(c -> c.anyOf().stream().noneMatch(t -> t.field().name().equals(fieldName))).toList();
            if (kept.isEmpty()) {
                return new TableQuery(table, List.of(), orders, fields, limit, offset);
            }
            wider.add(new Group(kept));
        }
        return new TableQuery(table, wider, orders, fields, limit, offset);
    }

    /**
     * @param pageOffset how many records to skip
     * @param pageLimit the maximum number of records
     * @return the same query with another page
     */
    public TableQuery page(int pageOffset, int pageLimit) {
        return new TableQuery(table, groups, orders, fields, pageLimit, pageOffset);
    }

    /**
     * Evaluates the query's terms in memory, with the meaning the store gives them in SQL.
     *
     * @param record a record's values by field name ({@code String}, {@code Number},
     *     {@code Boolean}, a {@code Collection} of strings for a list field, or absent/null)
     * @return whether the record matches
     */
    public boolean matches(Map<String, ?> record) {
        if (groups.isEmpty()) {
            return true;
        }
        for (Group g : groups) {
            boolean all = true;
            for (Clause c : g.allOf()) {
                if (c.anyOf().stream().noneMatch(t -> t.matches(record.get(t.field().name())))) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
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
