package io.midway.instance.store;

import java.util.List;

import io.midway.instance.api.QueueRecord;

/**
 * An agent's ready outputs with their keys, in delivery order (priority, creation).
 *
 * @param seqs the records' keys ({@code ecc_queue.seq})
 * @param records the records, in the same order
 */
public record ReadyOutputs(List<Long> seqs, List<QueueRecord> records) {
}
