package io.midway.protocol.snmp;

import java.util.Locale;
import java.util.Optional;

/** SNMPv3 (USM) authentication protocols. */
public enum SnmpAuthProtocol {

    /** HMAC-MD5-96 (RFC 3414); weak, for old agents. */
    MD5("MD5"),

    /** HMAC-SHA-96 (SHA-1, RFC 3414). */
    SHA("SHA"),

    /** HMAC-128-SHA-224 (RFC 7860). */
    SHA224("SHA-224"),

    /** HMAC-192-SHA-256 (RFC 7860). */
    SHA256("SHA-256"),

    /** HMAC-256-SHA-384 (RFC 7860). */
    SHA384("SHA-384"),

    /** HMAC-384-SHA-512 (RFC 7860). */
    SHA512("SHA-512");

    private final String label;

    SnmpAuthProtocol(String label) {
        this.label = label;
    }

    /** @return the usual name, e.g. {@code SHA-256} (as Net-SNMP spells it) */
    public String label() {
        return label;
    }

    /**
     * Finds a protocol by name, without case, with or without a dash: {@code MD5}, {@code SHA}
     * (also {@code SHA1}, {@code SHA-1}), {@code SHA-224}, {@code SHA-256}, {@code SHA-384},
     * {@code SHA-512}.
     *
     * @param name a name, may be {@code null}
     * @return the protocol, or empty when the name is unknown
     */
    public static Optional<SnmpAuthProtocol> of(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String key = name.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
        if (key.equals("SHA1")) {
            return Optional.of(SHA);
        }
        for (SnmpAuthProtocol protocol : values()) {
            if (protocol.name().equals(key)) {
                return Optional.of(protocol);
            }
        }
        return Optional.empty();
    }
}
