package io.midway.api.probe;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the fields of a probe's payload with checks and operator-readable errors, so that every
 * probe rejects bad input the same way: a {@link ProbeException} that names the field
 * ({@code payload.timeout_ms}), says what it got ("the string \"abc\"") and what it accepts.
 *
 * <pre>
 * ProbePayload payload = ProbePayload.of(request);
 * String url = payload.requiredText("url", "an absolute http or https URL");
 * long timeoutMs = payload.wholeNumber("timeout_ms", 1, 300_000, 30_000, "milliseconds");
 * </pre>
 */
@ProviderType
public final class ProbePayload {

    private static final int SHORTEN_AT = 80;

    private final String prefix;
    private final Map<String, Object> fields;

    private ProbePayload(String prefix, Map<String, Object> fields) {
        this.prefix = prefix;
        this.fields = fields;
    }

    /**
     * @param request the request whose payload to read
     * @return a reader of {@code request.payload()}
     */
    public static ProbePayload of(ProbeRequest request) {
        return new ProbePayload("payload", request.payload());
    }

    /**
     * @param name how errors name this object, e.g. {@code payload} or {@code payload.auth}
     * @param fields the object's fields
     * @return a reader of the fields
     */
    public static ProbePayload of(String name, Map<String, Object> fields) {
        return new ProbePayload(Objects.requireNonNull(name, "name"), fields == null ? Map.of() : fields);
    }

    /**
     * @param field a field name
     * @return the raw value, {@code null} when absent or JSON {@code null}
     */
    public Object get(String field) {
        return fields.get(field);
    }

    /**
     * @param field a field name
     * @return whether the field is present and not {@code null}
     */
    public boolean has(String field) {
        return fields.get(field) != null;
    }

    /**
     * @param field a field name
     * @return how errors name the field, e.g. {@code payload.url}
     */
    public String path(String field) {
        return prefix + "." + field;
    }

    /**
     * A string that must be present and not blank.
     *
     * @param field the field
     * @param accepted what the field accepts, for the error message (e.g. "a JDBC URL such as jdbc:postgresql://db:5432/cmdb")
     * @return the string, trimmed
     * @throws ProbeException when it is absent, blank or not a string
     */
    public String requiredText(String field, String accepted) throws ProbeException {
        Object value = fields.get(field);
        if (value == null || (value instanceof String && ((String) value).isBlank())) {
            throw new ProbeException(path(field) + " is missing: it must be " + accepted + ".");
        }
        if (!(value instanceof String)) {
            throw new ProbeException(path(field) + " must be a string, not " + describe(value) + ": it must be " + accepted + ".");
        }
        return ((String) value).trim();
    }

    /**
     * A string that may be absent.
     *
     * @param field the field
     * @param defaultValue the value when absent or {@code null}
     * @return the string as given (not trimmed), or the default
     * @throws ProbeException when present but not a string
     */
    public String text(String field, String defaultValue) throws ProbeException {
        Object value = fields.get(field);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof String)) {
            throw new ProbeException(path(field) + " must be a string, not " + describe(value) + ".");
        }
        return (String) value;
    }

    /**
     * A string that, when present, is one of a fixed set of words (compared without case).
     *
     * @param field the field
     * @param defaultValue the value when absent
     * @param allowed the accepted words, in lower case
     * @return the chosen word in lower case, or the default
     * @throws ProbeException when present and not one of the words
     */
    public String choice(String field, String defaultValue, String... allowed) throws ProbeException {
        Object value = fields.get(field);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof String) {
            String word = ((String) value).trim().toLowerCase(java.util.Locale.ROOT);
            for (String one : allowed) {
                if (one.equals(word)) {
                    return one;
                }
            }
        }
        throw new ProbeException(path(field) + " is " + describe(value) + ": use one of " + String.join(", ", allowed)
                + (defaultValue == null ? "" : " (default " + defaultValue + ")") + ".");
    }

    /**
     * A whole number in a range, with a default.
     *
     * @param field the field
     * @param min the smallest accepted value
     * @param max the largest accepted value
     * @param defaultValue the value when absent or {@code null}
     * @param unit what the number counts, e.g. {@code milliseconds}, for the error message
     * @return the number
     * @throws ProbeException when present and not a whole number in the range
     */
    public long wholeNumber(String field, long min, long max, long defaultValue, String unit) throws ProbeException {
        Object value = fields.get(field);
        if (value == null) {
            return defaultValue;
        }
        Long number = wholeNumber(value);
        if (number == null || number < min || number > max) {
            throw new ProbeException(path(field) + " is " + describe(value) + ": it must be a whole number of " + unit + " from " + min
                    + " to " + max + " (default " + defaultValue + ").");
        }
        return number;
    }

    /**
     * A boolean with a default.
     *
     * @param field the field
     * @param defaultValue the value when absent or {@code null}
     * @return the boolean
     * @throws ProbeException when present and not {@code true} or {@code false}
     */
    public boolean bool(String field, boolean defaultValue) throws ProbeException {
        Object value = fields.get(field);
        if (value == null) {
            return defaultValue;
        }
        if (!(value instanceof Boolean)) {
            throw new ProbeException(path(field) + " is " + describe(value) + ": it must be true or false (default " + defaultValue + ").");
        }
        return (Boolean) value;
    }

    /**
     * A list of strings; a single string is taken as a list of one.
     *
     * @param field the field
     * @param required whether an absent or empty list is an error
     * @param what what one element is, for the error message (e.g. "an OID such as 1.3.6.1.2.1.1.5.0")
     * @return the strings, trimmed, never {@code null}
     * @throws ProbeException when an element is not a non-blank string, or the list is required and empty
     */
    public List<String> textList(String field, boolean required, String what) throws ProbeException {
        Object value = fields.get(field);
        List<String> result = new ArrayList<>();
        if (value instanceof String) {
            value = List.of(value);
        }
        if (value != null && !(value instanceof List)) {
            throw new ProbeException(path(field) + " must be a list of strings, not " + describe(value) + ": each is " + what + ".");
        }
        if (value != null) {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                Object one = list.get(i);
                if (!(one instanceof String) || ((String) one).isBlank()) {
                    throw new ProbeException(path(field) + "[" + i + "] is " + describe(one) + ": it must be " + what + ".");
                }
                result.add(((String) one).trim());
            }
        }
        if (required && result.isEmpty()) {
            throw new ProbeException(path(field) + " is missing or empty: give at least one, each " + what + ".");
        }
        return Collections.unmodifiableList(result);
    }

    /**
     * A list of plain JSON values (for parameters and the like).
     *
     * @param field the field
     * @return the list, empty when absent
     * @throws ProbeException when present and not a list
     */
    public List<Object> list(String field) throws ProbeException {
        Object value = fields.get(field);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List)) {
            throw new ProbeException(path(field) + " must be a list, not " + describe(value) + ".");
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) value;
        return Collections.unmodifiableList(list);
    }

    /**
     * A nested object, read with the same checks.
     *
     * @param field the field
     * @return a reader of the nested object; empty when absent
     * @throws ProbeException when present and not an object
     */
    public ProbePayload object(String field) throws ProbeException {
        Object value = fields.get(field);
        if (value == null) {
            return new ProbePayload(path(field), Map.of());
        }
        if (!(value instanceof Map)) {
            throw new ProbeException(path(field) + " must be an object, not " + describe(value) + ".");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return new ProbePayload(path(field), map);
    }

    /**
     * @param value a JSON value
     * @return the value as a whole number, or {@code null} when it is not a number without a fraction
     *     (a number beyond {@code long} is clamped, so a range check still rejects it)
     */
    public static Long wholeNumber(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger) {
            BigInteger big = (BigInteger) value;
            return big.bitLength() < 64 ? big.longValue() : (big.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
        }
        if ((value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue())) {
            return null;
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            BigDecimal decimal = value instanceof BigDecimal ? (BigDecimal) value : BigDecimal.valueOf(((Number) value).doubleValue());
            try {
                return decimal.longValueExact();
            } catch (ArithmeticException e) {
                return decimal.stripTrailingZeros().scale() <= 0 ? (decimal.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : null;
            }
        }
        return null;
    }

    /**
     * @param value a JSON value
     * @return a short description for an error message, e.g. {@code the string "abc"} or {@code a list}
     */
    public static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "the string \"" + shorten((String) value) + "\"";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Number) {
            return "the number " + shorten(String.valueOf(value));
        }
        return shorten(String.valueOf(value));
    }

    /**
     * @param text any text
     * @return the text cut to a readable length for an error message
     */
    public static String shorten(String text) {
        return text.length() <= SHORTEN_AT ? text : text.substring(0, SHORTEN_AT - 3) + "...";
    }
}
