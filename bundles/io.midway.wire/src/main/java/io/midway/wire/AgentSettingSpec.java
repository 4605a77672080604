package io.midway.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One agent setting of the {@link AgentSettingCatalog}: where it lives on the agent (a Config
 * Admin pid and key), its type and range, its default, and whether the instance may set it.
 *
 * @param name the setting's name everywhere outside the agent's Config Admin: the key for pid
 *     {@code io.midway.agent}, else the pid without {@code io.midway.} and a dot, then the key
 *     (e.g. {@code protocol.http.connect.timeout.ms})
 * @param pid the Config Admin pid on the agent
 * @param key the key in that pid
 * @param type the value's type
 * @param min the smallest value of a number, or {@code null}
 * @param max the largest value of a number, or {@code null}
 * @param defaultValue the value when nothing sets it, as text ({@code ""} for none)
 * @param description one sentence for the operator
 * @param localOnly {@code null} when the instance may set it; else why only the agent's host may
 *     (e.g. "it is the agent's identity")
 * @param live whether a change applies to running work at once ({@code false}: the component
 *     that reads it starts again, without a restart of the agent)
 */
public record AgentSettingSpec(String name, String pid, String key, Type type, Long min, Long max,
        String defaultValue, String description, String localOnly, boolean live) {

    /** The types a setting can have. */
    public enum Type {
        /** A whole number (Java int). */
        INT,
        /** A whole number (Java long). */
        LONG,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** Text. */
        STRING,
        /** A comma-separated list of names. */
        LIST;

        /** @return the type's name in documentation and messages */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @return whether the instance may set this setting */
    public boolean central() {
        return localOnly == null;
    }

    /**
     * Checks a value given as text.
     *
     * @param value the value
     * @return the value normalised (trimmed; a list without blanks, comma-separated)
     * @throws IllegalArgumentException naming the setting and the rule the value breaks
     */
    public String validate(String value) {
        String v = value == null ? "" : value.trim();
        switch (type) {
            case INT, LONG -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + " must be " + rule() + ", not '" + shown(v) + "'");
                }
                if (type == Type.INT && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)
                        || min != null && n < min || max != null && n > max) {
                    throw new IllegalArgumentException(name + " must be " + rule() + ", not " + n);
                }
                return Long.toString(n);
            }
            case BOOLEAN -> {
                String b = v.toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    throw new IllegalArgumentException(name + " must be " + rule() + ", not '" + shown(v) + "'");
                }
                return b;
            }
            case LIST -> {
                List<String> items = new ArrayList<>();
                for (String item : v.split(",")) {
                    String t = item.trim();
                    if (t.isEmpty()) {
                        continue;
                    }
                    if (!t.matches("[A-Za-z0-9._+/-]{1,200}")) {
                        throw new IllegalArgumentException(name + " must be " + rule() + "; '" + shown(t)
                                + "' is not a name");
                    }
                    items.add(t);
                }
                return String.join(",", items);
            }
            default -> {
                if (v.length() > 4000) {
                    throw new IllegalArgumentException(name + " must be " + rule() + ", not " + v.length() + " characters");
                }
                return v;
            }
        }
    }

    /** @return the rule a value must follow, as a phrase ("a whole number from 1 to 1000") */
    public String rule() {
        return switch (type) {
            case INT, LONG -> "a whole number" + (min != null && max != null ? " from " + min + " to " + max
                    : min != null ? " of at least " + min : max != null ? " of at most " + max : "");
            case BOOLEAN -> "true or false";
            case LIST -> "a comma-separated list of names (letters, digits, . _ + / -)";
            default -> "text of at most 4000 characters";
        };
    }

    private static String shown(String v) {
        String s = v.length() > 60 ? v.substring(0, 60) + "…" : v;
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }
}
