package io.midway.protocol.snmp;

import java.util.Locale;
import java.util.Optional;

/** SNMPv3 (USM) privacy (encryption) protocols. */
public enum SnmpPrivacyProtocol {

    /** CBC-DES (RFC 3414); weak, for old agents. */
    DES("DES"),

    /** Triple DES (3DES-EDE, draft-reeder-snmpv3-usm-3desede). */
    TRIPLE_DES("3DES"),

    /** CFB128-AES-128 (RFC 3826), what Net-SNMP calls {@code AES}. */
    AES128("AES"),

    /** CFB128-AES-192 with Blumenthal key extension (Net-SNMP {@code AES-192}). */
    AES192("AES-192"),

    /** CFB128-AES-256 with Blumenthal key extension (Net-SNMP {@code AES-256}). */
    AES256("AES-256");

    private final String label;

    SnmpPrivacyProtocol(String label) {
        this.label = label;
    }

    /** @return the usual name, e.g. {@code AES} (as Net-SNMP spells it) */
    public String label() {
        return label;
    }

    /**
     * Finds a protocol by name, without case, with or without a dash: {@code DES}, {@code 3DES},
     * {@code AES} (also {@code AES-128}), {@code AES-192}, {@code AES-256}.
     *
     * @param name a name, may be {@code null}
     * @return the protocol, or empty when the name is unknown
     */
    public static Optional<SnmpPrivacyProtocol> of(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String key = name.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
        switch (key) {
            case "DES":
                return Optional.of(DES);
            case "3DES":
            case "TRIPLEDES":
            case "3DESEDE":
                return Optional.of(TRIPLE_DES);
            case "AES":
            case "AES128":
                return Optional.of(AES128);
            case "AES192":
                return Optional.of(AES192);
            case "AES256":
                return Optional.of(AES256);
            default:
                return Optional.empty();
        }
    }
}
