package io.midway.protocol.ssh;

import java.io.IOException;

/**
 * The credential could not be used to log in: the server refused it, or the private key cannot be
 * read (encrypted without a passphrase, wrong passphrase, not a key). Trying another credential may
 * help; the message never contains the secret.
 */
public class SshAuthenticationException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The method a server refused: {@code publickey} or {@code password}. */
    private final String method;

    /**
     * @param message what happened, for the operator, without a secret
     * @param method the authentication method tried, {@code publickey} or {@code password}
     */
    public SshAuthenticationException(String message, String method) {
        super(message);
        this.method = method;
    }

    /** @return the authentication method tried: {@code publickey} or {@code password} */
    public String method() {
        return method;
    }
}
