package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.QueueRecord;

/** The ECC queue ({@code ecc_queue}): records, deliveries, leases, answers and failover moves. */
final class QueueRows extends TableRows {

    private static final int INSERT_BATCH_SIZE = 500;

    QueueRows(Connection connection, Statements sql) {
        super(connection, sql);
    }

    /**
     * @param r the record to store
     * @param createdMs its creation time in epoch milliseconds (orders records within a second)
     * @throws SQLException on a database error
     */
    void insertRecord(QueueRecord r, long createdMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.insert"))) {
            bindRecord(ps, r, createdMs);
            ps.executeUpdate();
        }
    }

    /**
     * Stores records with one JDBC batch (one statement, sent in chunks).
     *
     * @param records the records to store, in order
     * @param createdMs their creation time in epoch milliseconds
     * @throws SQLException on a database error
     */
    void insertRecords(List<QueueRecord> records, long createdMs) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        if (records.size() == 1) {
            insertRecord(records.get(0), createdMs);
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.insert"))) {
            int pending = 0;
            for (QueueRecord r : records) {
                bindRecord(ps, r, createdMs);
                ps.addBatch();
                if (++pending == INSERT_BATCH_SIZE) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }

    /** Binds the parameters of {@code queue.insert}: the record's columns, then created_ms. */
    private static void bindRecord(PreparedStatement ps, QueueRecord r, long createdMs) throws SQLException {
        ps.setString(1, r.sysId());
        ps.setString(2, r.agent());
        ps.setString(3, r.topic());
        ps.setString(4, r.name());
        ps.setString(5, r.source());
        ps.setString(6, r.payload() == null || r.payload().isNull() ? null : JsonColumns.write(r.payload()));
        ps.setString(7, r.queue());
        ps.setString(8, r.state());
        ps.setString(9, r.responseTo());
        ps.setInt(10, r.priority() == null ? QueueRecord.PRIORITY_STANDARD : r.priority());
        ps.setString(11, r.errorString());
        ps.setString(12, r.sysCreatedOn());
        ps.setString(13, r.processed());
        ps.setString(14, r.application());
        ps.setString(15, r.capability());
        ps.setString(16, r.selection());
        ps.setLong(17, createdMs);
    }

    /**
     * @param sysId a sys_id
     * @return the record of either queue
     * @throws SQLException on a database error
     */
    Optional<QueueRecord> findRecord(String sysId) throws SQLException {
        return one(sql.get("queue.by.sys_id"), QueueRows::record, sysId);
    }

    /**
     * @param sysId a sys_id
     * @return the record's key ({@code seq}), if it exists
     * @throws SQLException on a database error
     */
    Optional<Long> recordSeq(String sysId) throws SQLException {
        return one(sql.get("queue.seq.by.sys_id"), rs -> rs.getLong("seq"), sysId);
    }

    /**
     * Writes a record's changeable columns, only if it is still in a state.
     *
     * @param r the record as changed
     * @param expectedState the state it was read in
     * @return whether it was written (false: gone, or its state changed meanwhile)
     * @throws SQLException on a database error
     */
    boolean updateRecordIf(QueueRecord r, String expectedState) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.update.if.state"))) {
            ps.setString(1, r.agent());
            ps.setString(2, r.topic());
            ps.setString(3, r.name());
            ps.setString(4, r.source());
            ps.setString(5, r.payload() == null || r.payload().isNull() ? null : JsonColumns.write(r.payload()));
            ps.setInt(6, r.priority() == null ? QueueRecord.PRIORITY_STANDARD : r.priority());
            ps.setString(7, r.state());
            ps.setString(8, r.errorString());
            ps.setString(9, r.processed());
            ps.setString(10, r.sysId());
            ps.setString(11, expectedState);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * @param sysId a sys_id
     * @return whether a record was deleted (false: gone, or leased to an agent)
     * @throws SQLException on a database error
     */
    boolean deleteRecordUnlessProcessing(String sysId) throws SQLException {
        return change(sql.get("queue.delete.unless.processing"), sysId, QueueRecord.STATE_PROCESSING) == 1;
    }

    /**
     * @param responseTo the sys_id of an output record
     * @return the first input stored for it
     * @throws SQLException on a database error
     */
    Optional<QueueRecord> findInputFor(String responseTo) throws SQLException {
        return one(sql.get("queue.input.for"), QueueRows::record, responseTo, QueueRecord.QUEUE_INPUT);
    }

    /**
     * An agent's ready outputs in delivery order (priority, creation): first their keys, from
     * the delivery index alone (it is in delivery order, so this stops after the entries it needs
     * however long the backlog), then those rows with their payloads.
     *
     * @param agentField {@code mid.server.NAME}
     * @param heartbeatOnly only {@code HeartbeatProbe} records
     * @param interactiveOnly only priority 0
     * @param max the most records
     * @return the records, in delivery order
     * @throws SQLException on a database error
     */
    List<QueueRecord> readyFor(String agentField, boolean heartbeatOnly, boolean interactiveOnly, int max)
            throws SQLException {
        return readyFor(agentField, heartbeatOnly, interactiveOnly, max, java.util.Set.of()).records();
    }

    /**
     * As {@link #readyFor(String, boolean, boolean, int)}, passing over the records of some keys
     * (those leased in memory, which are still {@code ready} in the store): their rows are not read.
     *
     * @param agentField {@code mid.server.NAME}
     * @param heartbeatOnly only {@code HeartbeatProbe} records
     * @param interactiveOnly only priority 0
     * @param max the most records
     * @param skip keys to pass over
     * @return the records and their keys, in delivery order
     * @throws SQLException on a database error
     */
    ReadyOutputs readyFor(String agentField, boolean heartbeatOnly, boolean interactiveOnly, int max,
            java.util.Set<Long> skip) throws SQLException {
        String keys = heartbeatOnly
                ? interactiveOnly ? sql.get("queue.ready.heartbeat.interactive") : sql.get("queue.ready.heartbeat")
                : interactiveOnly ? sql.get("queue.ready.interactive") : sql.get("queue.ready");
        List<Long> order;
        try (PreparedStatement ps = connection.prepareStatement(keys)) {
            int i = 1;
            ps.setString(i++, agentField);
            ps.setString(i++, QueueRecord.QUEUE_OUTPUT);
            ps.setString(i++, QueueRecord.STATE_READY);
            if (heartbeatOnly) {
                ps.setString(i++, QueueRecord.TOPIC_HEARTBEAT);
            }
            if (interactiveOnly) {
                ps.setInt(i++, QueueRecord.PRIORITY_INTERACTIVE);
            }
            ps.setInt(i, (int) Math.min(Integer.MAX_VALUE, (long) max + skip.size()));
            order = rows(ps, rs -> rs.getLong("seq"));
        }
        if (!skip.isEmpty()) {
            order = order.stream().filter(seq -> !skip.contains(seq)).limit(max).toList();
        }
        if (order.isEmpty()) {
            return new ReadyOutputs(List.of(), List.of());
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.by.seqs"))) {
            ps.setObject(1, order.toArray(new Long[0]));
            Map<Long, QueueRecord> bySeq = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bySeq.put(rs.getLong("seq"), record(rs));
                }
            }
            List<Long> seqs = new ArrayList<>(order.size());
            List<QueueRecord> records = new ArrayList<>(order.size());
            for (Long seq : order) {
                QueueRecord r = bySeq.get(seq);
                // read outside a transaction (a claim of the embedded engine), a record may have
                // been answered or moved between the keys and the rows: only what is still ready
                if (r != null && QueueRecord.STATE_READY.equals(r.state()) && agentField.equals(r.agent())) {
                    seqs.add(seq);
                    records.add(r);
                }
            }
            return new ReadyOutputs(seqs, records);
        }
    }

    /**
     * Claims an agent's next ready outputs in one statement: they are {@code processing} until
     * the lease expiry when it returns (issue 15: a claim as one statement, not a read of the keys,
     * a read of the rows and an update per row). On PostgreSQL rows that another node's claim holds
     * are skipped ({@code FOR UPDATE SKIP LOCKED}).
     *
     * @param agentField {@code mid.server.NAME}
     * @param heartbeatOnly only {@code HeartbeatProbe} records
     * @param interactiveOnly only priority 0
     * @param max the most records to claim
     * @param leaseExpiresMs lease expiry, epoch milliseconds
     * @return the claimed records, in delivery order (priority, creation), state {@code processing}
     * @throws SQLException on a database error
     */
    List<QueueRecord> claim(String agentField, boolean heartbeatOnly, boolean interactiveOnly, int max,
            long leaseExpiresMs) throws SQLException {
        String claim = heartbeatOnly
                ? interactiveOnly ? sql.get("queue.claim.heartbeat.interactive") : sql.get("queue.claim.heartbeat")
                : interactiveOnly ? sql.get("queue.claim.interactive") : sql.get("queue.claim");
        record Claimed(int priority, long createdMs, long seq, QueueRecord record) { }
        List<Claimed> claimed = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(claim)) {
            int i = 1;
            ps.setString(i++, QueueRecord.STATE_PROCESSING);
            ps.setLong(i++, leaseExpiresMs);
            ps.setString(i++, agentField);
            ps.setString(i++, QueueRecord.QUEUE_OUTPUT);
            ps.setString(i++, QueueRecord.STATE_READY);
            if (heartbeatOnly) {
                ps.setString(i++, QueueRecord.TOPIC_HEARTBEAT);
            }
            if (interactiveOnly) {
                ps.setInt(i++, QueueRecord.PRIORITY_INTERACTIVE);
            }
            ps.setInt(i, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new Claimed(rs.getInt("priority"), rs.getLong("created_ms"), rs.getLong("seq"),
                            record(rs)));
                }
            }
        }
        // neither engine returns the changed rows in the order of the claim's subquery
        claimed.sort(java.util.Comparator.comparingInt(Claimed::priority).thenComparingLong(Claimed::createdMs)
                .thenComparingLong(Claimed::seq));
        List<QueueRecord> records = new ArrayList<>(claimed.size());
        for (Claimed c : claimed) {
            records.add(c.record());
        }
        return records;
    }

    /**
     * @param sysIds sys_ids
     * @return the records of either queue with those sys_ids, by sys_id (one read for a batch)
     * @throws SQLException on a database error
     */
    Map<String, QueueRecord> findRecords(java.util.Collection<String> sysIds) throws SQLException {
        Map<String, QueueRecord> found = new HashMap<>();
        if (sysIds.isEmpty()) {
            return found;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.by.sys_ids"))) {
            ps.setObject(1, new java.util.LinkedHashSet<>(sysIds).toArray(new String[0]));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    QueueRecord r = record(rs);
                    found.put(r.sysId(), r);
                }
            }
        }
        return found;
    }

    /**
     * @param responseTos sys_ids of output records
     * @return response_to → the sys_id of the first input stored for it, for those that have one
     *     (one read for a batch)
     * @throws SQLException on a database error
     */
    Map<String, String> firstInputsFor(java.util.Collection<String> responseTos) throws SQLException {
        Map<String, String> first = new HashMap<>();
        if (responseTos.isEmpty()) {
            return first;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.inputs.for"))) {
            ps.setObject(1, new java.util.LinkedHashSet<>(responseTos).toArray(new String[0]));
            ps.setString(2, QueueRecord.QUEUE_INPUT);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    first.putIfAbsent(rs.getString("response_to"), rs.getString("sys_id"));
                }
            }
        }
        return first;
    }

    /**
     * Ends output records with one statement.
     *
     * @param sysIds the output records
     * @param state {@code processed} or {@code error}
     * @param errorString why, for {@code error}
     * @param processed the time, wire format
     * @throws SQLException on a database error
     */
    void completeOutputs(java.util.Collection<String> sysIds, String state, String errorString, String processed)
            throws SQLException {
        if (sysIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.complete.all"))) {
            ps.setString(1, state);
            ps.setString(2, errorString);
            ps.setString(3, processed);
            ps.setObject(4, new java.util.LinkedHashSet<>(sysIds).toArray(new String[0]));
            ps.executeUpdate();
        }
    }

    /**
     * Writes leases held in memory: each record still {@code ready} becomes {@code processing}
     * until its lease expiry, in one batch.
     *
     * @param expiries sys_id → lease expiry, epoch milliseconds
     * @throws SQLException on a database error
     */
    void leaseIfReady(Map<String, Long> expiries) throws SQLException {
        if (expiries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.lease.if.ready"))) {
            for (Map.Entry<String, Long> e : expiries.entrySet()) {
                ps.setString(1, QueueRecord.STATE_PROCESSING);
                ps.setLong(2, e.getValue());
                ps.setString(3, e.getKey());
                ps.setString(4, QueueRecord.QUEUE_OUTPUT);
                ps.setString(5, QueueRecord.STATE_READY);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Marks records {@code processing} until a lease expiry.
     *
     * @param sysIds the records
     * @param leaseExpiresMs lease expiry, epoch milliseconds
     * @throws SQLException on a database error
     */
    void lease(List<String> sysIds, long leaseExpiresMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.lease"))) {
            for (String sysId : sysIds) {
                ps.setString(1, QueueRecord.STATE_PROCESSING);
                ps.setLong(2, leaseExpiresMs);
                ps.setString(3, sysId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Puts a record back to {@code ready}, without a lease.
     *
     * @param sysId the record
     * @throws SQLException on a database error
     */
    void markReady(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.release"))) {
            ps.setString(1, QueueRecord.STATE_READY);
            ps.setString(2, sysId);
            ps.executeUpdate();
        }
    }

    /**
     * Crash recovery: puts the outputs leased to an agent ({@code processing}, its agent field)
     * that it no longer holds back to {@code ready}, without a lease, in one statement.
     *
     * @param agentField {@code mid.server.NAME}
     * @param held sys_ids of the records it still holds: their leases stay
     * @return the sys_ids of the records made ready
     * @throws SQLException on a database error
     */
    List<String> releaseLeasedExcept(String agentField, java.util.Set<String> held) throws SQLException {
        List<String> leased;
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.leased.to"))) {
            ps.setString(1, agentField);
            ps.setString(2, QueueRecord.QUEUE_OUTPUT);
            ps.setString(3, QueueRecord.STATE_PROCESSING);
            leased = rows(ps, rs -> rs.getString("sys_id"));
        }
        List<String> lost = leased.stream().filter(id -> !held.contains(id)).toList();
        if (lost.isEmpty()) {
            return lost;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.release.leased.to"))) {
            ps.setString(1, QueueRecord.STATE_READY);
            ps.setObject(2, lost.toArray(new String[0]));
            ps.setString(3, agentField);
            ps.setString(4, QueueRecord.QUEUE_OUTPUT);
            ps.setString(5, QueueRecord.STATE_PROCESSING);
            ps.executeUpdate();
        }
        return lost;
    }

    /**
     * Ends an output record.
     *
     * @param sysId the output record
     * @param state {@code processed} or {@code error}
     * @param errorString why, for {@code error}
     * @param processed the time, wire format
     * @throws SQLException on a database error
     */
    void completeOutput(String sysId, String state, String errorString, String processed) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.complete"))) {
            ps.setString(1, state);
            ps.setString(2, errorString);
            ps.setString(3, processed);
            ps.setString(4, sysId);
            ps.executeUpdate();
        }
    }

    /**
     * @param agentField {@code mid.server.NAME}
     * @return the oldest unanswered heartbeat output for the agent
     * @throws SQLException on a database error
     */
    Optional<PendingHeartbeat> pendingHeartbeat(String agentField) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.heartbeat.pending"))) {
            ps.setString(1, agentField);
            ps.setString(2, QueueRecord.QUEUE_OUTPUT);
            ps.setString(3, QueueRecord.TOPIC_HEARTBEAT);
            ps.setString(4, QueueRecord.STATE_READY);
            ps.setString(5, QueueRecord.STATE_PROCESSING);
            return single(ps, rs -> new PendingHeartbeat(rs.getString("sys_id"), rs.getString("state"),
                    rs.getLong("created_ms")));
        }
    }

    /**
     * @param nowMs the current time, epoch milliseconds
     * @return whether any {@code processing} output's lease expired (one row of the lease index at most)
     * @throws SQLException on a database error
     */
    boolean anyLeaseExpired(long nowMs) throws SQLException {
        return one(sql.get("queue.leases.any"), rs -> Boolean.TRUE, QueueRecord.QUEUE_OUTPUT, QueueRecord.STATE_PROCESSING,
                nowMs).isPresent();
    }

    /**
     * Puts every {@code processing} output whose lease expired back to {@code ready}.
     *
     * @param nowMs the current time, epoch milliseconds
     * @return the {@code agent} field of each record released
     * @throws SQLException on a database error
     */
    List<String> expireLeases(long nowMs) throws SQLException {
        List<String> agents;
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.leases.expired"))) {
            ps.setString(1, QueueRecord.QUEUE_OUTPUT);
            ps.setString(2, QueueRecord.STATE_PROCESSING);
            ps.setLong(3, nowMs);
            agents = rows(ps, rs -> rs.getString("agent"));
        }
        if (agents.isEmpty()) {
            return agents;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.leases.release"))) {
            ps.setString(1, QueueRecord.STATE_READY);
            ps.setString(2, QueueRecord.QUEUE_OUTPUT);
            ps.setString(3, QueueRecord.STATE_PROCESSING);
            ps.setLong(4, nowMs);
            ps.executeUpdate();
        }
        return agents;
    }

    /**
     * @param query a validated query on {@link TableSchema#ECC_QUEUE}
     * @return the matching records
     * @throws SQLException on a database error
     */
    List<QueueRecord> queryRecords(TableQuery query) throws SQLException {
        return page(sql.get("queue.query"), query, QueueRows::record);
    }

    /**
     * Marks records as the per-agent copies of {@code mid.server.*} work.
     *
     * @param sysIds the copies
     * @throws SQLException on a database error
     */
    void markBroadcast(List<String> sysIds) throws SQLException {
        if (sysIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.broadcast.mark"))) {
            for (String sysId : sysIds) {
                ps.setString(1, sysId);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * @param agentField {@code mid.server.NAME}
     * @return its {@code ready} and {@code processing} output records, in delivery order
     * @throws SQLException on a database error
     */
    List<WaitingOutput> waitingOutputs(String agentField) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.waiting"))) {
            ps.setString(1, agentField);
            ps.setString(2, QueueRecord.QUEUE_OUTPUT);
            ps.setString(3, QueueRecord.STATE_READY);
            ps.setString(4, QueueRecord.STATE_PROCESSING);
            return rows(ps, rs -> new WaitingOutput(rs.getString("sys_id"), rs.getString("topic"),
                    rs.getString("state"), rs.getBoolean("broadcast")));
        }
    }

    /**
     * Readdresses a waiting output record: {@code ready} for its new agent, without a lease, its
     * {@code selection} extended by a note. A record answered meanwhile is left alone.
     *
     * @param moves sys_id → the new {@code agent} field
     * @param notes sys_id → the note for {@code selection}
     * @return how many records moved
     * @throws SQLException on a database error
     */
    int moveOutputs(Map<String, String> moves, Map<String, String> notes) throws SQLException {
        if (moves.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.move"))) {
            for (Map.Entry<String, String> move : moves.entrySet()) {
                String note = notes.get(move.getKey());
                ps.setString(1, move.getValue());
                ps.setString(2, QueueRecord.STATE_READY);
                ps.setString(3, note);
                ps.setString(4, note);
                ps.setString(5, move.getKey());
                ps.setString(6, QueueRecord.QUEUE_OUTPUT);
                ps.setString(7, QueueRecord.STATE_READY);
                ps.setString(8, QueueRecord.STATE_PROCESSING);
                ps.addBatch();
            }
            int moved = 0;
            for (int count : ps.executeBatch()) {
                moved += Math.max(count, 0);
            }
            return moved;
        }
    }

    /** Reads the {@code queue.columns} of a row. */
    private static QueueRecord record(ResultSet rs) throws SQLException {
        String payload = rs.getString("payload");
        return new QueueRecord(rs.getString("sys_id"), rs.getString("agent"), rs.getString("topic"),
                rs.getString("name"), rs.getString("source"), payload == null ? null : JsonColumns.readTree(payload),
                rs.getString("queue"), rs.getString("state"), rs.getString("response_to"), rs.getInt("priority"),
                rs.getString("error_string"), rs.getString("sys_created_on"), rs.getString("processed"),
                rs.getString("application"), rs.getString("capability"), rs.getString("selection"));
    }

    /**
     * @return the records by queue, topic and state
     * @throws SQLException on a database error
     */
    List<io.midway.instance.api.TopicCount> countsByTopic() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.count.by.topic"))) {
            return rows(ps, rs -> new io.midway.instance.api.TopicCount(rs.getString("queue"), rs.getString("topic"),
                    rs.getString("state"), rs.getLong("row_count")));
        }
    }

    /**
     * @param sysIds records' sys_ids
     * @return the {@code agent} field of each that exists
     * @throws SQLException on a database error
     */
    java.util.Map<String, String> agentsOf(java.util.Collection<String> sysIds) throws SQLException {
        java.util.Map<String, String> agents = new java.util.HashMap<>();
        if (sysIds.isEmpty()) {
            return agents;
        }
        try (PreparedStatement ps = connection.prepareStatement(sql.get("queue.agents.of"))) {
            ps.setObject(1, new java.util.LinkedHashSet<>(sysIds).toArray(new String[0]));
            for (String[] row : rows(ps, rs -> new String[] {rs.getString("sys_id"), rs.getString("agent")})) {
                agents.put(row[0], row[1]);
            }
        }
        return agents;
    }
}
