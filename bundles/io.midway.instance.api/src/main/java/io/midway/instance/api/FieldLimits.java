package io.midway.instance.api;

/**
 * The longest text each written field may hold, as its database column does; checked before a
 * write so that a long value is a 400 naming the field and its limit (for {@code ecc/input}: a
 * refusal of that one record), not a failed transaction.
 */
public final class FieldLimits {

    /** {@code ecc_queue.agent}. */
    public static final int AGENT = 300;
    /** {@code ecc_queue.topic}. */
    public static final int TOPIC = 300;
    /** {@code ecc_queue.response_to}. */
    public static final int RESPONSE_TO = 64;
    /** {@code ecc_queue.name}, {@code source} and {@code error_string}. */
    public static final int LONG_TEXT = 1_000_000;
    /** {@code ecc_queue.application} and {@code capability}. */
    public static final int APPLICATION = 300;
    /** {@code ecc_agent_cluster.name}, {@code ecc_agent.cluster}. */
    public static final int CLUSTER_NAME = 200;

    private FieldLimits() {
    }

    /**
     * @param field the field's name as the API spells it (e.g. {@code records[2].topic})
     * @param value its value, may be null
     * @param max the most characters it may hold
     * @return the value
     * @throws InstanceException (400) naming the field and its limit when the value is longer
     */
    public static String check(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw InstanceException.invalid("field '" + field + "' is longer than " + max + " characters",
                    "got " + value.length() + " characters");
        }
        return value;
    }
}
