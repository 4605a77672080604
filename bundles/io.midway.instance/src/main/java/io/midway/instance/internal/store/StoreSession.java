package io.midway.instance.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.cluster.AgentCluster;
import io.midway.instance.internal.cluster.ClusterType;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.EventRecord;
import io.midway.wire.InstanceInfo;
import io.midway.wire.SyncFile;

/**
 * The SQL of the instance, on one connection (and so inside one transaction when
 * {@link InstanceStore#transaction} made it). Every value is a statement parameter.
 */
public final class StoreSession {

    /**
     * A heartbeat output record not answered yet.
     *
     * @param sysId its sys_id
     * @param state {@code ready} or {@code processing}
     * @param createdMs when it was written, epoch milliseconds
     */
    public record PendingHeartbeat(String sysId, String state, long createdMs) {
    }

    private static final String RECORD_COLUMNS = "sys_id, agent, topic, name, source, payload, queue, state, "
            + "response_to, priority, error_string, sys_created_on, processed, application, capability, selection";
    /**
     * A file of the file-sync repository as stored.
     *
     * @param file the file
     * @param uploadedOn when its bytes were uploaded, wire format
     */
    public record StoredSyncFile(SyncFile file, String uploadedOn) {
    }

    /**
     * An agent core jar as stored.
     *
     * @param core the core
     * @param uploadedOn when its bytes were uploaded, wire format
     * @param downloads how often agents fetched these bytes completely
     */
    public record StoredCore(InstanceInfo.Core core, String uploadedOn, long downloads) {
    }

    private static final String AGENT_COLUMNS = "sys_id, name, status, validated, version, host_name, ip_address, "
            + "last_refreshed, capabilities, applications, ip_ranges, cluster, is_default, sync_revision, sync_state, "
            + "pinned_version, manual_capabilities, advertised_capabilities";
    /** What is read of an agent: its columns and the fingerprint of its public key (written apart). */
    private static final String AGENT_READ_COLUMNS = AGENT_COLUMNS + ", public_key_fingerprint";
    private static final String CORE_COLUMNS = "symbolic_name, version, sha256, size, uploaded_on, downloads";
    private static final String SYNC_FILE_COLUMNS = "name, kind, symbolic_name, version, sha256, size, uploaded_on";
    private static final String EVENT_COLUMNS = "seq, name, agent, event_time, detail";
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };

    private static final String INSERT_RECORD = "INSERT INTO ecc_queue (" + RECORD_COLUMNS
            + ", created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final int INSERT_BATCH_SIZE = 500;

    private final Connection connection;
    /** The engine's SQL by key ({@code sql/common.sql} and {@code sql/h2.sql}). */
    private final io.midway.instance.internal.store.sql.Statements sql;

    StoreSession(Connection connection, io.midway.instance.internal.store.sql.Statements sql) {
        this.connection = connection;
        this.sql = sql;
    }

    // --- ecc_queue -------------------------------------------------------------------------

    /**
     * @param r the record to store
     * @param createdMs its creation time in epoch milliseconds (orders records within a second)
     * @throws SQLException on a database error
     */
    public void insertRecord(EccRecord r, long createdMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(INSERT_RECORD)) {
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
    public void insertRecords(List<EccRecord> records, long createdMs) throws SQLException {
        if (records.size() == 1) {
            insertRecord(records.get(0), createdMs);
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(INSERT_RECORD)) {
            int pending = 0;
            for (EccRecord r : records) {
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

    private static void bindRecord(PreparedStatement ps, EccRecord r, long createdMs) throws SQLException {
        ps.setString(1, r.sysId());
        ps.setString(2, r.agent());
        ps.setString(3, r.topic());
        ps.setString(4, r.name());
        ps.setString(5, r.source());
        ps.setString(6, r.payload() == null || r.payload().isNull() ? null : writeJson(r.payload()));
        ps.setString(7, r.queue());
        ps.setString(8, r.state());
        ps.setString(9, r.responseTo());
        ps.setInt(10, r.priority() == null ? EccRecord.PRIORITY_STANDARD : r.priority());
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
    public Optional<EccRecord> findRecord(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + RECORD_COLUMNS + " FROM ecc_queue WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return first(readRecords(ps));
        }
    }

    /**
     * @param responseTo the sys_id of an output record
     * @return the first input stored for it
     * @throws SQLException on a database error
     */
    public Optional<EccRecord> findInputFor(String responseTo) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + RECORD_COLUMNS
                + " FROM ecc_queue WHERE response_to = ? AND queue = ? ORDER BY seq FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, responseTo);
            ps.setString(2, EccRecord.QUEUE_INPUT);
            return first(readRecords(ps));
        }
    }

    /**
     * @param agentField {@code mid.server.NAME}
     * @param heartbeatOnly only {@code HeartbeatProbe} records
     * @param interactiveOnly only priority 0
     * @param max the most records to return
     * @return ready output records for the agent, by priority then creation
     * @throws SQLException on a database error
     */
    public List<EccRecord> readyFor(String agentField, boolean heartbeatOnly, boolean interactiveOnly, int max)
            throws SQLException {
        // First the keys, from the delivery index alone (it is in delivery order, so this stops
        // after max entries however long the backlog), then those rows with their payloads.
        StringBuilder sql = new StringBuilder("SELECT seq FROM ecc_queue WHERE agent = ? AND queue = ? AND state = ?");
        if (heartbeatOnly) {
            sql.append(" AND topic = ?");
        }
        if (interactiveOnly) {
            sql.append(" AND priority = ?");
        }
        sql.append(" ORDER BY priority, created_ms, seq FETCH FIRST ? ROWS ONLY");
        List<Long> order = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, agentField);
            ps.setString(i++, EccRecord.QUEUE_OUTPUT);
            ps.setString(i++, EccRecord.STATE_READY);
            if (heartbeatOnly) {
                ps.setString(i++, EccRecord.TOPIC_HEARTBEAT);
            }
            if (interactiveOnly) {
                ps.setInt(i++, EccRecord.PRIORITY_INTERACTIVE);
            }
            ps.setInt(i, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    order.add(rs.getLong(1));
                }
            }
        }
        if (order.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT seq, " + RECORD_COLUMNS + " FROM ecc_queue WHERE seq = ANY(?)")) {
            ps.setObject(1, order.toArray(new Long[0]));
            java.util.Map<Long, EccRecord> bySeq = new java.util.HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bySeq.put(rs.getLong(1), record(rs, 2));
                }
            }
            List<EccRecord> records = new ArrayList<>(order.size());
            for (Long seq : order) {
                EccRecord r = bySeq.get(seq);
                if (r != null) {
                    records.add(r);
                }
            }
            return records;
        }
    }

    /**
     * Marks records {@code processing} until a lease expiry.
     *
     * @param sysIds the records
     * @param leaseExpiresMs lease expiry, epoch milliseconds
     * @throws SQLException on a database error
     */
    public void lease(List<String> sysIds, long leaseExpiresMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE ecc_queue SET state = ?, lease_expires_ms = ? WHERE sys_id = ?")) {
            for (String sysId : sysIds) {
                ps.setString(1, EccRecord.STATE_PROCESSING);
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
    public void markReady(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE ecc_queue SET state = ?, lease_expires_ms = NULL WHERE sys_id = ?")) {
            ps.setString(1, EccRecord.STATE_READY);
            ps.setString(2, sysId);
            ps.executeUpdate();
        }
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
    public void completeOutput(String sysId, String state, String errorString, String processed) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE ecc_queue SET state = ?, error_string = ?, "
                + "processed = ?, lease_expires_ms = NULL WHERE sys_id = ?")) {
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
    public Optional<PendingHeartbeat> pendingHeartbeat(String agentField) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT sys_id, state, created_ms FROM ecc_queue "
                + "WHERE agent = ? AND queue = ? AND topic = ? AND state IN (?, ?) ORDER BY created_ms, seq "
                + "FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, agentField);
            ps.setString(2, EccRecord.QUEUE_OUTPUT);
            ps.setString(3, EccRecord.TOPIC_HEARTBEAT);
            ps.setString(4, EccRecord.STATE_READY);
            ps.setString(5, EccRecord.STATE_PROCESSING);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return Optional.of(new PendingHeartbeat(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
                return Optional.empty();
            }
        }
    }

    /**
     * Puts every {@code processing} output whose lease expired back to {@code ready}.
     *
     * @param nowMs the current time, epoch milliseconds
     * @return the {@code agent} field of each record released
     * @throws SQLException on a database error
     */
    public List<String> expireLeases(long nowMs) throws SQLException {
        List<String> agents = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT agent FROM ecc_queue "
                + "WHERE queue = ? AND state = ? AND lease_expires_ms <= ?")) {
            ps.setString(1, EccRecord.QUEUE_OUTPUT);
            ps.setString(2, EccRecord.STATE_PROCESSING);
            ps.setLong(3, nowMs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    agents.add(rs.getString(1));
                }
            }
        }
        if (agents.isEmpty()) {
            return agents;
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE ecc_queue SET state = ?, "
                + "lease_expires_ms = NULL WHERE queue = ? AND state = ? AND lease_expires_ms <= ?")) {
            ps.setString(1, EccRecord.STATE_READY);
            ps.setString(2, EccRecord.QUEUE_OUTPUT);
            ps.setString(3, EccRecord.STATE_PROCESSING);
            ps.setLong(4, nowMs);
            ps.executeUpdate();
        }
        return agents;
    }

    /** Reads the rows a prepared statement answers. */
    @FunctionalInterface
    private interface RowsReader<T> {
        List<T> read(PreparedStatement ps) throws SQLException;
    }

    /**
     * One page of a Table API query: the select, then the query's condition, order, offset and limit.
     *
     * @param select {@code SELECT columns FROM table}
     * @param query a validated query on that table
     * @param reader reads the rows
     * @return the matching rows
     * @throws SQLException on a database error
     */
    private <T> List<T> page(String select, TableQuery query, RowsReader<T> reader) throws SQLException {
        TableQuery.Sql where = query.where();
        try (PreparedStatement ps = connection.prepareStatement(select + where.text() + query.orderBy()
                + " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")) {
            int i = bind(ps, where.parameters());
            ps.setInt(i++, query.offset());
            ps.setInt(i, query.limit());
            return reader.read(ps);
        }
    }

    /**
     * @param query a validated query on {@link TableSchema#ECC_QUEUE}
     * @return the matching records
     * @throws SQLException on a database error
     */
    public List<EccRecord> queryRecords(TableQuery query) throws SQLException {
        return page("SELECT " + RECORD_COLUMNS + " FROM ecc_queue", query, this::readRecords);
    }

    /**
     * @param query a query on either table; its fields, order, limit and offset do not matter
     * @return how many rows match its condition
     * @throws SQLException on a database error
     */
    public long count(TableQuery query) throws SQLException {
        TableQuery.Sql where = query.where();
        try (PreparedStatement ps = connection.prepareStatement("SELECT COUNT(*) FROM " + query.table().name()
                + where.text())) {
            bind(ps, where.parameters());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private List<EccRecord> readRecords(PreparedStatement ps) throws SQLException {
        List<EccRecord> records = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                records.add(record(rs, 1));
            }
        }
        return records;
    }

    /** Reads the {@link #RECORD_COLUMNS} that start at column {@code c}. */
    private EccRecord record(ResultSet rs, int c) throws SQLException {
        String payload = rs.getString(c + 5);
        return new EccRecord(rs.getString(c), rs.getString(c + 1), rs.getString(c + 2), rs.getString(c + 3),
                rs.getString(c + 4), payload == null ? null : readJson(payload), rs.getString(c + 6),
                rs.getString(c + 7), rs.getString(c + 8), rs.getInt(c + 9), rs.getString(c + 10),
                rs.getString(c + 11), rs.getString(c + 12), rs.getString(c + 13), rs.getString(c + 14),
                rs.getString(c + 15));
    }

    // --- ecc_agent -------------------------------------------------------------------------

    /**
     * @param agent a new agent
     * @param createdMs registration time, epoch milliseconds (also the time of its last heartbeat)
     * @throws SQLException on a database error
     */
    public void insertAgent(AgentRecord agent, long createdMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO ecc_agent (" + AGENT_COLUMNS
                + ", created_ms, last_heartbeat_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, agent.sysId());
            ps.setString(2, agent.name());
            int i = bindAgentState(ps, agent, 3);
            ps.setLong(i++, createdMs);
            ps.setLong(i, createdMs);
            ps.executeUpdate();
        }
    }

    /**
     * Stores every field of an agent but its sys_id and name. A record of an older shape (no
     * {@code advertised_capabilities}) stores its {@code capabilities} as advertised and no
     * hand-set ones; {@code capabilities} is stored as given (the caller keeps it the union).
     *
     * @param agent the agent, found by sys_id
     * @throws SQLException on a database error
     */
    public void updateAgent(AgentRecord agent) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE ecc_agent SET status = ?, validated = ?, "
                + "version = ?, host_name = ?, ip_address = ?, last_refreshed = ?, capabilities = ?, "
                + "applications = ?, ip_ranges = ?, cluster = ?, is_default = ?, sync_revision = ?, sync_state = ?, "
                + "pinned_version = ?, manual_capabilities = ?, advertised_capabilities = ? WHERE sys_id = ?")) {
            int i = bindAgentState(ps, agent, 1);
            ps.setString(i, agent.sysId());
            ps.executeUpdate();
        }
    }

    private static int bindAgentState(PreparedStatement ps, AgentRecord agent, int start) throws SQLException {
        int i = start;
        ps.setString(i++, agent.status());
        ps.setBoolean(i++, agent.validated());
        ps.setString(i++, agent.version());
        ps.setString(i++, agent.hostName());
        ps.setString(i++, agent.ipAddress());
        ps.setString(i++, agent.lastRefreshed());
        ps.setString(i++, writeJson(nonNull(agent.capabilities())));
        ps.setString(i++, writeJson(nonNull(agent.applications())));
        ps.setString(i++, writeJson(nonNull(agent.ipRanges())));
        ps.setString(i++, agent.cluster() == null ? "" : agent.cluster());
        ps.setBoolean(i++, agent.isDefault());
        ps.setString(i++, agent.syncRevision());
        ps.setString(i++, agent.syncState());
        ps.setString(i++, agent.pinnedVersion());
        ps.setString(i++, writeJson(nonNull(agent.manualCapabilities())));
        ps.setString(i++, writeJson(agent.advertisedCapabilities() != null ? agent.advertisedCapabilities()
                : nonNull(agent.capabilities())));
        return i;
    }

    /**
     * @param name an agent name
     * @return the agent
     * @throws SQLException on a database error
     */
    public Optional<AgentRecord> findAgentByName(String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + AGENT_READ_COLUMNS + " FROM ecc_agent WHERE name = ?")) {
            ps.setString(1, name);
            return first(readAgents(ps));
        }
    }

    /**
     * @param sysId a sys_id
     * @return the agent
     * @throws SQLException on a database error
     */
    public Optional<AgentRecord> findAgent(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + AGENT_READ_COLUMNS + " FROM ecc_agent WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return first(readAgents(ps));
        }
    }

    /**
     * @return every agent, by name
     * @throws SQLException on a database error
     */
    public List<AgentRecord> agents() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + AGENT_READ_COLUMNS + " FROM ecc_agent ORDER BY name")) {
            return readAgents(ps);
        }
    }

    /**
     * @param query a validated query on {@link TableSchema#ECC_AGENT}
     * @return the matching agents
     * @throws SQLException on a database error
     */
    public List<AgentRecord> queryAgents(TableQuery query) throws SQLException {
        return page("SELECT " + AGENT_READ_COLUMNS + " FROM ecc_agent", query, this::readAgents);
    }

    /**
     * @param cutoffMs agents whose last heartbeat was written at or before this time are due
     * @return names of agents due for a heartbeat that have none pending
     * @throws SQLException on a database error
     */
    public List<String> agentsDueForHeartbeat(long cutoffMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT a.name FROM ecc_agent a "
                + "WHERE a.last_heartbeat_ms <= ? AND NOT EXISTS (SELECT 1 FROM ecc_queue q "
                + "WHERE q.agent = CONCAT(?, a.name) AND q.queue = ? AND q.topic = ? AND q.state IN (?, ?)) "
                + "ORDER BY a.name")) {
            ps.setLong(1, cutoffMs);
            ps.setString(2, EccRecord.AGENT_PREFIX);
            ps.setString(3, EccRecord.QUEUE_OUTPUT);
            ps.setString(4, EccRecord.TOPIC_HEARTBEAT);
            ps.setString(5, EccRecord.STATE_READY);
            ps.setString(6, EccRecord.STATE_PROCESSING);
            List<String> names = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }

    /**
     * @param name an agent name
     * @param sentMs when its latest heartbeat was written, epoch milliseconds
     * @throws SQLException on a database error
     */
    public void setLastHeartbeat(String name, long sentMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE ecc_agent SET last_heartbeat_ms = ? WHERE name = ?")) {
            ps.setLong(1, sentMs);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    private List<AgentRecord> readAgents(PreparedStatement ps) throws SQLException {
        List<AgentRecord> agents = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                agents.add(new AgentRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        readList(rs.getString(9)), readList(rs.getString(10)), readList(rs.getString(11)),
                        rs.getString(12), rs.getBoolean(13), rs.getString(14), rs.getString(15), rs.getString(16),
                        rs.getString(19), readList(rs.getString(17)), readList(rs.getString(18))));
            }
        }
        return agents;
    }

    // --- sync_file, sync_revision ------------------------------------------------------------

    /**
     * @return the file-sync revision: 0 until the first change, then one more with every change
     * @throws SQLException on a database error
     */
    public long syncRevision() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT revision FROM sync_revision WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * @return the new file-sync revision, one more than before
     * @throws SQLException on a database error
     */
    public long incrementSyncRevision() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE sync_revision SET revision = revision + 1 WHERE id = 1")) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the sync_revision row is missing");
            }
        }
        return syncRevision();
    }

    /**
     * @return every file of the file-sync repository, by symbolic name
     * @throws SQLException on a database error
     */
    public List<StoredSyncFile> syncFiles() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + SYNC_FILE_COLUMNS + " FROM sync_file ORDER BY symbolic_name")) {
            return readSyncFiles(ps);
        }
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return its file
     * @throws SQLException on a database error
     */
    public Optional<StoredSyncFile> findSyncFile(String symbolicName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + SYNC_FILE_COLUMNS + " FROM sync_file WHERE symbolic_name = ?")) {
            ps.setString(1, symbolicName);
            return first(readSyncFiles(ps));
        }
    }

    /**
     * @param sha256 a hash, hex, lower case
     * @return the current file with these bytes
     * @throws SQLException on a database error
     */
    public Optional<StoredSyncFile> findSyncFileBySha256(String sha256) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + SYNC_FILE_COLUMNS
                + " FROM sync_file WHERE sha256 = ? ORDER BY symbolic_name FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, sha256);
            return first(readSyncFiles(ps));
        }
    }

    /**
     * Inserts the file, or replaces the one with the same symbolic name.
     *
     * @param file the file
     * @param uploadedOn when, wire format
     * @throws SQLException on a database error
     */
    public void putSyncFile(SyncFile file, String uploadedOn) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("MERGE INTO sync_file (" + SYNC_FILE_COLUMNS
                + ") KEY (symbolic_name) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, file.name());
            ps.setString(2, file.kind());
            ps.setString(3, file.symbolicName());
            ps.setString(4, file.version());
            ps.setString(5, file.sha256());
            ps.setLong(6, file.size());
            ps.setString(7, uploadedOn);
            ps.executeUpdate();
        }
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return whether a file was removed
     * @throws SQLException on a database error
     */
    public boolean deleteSyncFile(String symbolicName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM sync_file WHERE symbolic_name = ?")) {
            ps.setString(1, symbolicName);
            return ps.executeUpdate() > 0;
        }
    }

    private static List<StoredSyncFile> readSyncFiles(PreparedStatement ps) throws SQLException {
        List<StoredSyncFile> files = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                files.add(new StoredSyncFile(new SyncFile(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getLong(6)), rs.getString(7)));
            }
        }
        return files;
    }

    // --- agent_core, instance_state ----------------------------------------------------------

    /**
     * @return the instance version an upload set, or {@code null} when no core was ever uploaded
     * @throws SQLException on a database error
     */
    public String instanceVersion() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT version FROM instance_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * @param version the new instance version
     * @throws SQLException on a database error
     */
    public void setInstanceVersion(String version) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "MERGE INTO instance_state (id, version) KEY (id) VALUES (1, ?)")) {
            ps.setString(1, version);
            ps.executeUpdate();
        }
    }

    /**
     * @return every stored agent core, in no particular order
     * @throws SQLException on a database error
     */
    public List<StoredCore> cores() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + CORE_COLUMNS + " FROM agent_core")) {
            return readCores(ps);
        }
    }

    /**
     * @param version a Bundle-Version, normalised
     * @return the core of that version
     * @throws SQLException on a database error
     */
    public Optional<StoredCore> findCore(String version) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + CORE_COLUMNS + " FROM agent_core WHERE version = ?")) {
            ps.setString(1, version);
            return first(readCores(ps));
        }
    }

    /**
     * @param sha256 a hash, hex, lower case
     * @return the stored core with these bytes
     * @throws SQLException on a database error
     */
    public Optional<StoredCore> findCoreBySha256(String sha256) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + CORE_COLUMNS
                + " FROM agent_core WHERE sha256 = ? ORDER BY version FETCH FIRST 1 ROWS ONLY")) {
            ps.setString(1, sha256);
            return first(readCores(ps));
        }
    }

    /**
     * Inserts the core, or replaces the one of the same version; its download count starts at 0.
     *
     * @param core the core
     * @param uploadedOn when, wire format
     * @throws SQLException on a database error
     */
    public void putCore(InstanceInfo.Core core, String uploadedOn) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("MERGE INTO agent_core (" + CORE_COLUMNS
                + ") KEY (version) VALUES (?, ?, ?, ?, ?, 0)")) {
            ps.setString(1, core.symbolicName());
            ps.setString(2, core.version());
            ps.setString(3, core.sha256());
            ps.setLong(4, core.size());
            ps.setString(5, uploadedOn);
            ps.executeUpdate();
        }
    }

    /**
     * @param sha256 the hash of a core an agent fetched completely
     * @return whether a core has that hash
     * @throws SQLException on a database error
     */
    public boolean countCoreDownload(String sha256) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE agent_core SET downloads = downloads + 1 WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            return ps.executeUpdate() > 0;
        }
    }

    private static List<StoredCore> readCores(PreparedStatement ps) throws SQLException {
        List<StoredCore> cores = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                cores.add(new StoredCore(new InstanceInfo.Core(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getLong(4)), rs.getString(5), rs.getLong(6)));
            }
        }
        return cores;
    }

    // --- discovery_credentials, credential revision ----------------------------------------

    /**
     * A credential as stored: its secrets are ciphertexts (the caller encrypts and decrypts them).
     *
     * @param sysId its sys_id
     * @param name its unique name
     * @param type its type ({@code basic}, {@code ssh_key} …)
     * @param order the order agents try credentials in, lowest first
     * @param active whether agents get it
     * @param fields the non-secret fields that are set, by name
     * @param secrets the secret fields that are set: name → ciphertext
     * @param resolver the external resolver on the agent, or {@code null} for a credential held here
     * @param externalId the id the resolver knows it by, or {@code null}
     * @param createdMs when it was created, epoch milliseconds
     * @param updatedMs when it was last changed, epoch milliseconds
     */
    public record StoredCredential(String sysId, String name, String type, int order, boolean active,
            Map<String, String> fields, Map<String, String> secrets, String resolver, String externalId,
            long createdMs, long updatedMs) {

        /** Copies the maps (sorted by name, unmodifiable). */
        public StoredCredential {
            fields = Collections.unmodifiableMap(new TreeMap<>(fields));
            secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
        }
    }

    private static final String CREDENTIAL_COLUMNS = "sys_id, name, type, cred_order, active, fields, secrets, "
            + "resolver, external_id, created_ms, updated_ms";
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    /**
     * @param credential a new credential
     * @throws SQLException on a database error (a duplicate sys_id or name among them)
     */
    public void insertCredential(StoredCredential credential) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO discovery_credentials ("
                + CREDENTIAL_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, credential.sysId());
            ps.setString(2, credential.name());
            int i = bindCredential(ps, credential, 3);
            ps.setLong(i++, credential.createdMs());
            ps.setLong(i, credential.updatedMs());
            ps.executeUpdate();
        }
    }

    /**
     * Stores every field of a credential but its sys_id and creation time.
     *
     * @param credential the credential, found by sys_id
     * @return whether it existed
     * @throws SQLException on a database error
     */
    public boolean updateCredential(StoredCredential credential) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE discovery_credentials SET name = ?, "
                + "type = ?, cred_order = ?, active = ?, fields = ?, secrets = ?, resolver = ?, external_id = ?, "
                + "updated_ms = ? WHERE sys_id = ?")) {
            ps.setString(1, credential.name());
            int i = bindCredential(ps, credential, 2);
            ps.setLong(i++, credential.updatedMs());
            ps.setString(i, credential.sysId());
            return ps.executeUpdate() > 0;
        }
    }

    private static int bindCredential(PreparedStatement ps, StoredCredential c, int start) throws SQLException {
        int i = start;
        ps.setString(i++, c.type());
        ps.setInt(i++, c.order());
        ps.setBoolean(i++, c.active());
        ps.setString(i++, writeJson(c.fields()));
        ps.setString(i++, writeJson(c.secrets()));
        ps.setString(i++, c.resolver());
        ps.setString(i++, c.externalId());
        return i;
    }

    /**
     * @param sysId a sys_id
     * @return whether a credential was removed
     * @throws SQLException on a database error
     */
    public boolean deleteCredential(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM discovery_credentials WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * @param sysId a sys_id
     * @return the credential
     * @throws SQLException on a database error
     */
    public Optional<StoredCredential> findCredential(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + CREDENTIAL_COLUMNS + " FROM discovery_credentials WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return first(readCredentials(ps));
        }
    }

    /**
     * @param name a credential name
     * @return the credential
     * @throws SQLException on a database error
     */
    public Optional<StoredCredential> findCredentialByName(String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + CREDENTIAL_COLUMNS + " FROM discovery_credentials WHERE name = ?")) {
            ps.setString(1, name);
            return first(readCredentials(ps));
        }
    }

    /**
     * @return the active credentials, by order then name
     * @throws SQLException on a database error
     */
    public List<StoredCredential> activeCredentials() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + CREDENTIAL_COLUMNS
                + " FROM discovery_credentials WHERE active = TRUE ORDER BY cred_order, name, seq")) {
            return readCredentials(ps);
        }
    }

    /**
     * @return how many credentials hold at least one secret
     * @throws SQLException on a database error
     */
    public long credentialsWithSecrets() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT COUNT(*) FROM discovery_credentials WHERE secrets <> '{}'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * @param query a validated query on {@link TableSchema#DISCOVERY_CREDENTIALS}
     * @return the matching credentials
     * @throws SQLException on a database error
     */
    public List<StoredCredential> queryCredentials(TableQuery query) throws SQLException {
        return page("SELECT " + CREDENTIAL_COLUMNS + " FROM discovery_credentials", query, StoreSession::readCredentials);
    }

    private static List<StoredCredential> readCredentials(PreparedStatement ps) throws SQLException {
        List<StoredCredential> credentials = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                credentials.add(new StoredCredential(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getBoolean(5), readMap(rs.getString(6)), readMap(rs.getString(7)), rs.getString(8),
                        rs.getString(9), rs.getLong(10), rs.getLong(11)));
            }
        }
        return credentials;
    }

    /**
     * @return the credential revision: 0 until the first change, then one more with every change
     * @throws SQLException on a database error
     */
    public long credentialRevision() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT credential_revision FROM instance_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * @return the new credential revision, one more than before
     * @throws SQLException on a database error
     */
    public long incrementCredentialRevision() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE instance_state SET credential_revision = credential_revision + 1 WHERE id = 1")) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the instance_state row is missing");
            }
        }
        return credentialRevision();
    }

    /**
     * @return the check value of the master key the secrets are encrypted with, or {@code null}
     *     before the first start with credentials
     * @throws SQLException on a database error
     */
    public String credentialKeyCheck() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT credential_key_check FROM instance_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * @param check the check value of the master key
     * @throws SQLException on a database error
     */
    public void setCredentialKeyCheck(String check) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE instance_state SET credential_key_check = ? WHERE id = 1")) {
            ps.setString(1, check);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("the instance_state row is missing");
            }
        }
    }

    // --- agents' public keys -----------------------------------------------------------------

    /**
     * @param agentName an agent
     * @param publicKey its public key as text (base64 X.509)
     * @param fingerprint the key's fingerprint
     * @throws SQLException on a database error
     */
    public void setAgentPublicKey(String agentName, String publicKey, String fingerprint) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE ecc_agent SET public_key = ?, public_key_fingerprint = ? WHERE name = ?")) {
            ps.setString(1, publicKey);
            ps.setString(2, fingerprint);
            ps.setString(3, agentName);
            ps.executeUpdate();
        }
    }

    /**
     * @param agentName an agent
     * @return its public key as text, when it registered one
     * @throws SQLException on a database error
     */
    public Optional<String> agentPublicKey(String agentName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT public_key FROM ecc_agent WHERE name = ?")) {
            ps.setString(1, agentName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Keeps a key an agent registered that is not its validated one, until an admin validates it.
     *
     * @param agentName an agent
     * @param publicKey the new key as text, or {@code null} to forget a pending key
     * @param fingerprint its fingerprint, or {@code null}
     * @throws SQLException on a database error
     */
    public void setAgentPendingKey(String agentName, String publicKey, String fingerprint) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE ecc_agent SET pending_public_key = ?, pending_key_fingerprint = ? WHERE name = ?")) {
            ps.setString(1, publicKey);
            ps.setString(2, fingerprint);
            ps.setString(3, agentName);
            ps.executeUpdate();
        }
    }

    /**
     * A key waiting for an admin's validation.
     *
     * @param text the key as text
     * @param fingerprint its fingerprint
     */
    public record PendingKey(String text, String fingerprint) {
    }

    /**
     * @param agentName an agent
     * @return the key it registered that waits for validation, if any
     * @throws SQLException on a database error
     */
    public Optional<PendingKey> agentPendingKey(String agentName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT pending_public_key, pending_key_fingerprint FROM ecc_agent WHERE name = ?")) {
            ps.setString(1, agentName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getString("pending_public_key") != null) {
                    return Optional.of(new PendingKey(rs.getString("pending_public_key"),
                            rs.getString("pending_key_fingerprint")));
                }
                return Optional.empty();
            }
        }
    }

    // --- sys_user: the identities that may log in (agents and admins created through the API) ---

    /**
     * One identity.
     *
     * @param sysId its sys_id
     * @param userName the name it logs in with
     * @param roles its roles, comma separated
     * @param agent the agent it acts for ({@code mid_server} identities), or {@code null}
     * @param active whether it may log in
     * @param passwordHash the hash of its password ({@code pbkdf2$…})
     * @param source {@code enrolled} (made at an agent's first registration) or {@code admin}
     * @param createdOn when it was made
     */
    public record UserRow(String sysId, String userName, String roles, String agent, boolean active,
            String passwordHash, String source, String createdOn) {
    }

    private static UserRow userRow(ResultSet rs) throws SQLException {
        return new UserRow(rs.getString("sys_id"), rs.getString("user_name"), rs.getString("roles"),
                rs.getString("agent"), rs.getBoolean("active"), rs.getString("password_hash"), rs.getString("source"),
                rs.getString("sys_created_on"));
    }

    /**
     * @param user a new identity
     * @throws SQLException on a database error (a taken user name among them)
     */
    public void insertUser(UserRow user) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO sys_user (sys_id, user_name, roles, agent, "
                + "active, password_hash, source, sys_created_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, user.sysId());
            ps.setString(2, user.userName());
            ps.setString(3, user.roles());
            ps.setString(4, user.agent());
            ps.setBoolean(5, user.active());
            ps.setString(6, user.passwordHash());
            ps.setString(7, user.source());
            ps.setString(8, user.createdOn());
            ps.executeUpdate();
        }
    }

    /**
     * @param user the identity as it is to be (found by sys_id)
     * @throws SQLException on a database error
     */
    public void updateUser(UserRow user) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE sys_user SET user_name = ?, roles = ?, "
                + "agent = ?, active = ?, password_hash = ? WHERE sys_id = ?")) {
            ps.setString(1, user.userName());
            ps.setString(2, user.roles());
            ps.setString(3, user.agent());
            ps.setBoolean(4, user.active());
            ps.setString(5, user.passwordHash());
            ps.setString(6, user.sysId());
            ps.executeUpdate();
        }
    }

    /**
     * @param sysId an identity's sys_id
     * @return whether it was there
     * @throws SQLException on a database error
     */
    public boolean deleteUser(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM sys_user WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * @return every identity, oldest first
     * @throws SQLException on a database error
     */
    public List<UserRow> users() throws SQLException {
        List<UserRow> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT * FROM sys_user ORDER BY seq");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(userRow(rs));
            }
        }
        return out;
    }

    // --- dscy_credentials_affinity ---------------------------------------------------------------

    /**
     * One row of credential affinity: on this agent, this credential worked for this target.
     *
     * @param sysId its sys_id
     * @param agent the agent's name
     * @param credential the sys_id of the {@code discovery_credentials} record
     * @param credentialName that credential's name, read with the row ({@code null} when written)
     * @param type the credential type ({@code basic}, {@code ssh_key} …)
     * @param target the IP address or host name it worked for
     * @param updatedMs when the row was written or last changed, epoch milliseconds
     */
    public record StoredAffinity(String sysId, String agent, String credential, String credentialName, String type,
            String target, long updatedMs) {
    }

    private static final String AFFINITY_SELECT = "SELECT a.sys_id, a.agent, a.credential, "
            + "(SELECT c.name FROM discovery_credentials c WHERE c.sys_id = a.credential), a.type, a.target, "
            + "a.updated_ms FROM dscy_credentials_affinity a";

    /**
     * @param agentName an agent
     * @return its affinity rows, by type then target
     * @throws SQLException on a database error
     */
    public List<StoredAffinity> affinityOf(String agentName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(AFFINITY_SELECT
                + " WHERE a.agent = ? ORDER BY a.type, a.target, a.seq")) {
            ps.setString(1, agentName);
            return readAffinity(ps);
        }
    }

    /**
     * @param row a new row (its {@code credentialName} is not stored)
     * @throws SQLException on a database error (a duplicate sys_id, or agent, type and target)
     */
    public void insertAffinity(StoredAffinity row) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO dscy_credentials_affinity "
                + "(sys_id, agent, credential, type, target, updated_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, row.sysId());
            ps.setString(2, row.agent());
            ps.setString(3, row.credential());
            ps.setString(4, row.type());
            ps.setString(5, row.target());
            ps.setLong(6, row.updatedMs());
            ps.executeUpdate();
        }
    }

    /**
     * @param sysId a row's sys_id
     * @param credential the credential that now holds the affinity
     * @param updatedMs the time of the change, epoch milliseconds
     * @return whether the row existed
     * @throws SQLException on a database error
     */
    public boolean updateAffinityCredential(String sysId, String credential, long updatedMs) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE dscy_credentials_affinity SET credential = ?, updated_ms = ? WHERE sys_id = ?")) {
            ps.setString(1, credential);
            ps.setLong(2, updatedMs);
            ps.setString(3, sysId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * @param sysId a row's sys_id
     * @return whether a row was removed
     * @throws SQLException on a database error
     */
    public boolean deleteAffinity(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "DELETE FROM dscy_credentials_affinity WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * @param credential the sys_id of a credential
     * @return how many affinity rows named it (all removed)
     * @throws SQLException on a database error
     */
    public int deleteAffinityOfCredential(String credential) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "DELETE FROM dscy_credentials_affinity WHERE credential = ?")) {
            ps.setString(1, credential);
            return ps.executeUpdate();
        }
    }

    /**
     * @param sysId a row's sys_id
     * @return the row, with its credential's name
     * @throws SQLException on a database error
     */
    public Optional<StoredAffinity> findAffinity(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(AFFINITY_SELECT + " WHERE a.sys_id = ?")) {
            ps.setString(1, sysId);
            return first(readAffinity(ps));
        }
    }

    /**
     * @param query a validated query on {@link TableSchema#DSCY_CREDENTIALS_AFFINITY}
     * @return the matching rows, with their credentials' names
     * @throws SQLException on a database error
     */
    public List<StoredAffinity> queryAffinity(TableQuery query) throws SQLException {
        // the query's column names are unqualified; in the outer query they can only mean a's
        return page(AFFINITY_SELECT, query, StoreSession::readAffinity);
    }

    /**
     * @param sysIds credential sys_ids
     * @return those of them that name a stored credential
     * @throws SQLException on a database error
     */
    public java.util.Set<String> existingCredentials(java.util.Collection<String> sysIds) throws SQLException {
        java.util.Set<String> found = new java.util.HashSet<>();
        List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(sysIds));
        for (int from = 0; from < all.size(); from += TableQuery.MAX_IN_VALUES) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + TableQuery.MAX_IN_VALUES));
            String placeholders = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT sys_id FROM discovery_credentials WHERE sys_id IN (" + placeholders + ")")) {
                int i = 1;
                for (String id : chunk) {
                    ps.setString(i++, id);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
            }
        }
        return found;
    }

    private static List<StoredAffinity> readAffinity(PreparedStatement ps) throws SQLException {
        List<StoredAffinity> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new StoredAffinity(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(7)));
            }
        }
        return rows;
    }

    // --- ecc_agent_cluster -----------------------------------------------------------------

    private static final String CLUSTER_COLUMNS = "sys_id, name, type, members, created_ms, updated_ms";

    /**
     * @param cluster a new cluster
     * @throws SQLException on a database error (a duplicate sys_id or name)
     */
    public void insertCluster(AgentCluster cluster) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO ecc_agent_cluster (" + CLUSTER_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, cluster.sysId());
            ps.setString(2, cluster.name());
            ps.setString(3, cluster.type().label());
            ps.setString(4, writeJson(cluster.members()));
            ps.setLong(5, cluster.createdMs());
            ps.setLong(6, cluster.updatedMs());
            ps.executeUpdate();
        }
    }

    /**
     * Stores the name, type, members and update time of a cluster.
     *
     * @param cluster the cluster, found by sys_id
     * @return whether it existed
     * @throws SQLException on a database error
     */
    public boolean updateCluster(AgentCluster cluster) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE ecc_agent_cluster SET name = ?, type = ?, "
                + "members = ?, updated_ms = ? WHERE sys_id = ?")) {
            ps.setString(1, cluster.name());
            ps.setString(2, cluster.type().label());
            ps.setString(3, writeJson(cluster.members()));
            ps.setLong(4, cluster.updatedMs());
            ps.setString(5, cluster.sysId());
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * @param sysId a cluster's sys_id
     * @return whether it was removed
     * @throws SQLException on a database error
     */
    public boolean deleteCluster(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM ecc_agent_cluster WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * @param sysId a sys_id
     * @return the cluster
     * @throws SQLException on a database error
     */
    public Optional<AgentCluster> findCluster(String sysId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + CLUSTER_COLUMNS + " FROM ecc_agent_cluster WHERE sys_id = ?")) {
            ps.setString(1, sysId);
            return first(readClusters(ps));
        }
    }

    /**
     * @param name a cluster name
     * @return the cluster
     * @throws SQLException on a database error
     */
    public Optional<AgentCluster> findClusterByName(String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + CLUSTER_COLUMNS + " FROM ecc_agent_cluster WHERE name = ?")) {
            ps.setString(1, name);
            return first(readClusters(ps));
        }
    }

    /**
     * @return every cluster, by name
     * @throws SQLException on a database error
     */
    public List<AgentCluster> clusters() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT " + CLUSTER_COLUMNS + " FROM ecc_agent_cluster ORDER BY name, seq")) {
            return readClusters(ps);
        }
    }

    /**
     * @param query a validated query on {@link TableSchema#ECC_AGENT_CLUSTER}
     * @return the matching clusters
     * @throws SQLException on a database error
     */
    public List<AgentCluster> queryClusters(TableQuery query) throws SQLException {
        return page("SELECT " + CLUSTER_COLUMNS + " FROM ecc_agent_cluster", query, StoreSession::readClusters);
    }

    /**
     * Sets the {@code cluster} field of registered agents (names not registered are skipped).
     *
     * @param agentNames agent names
     * @param cluster the cluster name, or {@code ""} for none
     * @throws SQLException on a database error
     */
    public void setAgentCluster(java.util.Collection<String> agentNames, String cluster) throws SQLException {
        if (agentNames.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE ecc_agent SET cluster = ? WHERE name = ?")) {
            for (String name : agentNames) {
                ps.setString(1, cluster);
                ps.setString(2, name);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static List<AgentCluster> readClusters(PreparedStatement ps) throws SQLException {
        List<AgentCluster> clusters = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String type = rs.getString(3);
                clusters.add(new AgentCluster(rs.getString(1), rs.getString(2), ClusterType.forLabel(type)
                        .orElseThrow(() -> new SQLException("stored cluster type '" + type + "' is unknown")),
                        readList(rs.getString(4)), rs.getLong(5), rs.getLong(6)));
            }
        }
        return clusters;
    }

    // --- failover ----------------------------------------------------------------------------

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

    /**
     * Marks records as the per-agent copies of {@code mid.server.*} work.
     *
     * @param sysIds the copies
     * @throws SQLException on a database error
     */
    public void markBroadcast(List<String> sysIds) throws SQLException {
        if (sysIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE ecc_queue SET broadcast = TRUE WHERE sys_id = ?")) {
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
    public List<WaitingOutput> waitingOutputs(String agentField) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT sys_id, topic, state, broadcast FROM ecc_queue "
                + "WHERE agent = ? AND queue = ? AND state IN (?, ?) ORDER BY priority, created_ms, seq")) {
            ps.setString(1, agentField);
            ps.setString(2, EccRecord.QUEUE_OUTPUT);
            ps.setString(3, EccRecord.STATE_READY);
            ps.setString(4, EccRecord.STATE_PROCESSING);
            List<WaitingOutput> records = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.add(new WaitingOutput(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                }
            }
            return records;
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
    public int moveOutputs(Map<String, String> moves, Map<String, String> notes) throws SQLException {
        if (moves.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE ecc_queue SET agent = ?, state = ?, "
                + "lease_expires_ms = NULL, selection = CASE WHEN selection IS NULL OR selection = '' THEN ? "
                + "ELSE CONCAT(selection, '; ', ?) END WHERE sys_id = ? AND queue = ? AND state IN (?, ?)")) {
            for (Map.Entry<String, String> move : moves.entrySet()) {
                String note = notes.get(move.getKey());
                ps.setString(1, move.getValue());
                ps.setString(2, EccRecord.STATE_READY);
                ps.setString(3, note);
                ps.setString(4, note);
                ps.setString(5, move.getKey());
                ps.setString(6, EccRecord.QUEUE_OUTPUT);
                ps.setString(7, EccRecord.STATE_READY);
                ps.setString(8, EccRecord.STATE_PROCESSING);
                ps.addBatch();
            }
            int moved = 0;
            for (int count : ps.executeBatch()) {
                moved += Math.max(count, 0);
            }
            return moved;
        }
    }

    // --- ecc_event -------------------------------------------------------------------------

    /**
     * @param name the event name
     * @param agent the agent name it concerns, may be null
     * @param time when, wire format
     * @param detail a sentence for the operator
     * @return the stored event with its sequence number
     * @throws SQLException on a database error
     */
    public EventRecord insertEvent(String name, String agent, String time, String detail) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO ecc_event (name, agent, event_time, detail) VALUES (?, ?, ?, ?)", new String[] {"seq"})) {
            ps.setString(1, name);
            if (agent == null) {
                ps.setNull(2, Types.VARCHAR);
            } else {
                ps.setString(2, agent);
            }
            ps.setString(3, time);
            ps.setString(4, detail);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return new EventRecord(keys.getLong(1), name, agent == null ? "" : agent, time, detail);
            }
        }
    }

    /**
     * @param since a sequence number
     * @param limit the most events to return
     * @return events after it, oldest first
     * @throws SQLException on a database error
     */
    public List<EventRecord> eventsSince(long since, int limit) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + EVENT_COLUMNS
                + " FROM ecc_event WHERE seq > ? ORDER BY seq FETCH FIRST ? ROWS ONLY")) {
            ps.setLong(1, since);
            ps.setInt(2, limit);
            List<EventRecord> events = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String agent = rs.getString(3);
                    events.add(new EventRecord(rs.getLong(1), rs.getString(2), agent == null ? "" : agent,
                            rs.getString(4), rs.getString(5)));
                }
            }
            return events;
        }
    }

    // --- helpers ---------------------------------------------------------------------------

    private static int bind(PreparedStatement ps, List<Object> parameters) throws SQLException {
        int i = 1;
        for (Object p : parameters) {
            ps.setObject(i++, p);
        }
        return i;
    }

    private static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    private static List<String> nonNull(List<String> list) {
        return list == null ? List.of() : list;
    }

    private static String writeJson(Object value) {
        try {
            return io.midway.wire.Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode readJson(String text) throws SQLException {
        try {
            return io.midway.wire.Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored JSON is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, String> readMap(String text) throws SQLException {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        try {
            return io.midway.wire.Json.mapper().readValue(text, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored map is corrupt: " + e.getOriginalMessage(), e);
        }
    }

    private static List<String> readList(String text) throws SQLException {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        try {
            return io.midway.wire.Json.mapper().readValue(text, STRING_LIST);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored list is corrupt: " + e.getOriginalMessage(), e);
        }
    }
}
