package io.midway.instance.api;

import java.util.Locale;

/** The two selection algorithms of the instance property {@code mid.selection.algorithm}. */
public enum SelectionAlgorithm {

    /** Application → IP range → default agent → a random agent if no agent has IP ranges → fail. */
    LEGACY("legacy"),
    /** Best match on application, IP range and capability → default agent → fail. */
    NEW("new");

    private final String label;

    SelectionAlgorithm(String label) {
        this.label = label;
    }

    /** @return the name used in properties and requests: {@code legacy} or {@code new} */
    public String label() {
        return label;
    }

    /**
     * @param name {@code legacy} or {@code new}, case-insensitive, surrounding blanks ignored
     * @return the algorithm
     * @throws IllegalArgumentException for anything else (including empty), with a message naming
     *     the accepted values
     */
    public static SelectionAlgorithm parse(String name) {
        String key = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (SelectionAlgorithm algorithm : values()) {
            if (algorithm.label.equals(key)) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("algorithm '" + (name == null ? "" : name)
                + "' is not supported; use 'legacy' or 'new'");
    }

    @Override
    public String toString() {
        return label;
    }
}
