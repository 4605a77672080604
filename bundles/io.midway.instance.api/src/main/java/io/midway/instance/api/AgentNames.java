package io.midway.instance.api;

import java.util.regex.Pattern;

/** The rule for agent names: a host-name-like word, so {@code mid.server.NAME} is unambiguous. */
public final class AgentNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");

    private AgentNames() {
    }

    /**
     * @param name a candidate name
     * @return whether it is valid: letters, digits, {@code . _ -}, at most 100 characters, not starting with
     *         {@code .} or {@code -}
     */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /**
     * @param name a candidate name
     * @throws InstanceException (400) when it is not valid
     */
    public static void check(String name) {
        if (name == null || name.isBlank()) {
            throw InstanceException.invalid("field 'name' is required");
        }
        if (!isValid(name)) {
            throw InstanceException.invalid("invalid agent name '" + name + "'",
                    "use letters, digits, '.', '_' or '-', at most 100 characters, not starting with '.' or '-'");
        }
    }
}
