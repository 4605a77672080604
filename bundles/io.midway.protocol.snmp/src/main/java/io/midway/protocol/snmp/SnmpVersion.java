package io.midway.protocol.snmp;

/** The SNMP versions of an {@link SnmpTarget}. */
public enum SnmpVersion {

    /** SNMPv2c: a community string, sent in clear. */
    V2C("v2c"),

    /** SNMPv3 with the user-based security model (USM). */
    V3("v3");

    private final String label;

    SnmpVersion(String label) {
        this.label = label;
    }

    /** @return {@code v2c} or {@code v3} */
    public String label() {
        return label;
    }
}
