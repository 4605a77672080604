package io.midway.protocol.ssh;

import java.io.IOException;

/**
 * The server's host key was refused under the configured known-hosts policy: it is not known and
 * the policy is {@code strict}, or it differs from the key recorded for that host (a changed key,
 * which may be an attack). The message names the host, the known_hosts file and the fingerprints.
 */
public class SshHostKeyException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, for the operator
     */
    public SshHostKeyException(String message) {
        super(message);
    }
}
