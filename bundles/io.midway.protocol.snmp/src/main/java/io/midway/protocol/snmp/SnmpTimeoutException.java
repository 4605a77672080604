package io.midway.protocol.snmp;

/**
 * The agent did not answer within the timeout, after every retry. SNMP agents do not answer a
 * wrong community (v2c) or a message they cannot decrypt (a wrong SNMPv3 privacy key) either, so
 * this may be a credential problem as well as an unreachable agent.
 */
public class SnmpTimeoutException extends SnmpException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, without secrets
     */
    public SnmpTimeoutException(String message) {
        super(message);
    }
}
