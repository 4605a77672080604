package io.midway.instance.store;

/**
 * A heartbeat output record not answered yet.
 *
 * @param sysId its sys_id
 * @param state {@code ready} or {@code processing}
 * @param createdMs when it was written, epoch milliseconds
 */
public record PendingHeartbeat(String sysId, String state, long createdMs) {
}
