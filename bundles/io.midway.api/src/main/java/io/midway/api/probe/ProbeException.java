package io.midway.api.probe;

/**
 * The work of a probe failed. The message is shown to the operator as the ECC record's
 * {@code error_string}, so it should say what went wrong and, where it can, what to do; it must
 * never contain a secret.
 */
public class ProbeException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, for the operator
     */
    public ProbeException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, for the operator
     * @param cause the underlying failure
     */
    public ProbeException(String message, Throwable cause) {
        super(message, cause);
    }
}
