package io.midway.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A result the agent posts: the ECC input that answers one output record.
 *
 * @param responseTo the {@code sys_id} of the output record answered
 * @param topic the output's topic
 * @param name the output's name
 * @param source the output's source
 * @param payload the result payload
 * @param state {@code processed} or {@code error}
 * @param errorString why it failed, when {@code state} is {@code error}
 */
public record InputRecord(
        @JsonProperty("response_to") String responseTo,
        @JsonProperty("topic") String topic,
        @JsonProperty("name") String name,
        @JsonProperty("source") String source,
        @JsonProperty("payload") JsonNode payload,
        @JsonProperty("state") String state,
        @JsonProperty("error_string") String errorString) {
}
