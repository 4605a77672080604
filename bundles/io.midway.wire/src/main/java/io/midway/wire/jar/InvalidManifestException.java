package io.midway.wire.jar;

import java.io.IOException;

/** A manifest that breaks a bound of {@link BoundedManifest} or cannot be parsed; the message says which. */
public final class InvalidManifestException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the limit */
    public InvalidManifestException(String message) {
        super(message);
    }
}
