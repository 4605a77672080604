package io.midway.instance.api;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** How the members of an agent cluster share work. */
public enum ClusterType {

    /**
     * Ordered: work stays with its member while it is up; the work of a member that goes
     * {@code Down} moves to the next member in order that is {@code Up} and validated.
     */
    FAILOVER("failover"),
    /** Work addressed to any member is spread at random over the members that are {@code Up} and validated. */
    LOAD_BALANCE("load_balance");

    private final String label;

    ClusterType(String label) {
        this.label = label;
    }

    /** @return the name in the API, {@code failover} or {@code load_balance} */
    public String label() {
        return label;
    }

    /**
     * @param label a name from the API
     * @return the type, if the name is one (exact, lower case)
     */
    public static Optional<ClusterType> forLabel(String label) {
        return Arrays.stream(values()).filter(t -> t.label.equals(label)).findFirst();
    }

    /** @return the names in the API, comma-separated, for error details */
    public static String labels() {
        return Arrays.stream(values()).map(ClusterType::label).collect(Collectors.joining(", "));
    }
}
