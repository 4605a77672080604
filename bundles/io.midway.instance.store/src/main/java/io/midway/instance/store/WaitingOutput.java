package io.midway.instance.store;

/**
 * An output record an agent has not answered.
 *
 * @param sysId its sys_id
 * @param topic its topic
 * @param state {@code ready} or {@code processing}
 * @param broadcast whether it is an agent's copy of {@code mid.server.*} work
 */
public record WaitingOutput(String sysId, String topic, String state, boolean broadcast) {
}
