package io.midway.agent.internal.transport;

import java.io.IOException;

/** The instance answered with an HTTP error status. The message is the instance's own, for the operator. */
public class InstanceException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;

    /**
     * @param statusCode the HTTP status
     * @param message what the instance said, prefixed with where and the status
     */
    public InstanceException(int statusCode, String message) {
        super(message);
        this.statusCode = statusCode;
    }

    /** @return the HTTP status the instance answered */
    public int statusCode() {
        return statusCode;
    }

    /** @return whether the instance refused our credentials (401) or our role (403) */
    public boolean isAuthFailure() {
        return statusCode == 401 || statusCode == 403;
    }
}
