package io.midway.protocol.snmp;

import java.io.IOException;

/**
 * An SNMP exchange failed: the target cannot be reached, or the agent answered with an error. The
 * message names the agent and what happened, for the operator; it never holds a community or a
 * key.
 */
public class SnmpException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, without secrets
     */
    public SnmpException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, without secrets
     * @param cause the underlying failure
     */
    public SnmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
