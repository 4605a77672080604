package io.midway.api.credential;

/**
 * A credential could not be found, opened, resolved or used. The message names the credential
 * and the field concerned; it must never contain a secret value.
 */
public class CredentialException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, for the operator, without any secret
     */
    public CredentialException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, for the operator, without any secret
     * @param cause the underlying failure
     */
    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
