package io.midway.instance.api;

/**
 * How many records of each topic are in each queue and state.
 *
 * @param queue {@code output} or {@code input}
 * @param topic the topic
 * @param state the state
 * @param count how many
 */
public record TopicCount(String queue, String topic, String state, long count) {
}
