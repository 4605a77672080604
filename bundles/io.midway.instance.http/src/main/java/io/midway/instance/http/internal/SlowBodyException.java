package io.midway.instance.http.internal;

import java.io.IOException;

/** A request body that arrives slower than the minimum rate: answered 408 and the connection closed. */
final class SlowBodyException extends IOException {

    private static final long serialVersionUID = 1L;

    SlowBodyException(String message) {
        super(message);
    }
}
