package io.midway.protocol.ssh.internal;

import java.util.Locale;

/** How the known_hosts file is used: the values of {@code host_key.policy}. */
enum HostKeyPolicy {

    /** Only hosts whose key is in the file. */
    STRICT("strict"),

    /** Record the key of a new host; refuse a changed key. */
    ACCEPT_NEW("accept-new"),

    /** Accept any key (unsafe). */
    OFF("off");

    private final String id;

    HostKeyPolicy(String id) {
        this.id = id;
    }

    /** @return the configuration value, e.g. {@code accept-new} */
    String id() {
        return id;
    }

    /**
     * @param value a configuration value
     * @return the policy
     * @throws IllegalArgumentException when the value is none of strict, accept-new, off
     */
    static HostKeyPolicy of(String value) {
        String word = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (HostKeyPolicy policy : values()) {
            if (policy.id.equals(word)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("host_key.policy '" + value + "' is none of strict, accept-new, off");
    }
}
