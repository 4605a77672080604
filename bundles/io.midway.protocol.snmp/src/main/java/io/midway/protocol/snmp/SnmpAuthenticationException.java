package io.midway.protocol.snmp;

/**
 * An SNMPv3 agent refused the request with a USM report: unknown user name, wrong digest (wrong
 * authentication key or protocol), unsupported security level, decryption error.
 */
public class SnmpAuthenticationException extends SnmpException {

    private static final long serialVersionUID = 1L;

    private final String report;

    /**
     * @param message what went wrong, without secrets
     * @param report the report counter's name, e.g. {@code usmStatsWrongDigests}
     */
    public SnmpAuthenticationException(String message, String report) {
        super(message);
        this.report = report;
    }

    /** @return the report counter's name, e.g. {@code usmStatsUnknownUserNames} */
    public String report() {
        return report;
    }
}
