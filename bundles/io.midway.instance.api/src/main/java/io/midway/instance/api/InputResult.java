package io.midway.instance.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The outcome for one record of {@code POST /api/mid/ecc/input}.
 *
 * @param responseTo the output record answered
 * @param sysId the stored input record (for a duplicate, the one stored first)
 * @param status {@code inserted}, {@code duplicate} or {@code refused}
 * @param error why a refused record was refused (naming the field), else null and not sent
 */
public record InputResult(
        @JsonProperty("response_to") String responseTo,
        @JsonProperty("sys_id") String sysId,
        @JsonProperty("status") String status,
        @JsonProperty("error") @JsonInclude(JsonInclude.Include.NON_NULL) String error) {

    /**
     * @param responseTo the output record answered
     * @param sysId the stored input record
     * @param status {@code inserted} or {@code duplicate}
     */
    public InputResult(String responseTo, String sysId, String status) {
        this(responseTo, sysId, status, null);
    }

    /**
     * @param responseTo the output record the refused record named, may be null
     * @param why the reason, naming the field
     * @return the outcome of a record that was not stored
     */
    public static InputResult refused(String responseTo, String why) {
        return new InputResult(responseTo, null, REFUSED, why);
    }

    /** The input was stored. */
    public static final String INSERTED = "inserted";
    /** An input for that output was stored before; this one was ignored. */
    public static final String DUPLICATE = "duplicate";
    /** The record is invalid and was not stored ({@code error} says why); the others of its batch were. */
    public static final String REFUSED = "refused";
}
