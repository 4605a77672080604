package io.midway.instance.api;

/**
 * Why the instance cannot do what was asked, in the instance's own terms (not HTTP's): the
 * {@link Reason}, a short message for the caller and more detail. The HTTP bundle maps each
 * reason to a status; the shell and the console show the message. Never carries a stack trace.
 */
public class InstanceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure it is. */
    public enum Reason {
        /** The input is malformed or breaks a rule. */
        INVALID,
        /** The caller may not do this (e.g. act for another agent, an agent not validated). */
        FORBIDDEN,
        /** No such record, agent or file. */
        NOT_FOUND,
        /** It conflicts with the current state (a duplicate name, a missing agent key). */
        CONFLICT,
        /** The content is larger than allowed. */
        TOO_LARGE,
        /** The instance is starting or stopping; try again. */
        UNAVAILABLE
    }

    private final Reason reason;
    private final String detail;

    /**
     * @param reason what kind of failure
     * @param message a short message for the caller
     * @param detail more detail, may be empty or null
     */
    public InstanceException(Reason reason, String message, String detail) {
        super(message, null, false, false);
        this.reason = reason;
        this.detail = detail == null ? "" : detail;
    }

    /**
     * @param message what is wrong with the input
     * @return an {@link Reason#INVALID} error
     */
    public static InstanceException invalid(String message) {
        return new InstanceException(Reason.INVALID, message, "");
    }

    /**
     * @param message what is wrong with the input
     * @param detail more detail
     * @return an {@link Reason#INVALID} error
     */
    public static InstanceException invalid(String message, String detail) {
        return new InstanceException(Reason.INVALID, message, detail);
    }

    /**
     * @param message what was not found
     * @return a {@link Reason#NOT_FOUND} error
     */
    public static InstanceException notFound(String message) {
        return new InstanceException(Reason.NOT_FOUND, message, "");
    }

    /**
     * @param message what was not found
     * @param detail more detail
     * @return a {@link Reason#NOT_FOUND} error
     */
    public static InstanceException notFound(String message, String detail) {
        return new InstanceException(Reason.NOT_FOUND, message, detail);
    }

    /**
     * @param message what conflicts
     * @param detail more detail
     * @return a {@link Reason#CONFLICT} error
     */
    public static InstanceException conflict(String message, String detail) {
        return new InstanceException(Reason.CONFLICT, message, detail);
    }

    /**
     * @param message what is not allowed
     * @param detail more detail
     * @return a {@link Reason#FORBIDDEN} error
     */
    public static InstanceException forbidden(String message, String detail) {
        return new InstanceException(Reason.FORBIDDEN, message, detail);
    }

    /**
     * @param message why the instance cannot serve now
     * @param detail more detail
     * @return an {@link Reason#UNAVAILABLE} error
     */
    public static InstanceException unavailable(String message, String detail) {
        return new InstanceException(Reason.UNAVAILABLE, message, detail);
    }

    /** @return what kind of failure */
    public Reason reason() {
        return reason;
    }

    /** @return more detail, never null */
    public String detail() {
        return detail;
    }
}
