package io.midway.instance.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The ECC queue: output records inserted (addressed to an agent, to every agent, to a cluster
 * member or to none: MID selection), and the queue read by Table API queries.
 */
@ProviderType
public interface EccQueue {

    /**
     * Inserts an output record and wakes the addressed agent. {@code mid.server.*} fans out: one
     * copy per registered agent; the record itself is stored {@code processed} and returned.
     *
     * @param request the validated request
     * @return the stored record
     */
    QueueRecord insertOutput(OutputRequest request);

    /**
     * Inserts output records in one transaction, all or none, and wakes each addressed agent once,
     * after the commit. Each request is handled as by {@link #insertOutput(OutputRequest)}.
     *
     * @param requests the validated requests, at most {@link OutputRequest#MAX_BATCH_RECORDS}
     * @return the stored records, in the order of the requests
     * @throws InstanceException (400) when there are none or too many
     */
    List<QueueRecord> insertOutputs(List<OutputRequest> requests);

    /**
     * @param query a query on {@link TableSchema#ECC_QUEUE}
     * @return the matching records
     */
    List<QueueRecord> records(TableQuery query);

    /**
     * @param query a query on either table
     * @return how many records match it (the Aggregate API's count)
     */
    long count(TableQuery query);

    /**
     * @param sysId a sys_id
     * @return the ECC record
     */
    Optional<QueueRecord> record(String sysId);

    /**
     * Changes a record (Table API {@code PATCH}/{@code PUT}). An output in state {@code ready} may
     * change {@link EccChange#CHANGEABLE}; {@code state} to {@code processed} cancels it (never
     * delivered), to {@code error} fails it. An input in state {@code ready} may change its
     * {@code state} only. A record leased to an agent ({@code processing}) is not changed, nor one
     * already processed. Emits {@link InstanceEvent#ECC_RECORD_UPDATED}.
     *
     * @param sysId the record's sys_id
     * @param change the validated change
     * @return the record as changed
     * @throws InstanceException 404 for an unknown sys_id; 400 for a read-only field or a field the
     *     record's queue does not allow; 409 for a record in {@code processing} (naming the agent
     *     that holds it) or already processed
     */
    QueueRecord updateRecord(String sysId, EccChange change);

    /**
     * Deletes a record (Table API {@code DELETE}): an input, or an output that is not leased to an
     * agent. Emits {@link InstanceEvent#ECC_RECORD_DELETED}.
     *
     * @param sysId the record's sys_id
     * @throws InstanceException 404 for an unknown sys_id; 409 for an output in {@code processing},
     *     naming the agent that holds it
     */
    void deleteRecord(String sysId);

    /** @return the queue's records by queue, topic and state */
    List<io.midway.instance.api.TopicCount> queueByTopic();
}
