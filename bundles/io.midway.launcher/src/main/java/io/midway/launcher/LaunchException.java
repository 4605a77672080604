package io.midway.launcher;

/** A launch setting is wrong; the message tells the user what to do. */
public class LaunchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message for the user */
    public LaunchException(String message) {
        super(message);
    }
}
