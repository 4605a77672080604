package io.midway.wire;

/**
 * A sealed secret could not be opened: the text is malformed, was altered, or was sealed for
 * another agent's key. The message never contains the sealed text or any part of a secret.
 */
public final class SealedSecretException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, without the sealed text
     */
    public SealedSecretException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, without the sealed text
     * @param cause the underlying failure
     */
    public SealedSecretException(String message, Throwable cause) {
        super(message, cause);
    }
}
