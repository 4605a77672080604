package io.midway.protocol.snmp;

/** The SNMPv3 security level, derived from what an {@link SnmpTarget} has set. */
public enum SnmpSecurityLevel {

    /** No authentication, no privacy. */
    NO_AUTH_NO_PRIV("noAuthNoPriv"),

    /** Authentication (a digest of each message), no privacy. */
    AUTH_NO_PRIV("authNoPriv"),

    /** Authentication and privacy (encrypted messages). */
    AUTH_PRIV("authPriv");

    private final String label;

    SnmpSecurityLevel(String label) {
        this.label = label;
    }

    /** @return the SNMP name, e.g. {@code authPriv} */
    public String label() {
        return label;
    }
}
