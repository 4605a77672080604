package io.midway.instance.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The outcome for one record of {@code POST /api/mid/ecc/input}.
 *
 * @param responseTo the output record answered
 * @param sysId the stored input record (for a duplicate, the one stored first)
 * @param status {@code inserted} or {@code duplicate}
 */
public record InputResult(
        @JsonProperty("response_to") String responseTo,
        @JsonProperty("sys_id") String sysId,
        @JsonProperty("status") String status) {

    /** The input was stored. */
    public static final String INSERTED = "inserted";
    /** An input for that output was stored before; this one was ignored. */
    public static final String DUPLICATE = "duplicate";
}
