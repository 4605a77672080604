package io.midway.agent.internal.sync;

/**
 * One file of a sync could not be applied; the message says why, for the operator, and ends up
 * in the file's result and the instance's {@code file_sync.failed} event.
 */
public class SyncFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message why, for the operator
     */
    public SyncFailure(String message) {
        super(message);
    }

    /**
     * @param message why, for the operator
     * @param cause the underlying failure
     */
    public SyncFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
