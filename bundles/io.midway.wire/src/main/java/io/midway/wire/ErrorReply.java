package io.midway.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of every 4xx/5xx answer:
 * {@code {"error":{"message":"…","detail":"…"},"status":"failure"}}.
 *
 * @param error what went wrong
 * @param status always {@code failure}
 */
public record ErrorReply(
        @JsonProperty("error") Error error,
        @JsonProperty("status") String status) {

    /**
     * @param message short message
     * @param detail more detail, may be empty
     */
    public record Error(@JsonProperty("message") String message, @JsonProperty("detail") String detail) {
    }

    /**
     * @param message short message
     * @param detail more detail, may be empty
     * @return the reply
     */
    public static ErrorReply of(String message, String detail) {
        return new ErrorReply(new Error(message, detail == null ? "" : detail), "failure");
    }
}
