package io.midway.instance.http.internal;

import io.midway.instance.api.InstanceException;
import java.util.Map;

/**
 * A request the instance cannot honour, with the HTTP status the API answers and a message for
 * the caller: what the HTTP layer answers for a domain error ({@link #of(InstanceException)}) and
 * for its own refusals (authentication, method, size, rate). Never carries a stack trace to the
 * client.
 */
public class RequestException extends InstanceException {

    private static final long serialVersionUID = 1L;

    /** Why a request failed; each maps to one HTTP status. */
    public enum Kind {
        /** Malformed or invalid input. */
        BAD_REQUEST(400),
        /** No or wrong credentials. */
        UNAUTHORIZED(401),
        /** The user lacks the role. */
        FORBIDDEN(403),
        /** No such record, agent, table or path. */
        NOT_FOUND(404),
        /** The path does not take this method. */
        METHOD_NOT_ALLOWED(405),
        /** The request conflicts with the current state (a duplicate name, a missing agent key). */
        CONFLICT(409),
        /** The request body is too large. */
        PAYLOAD_TOO_LARGE(413),
        /** The request body arrived too slowly. */
        REQUEST_TIMEOUT(408),
        /** The caller is over one of its limits (failed logins, concurrent requests): try later. */
        TOO_MANY_REQUESTS(429),
        /** The instance is starting or stopping. */
        UNAVAILABLE(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /** @return the HTTP status code */
        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final transient Map<String, String> headers;

    /**
     * @param kind what went wrong
     * @param message a short message for the caller
     * @param detail more detail, may be empty
     */
    public RequestException(Kind kind, String message, String detail) {
        this(kind, message, detail, Map.of());
    }

    /**
     * @param kind what went wrong
     * @param message a short message for the caller
     * @param detail more detail, may be empty
     * @param headers HTTP headers to send with the error (e.g. {@code Allow})
     */
    public RequestException(Kind kind, String message, String detail, Map<String, String> headers) {
        super(reasonOf(kind), message, detail);
        this.kind = kind;
        this.headers = Map.copyOf(headers);
    }

    /**
     * @param message what is wrong with the input
     * @return a 400
     */
    public static RequestException badRequest(String message) {
        return new RequestException(Kind.BAD_REQUEST, message, "");
    }

    /**
     * @param message what is wrong with the input
     * @param detail more detail
     * @return a 400
     */
    public static RequestException badRequest(String message, String detail) {
        return new RequestException(Kind.BAD_REQUEST, message, detail);
    }

    /**
     * @param message what was not found
     * @return a 404
     */
    public static RequestException notFound(String message) {
        return new RequestException(Kind.NOT_FOUND, message, "");
    }

    /**
     * @param message what was not found
     * @param detail more detail
     * @return a 404
     */
    public static RequestException notFound(String message, String detail) {
        return new RequestException(Kind.NOT_FOUND, message, detail);
    }

    /**
     * @param message what conflicts
     * @param detail more detail
     * @return a 409
     */
    public static RequestException conflict(String message, String detail) {
        return new RequestException(Kind.CONFLICT, message, detail);
    }

    /**
     * @param error a domain error of the instance's services
     * @return it as the HTTP answer: invalid 400, forbidden 403, not found 404, conflict 409, too
     *         large 413, unavailable 503
     */
    public static RequestException of(InstanceException error) {
        if (error instanceof RequestException request) {
            return request;
        }
        Kind kind = switch (error.reason()) {
            case INVALID -> Kind.BAD_REQUEST;
            case FORBIDDEN -> Kind.FORBIDDEN;
            case NOT_FOUND -> Kind.NOT_FOUND;
            case CONFLICT -> Kind.CONFLICT;
            case TOO_LARGE -> Kind.PAYLOAD_TOO_LARGE;
            case UNAVAILABLE -> Kind.UNAVAILABLE;
        };
        return new RequestException(kind, error.getMessage(), error.detail());
    }

    private static Reason reasonOf(Kind kind) {
        return switch (kind) {
            case BAD_REQUEST, METHOD_NOT_ALLOWED, REQUEST_TIMEOUT -> Reason.INVALID;
            case UNAUTHORIZED, FORBIDDEN, TOO_MANY_REQUESTS -> Reason.FORBIDDEN;
            case NOT_FOUND -> Reason.NOT_FOUND;
            case CONFLICT -> Reason.CONFLICT;
            case PAYLOAD_TOO_LARGE -> Reason.TOO_LARGE;
            case UNAVAILABLE -> Reason.UNAVAILABLE;
        };
    }

    /** @return what went wrong */
    public Kind kind() {
        return kind;
    }

    /** @return HTTP headers to send with the error */
    public Map<String, String> headers() {
        return headers;
    }
}
