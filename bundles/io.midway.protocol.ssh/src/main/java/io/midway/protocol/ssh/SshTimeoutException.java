package io.midway.protocol.ssh;

import java.io.IOException;

/**
 * The command did not finish (connection, login and run together) within
 * {@link SshCommand#timeout()}; the command was stopped and the session closed.
 */
public class SshTimeoutException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what did not finish in time, for the operator
     */
    public SshTimeoutException(String message) {
        super(message);
    }
}
