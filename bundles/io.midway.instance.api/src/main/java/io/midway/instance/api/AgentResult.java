package io.midway.instance.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A result an agent posts: the ECC input that answers one output record (the wire record
 * {@code io.midway.wire.InputRecord}).
 *
 * @param responseTo the {@code sys_id} of the output record answered
 * @param topic the output's topic
 * @param name the output's name
 * @param source the output's source
 * @param payload the result payload
 * @param state {@code processed} or {@code error}
 * @param errorString why it failed, when {@code state} is {@code error}
 */
public record AgentResult(
        String responseTo,
        String topic,
        String name,
        String source,
        JsonNode payload,
        String state,
        String errorString) {
}
