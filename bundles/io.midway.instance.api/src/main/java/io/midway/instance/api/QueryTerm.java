package io.midway.instance.api;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

import io.midway.instance.api.TableSchema.Field;
import io.midway.instance.api.TableSchema.Type;

/**
 * One term of an encoded query: a field, an operator and its value, and how a record's value
 * meets it in memory (the same meaning as the SQL the store makes of it).
 *
 * <p>Values, by operator: {@code null} for {@link Operator#ISEMPTY}/{@link Operator#ISNOTEMPTY}
 * (and for {@code =}/{@code !=} with an empty value, which mean "is empty"/"is not empty"); a
 * {@code List} for {@code IN}/{@code NOT IN} (an empty element means "empty"); a
 * {@link Range} for {@code BETWEEN}; otherwise one value of the field's type ({@code String},
 * {@code Long} or {@code Boolean}).
 *
 * @param field the field
 * @param operator the operator
 * @param value the value, as described above
 */
public record QueryTerm(Field field, Operator operator, Object value) {

    /** The operators of the encoded query language. */
    public enum Operator {
        /** Equals (on a list: contains); an empty value means "is empty". */
        EQ("="),
        /** Differs (on a list: does not contain); an empty value means "is not empty". */
        NE("!="),
        /** Is one of. */
        IN("IN"),
        /** Is none of. */
        NOT_IN("NOT IN"),
        /** Starts with. */
        STARTSWITH("STARTSWITH"),
        /** Ends with. */
        ENDSWITH("ENDSWITH"),
        /** Contains (on a list: an element contains). */
        LIKE("LIKE"),
        /** Does not contain (on a list: no element contains). */
        NOTLIKE("NOTLIKE"),
        /** Is empty (null, {@code ""} or {@code []}). */
        ISEMPTY("ISEMPTY"),
        /** Is not empty. */
        ISNOTEMPTY("ISNOTEMPTY"),
        /** Less than. */
        LT("<"),
        /** Less than or equal. */
        LE("<="),
        /** Greater than. */
        GT(">"),
        /** Greater than or equal. */
        GE(">="),
        /** Between {@code low@high}, both included. */
        BETWEEN("BETWEEN");

        private final String token;

        Operator(String token) {
            this.token = token;
        }

        /** @return how it is written in a query */
        public String token() {
            return token;
        }

        /** @return whether a field of this type takes it */
        public boolean appliesTo(Type type) {
            switch (type) {
                case TEXT:
                    return true;
                case INTEGER:
                    return this != STARTSWITH && this != ENDSWITH && this != LIKE && this != NOTLIKE;
                case BOOLEAN:
                    return this == EQ || this == NE || this == ISEMPTY || this == ISNOTEMPTY;
                case LIST:
                    return this == EQ || this == NE || this == ISEMPTY || this == ISNOTEMPTY || this == LIKE
                            || this == NOTLIKE;
                default:
                    return false;
            }
        }
    }

    /**
     * The bounds of a {@code BETWEEN} term, both included.
     *
     * @param low the lower bound
     * @param high the upper bound
     */
    public record Range(Object low, Object high) {
    }

    /**
     * @param actual the record's value of the field ({@code String}, a {@code Number},
     *     {@code Boolean}, a {@code Collection} of strings for a list, or {@code null})
     * @return whether it meets this term
     */
    public boolean matches(Object actual) {
        if (field.type() == Type.LIST) {
            return matchesList(actual instanceof Collection<?> c ? c : actual == null ? null : List.of(actual));
        }
        Object v = normalise(actual);
        switch (operator) {
            case EQ:
                return value == null ? empty(v) : Objects.equals(v, value);
            case NE:
                return value == null ? !empty(v) : !Objects.equals(v, value);
            case IN:
                return in(v);
            case NOT_IN:
                return !in(v);
            case ISEMPTY:
                return empty(v);
            case ISNOTEMPTY:
                return !empty(v);
            case STARTSWITH:
                return v != null && v.toString().startsWith((String) value);
            case ENDSWITH:
                return v != null && v.toString().endsWith((String) value);
            case LIKE:
                return v != null && v.toString().contains((String) value);
            case NOTLIKE:
                return v == null || !v.toString().contains((String) value);
            case LT:
                return v != null && compare(v, value) < 0;
            case LE:
                return v != null && compare(v, value) <= 0;
            case GT:
                return v != null && compare(v, value) > 0;
            case GE:
                return v != null && compare(v, value) >= 0;
            case BETWEEN:
                Range r = (Range) value;
                return v != null && compare(v, r.low()) >= 0 && compare(v, r.high()) <= 0;
            default:
                throw new IllegalStateException("operator " + operator);
        }
    }

    private boolean matchesList(Collection<?> list) {
        boolean empty = list == null || list.isEmpty();
        switch (operator) {
            case EQ:
                return value == null ? empty : !empty && list.contains(value);
            case NE:
                return value == null ? !empty : empty || !list.contains(value);
            case ISEMPTY:
                return empty;
            case ISNOTEMPTY:
                return !empty;
            case LIKE:
                return !empty && list.stream().anyMatch(e -> e != null && e.toString().contains((String) value));
            case NOTLIKE:
                return empty || list.stream().noneMatch(e -> e != null && e.toString().contains((String) value));
            default:
                throw new IllegalStateException("operator " + operator + " on a list");
        }
    }

    private Object normalise(Object actual) {
        if (actual instanceof Number n && field.type() == Type.INTEGER) {
            return n.longValue();
        }
        return actual;
    }

    private boolean empty(Object v) {
        return v == null || (field.type() == Type.TEXT && v.toString().isEmpty());
    }

    private boolean in(Object v) {
        for (Object candidate : (List<?>) value) {
            if (candidate == null ? empty(v) : Objects.equals(v, candidate)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof Comparable ca && b != null && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        return a.toString().compareTo(String.valueOf(b));
    }
}
