package io.midway.instance.store;

import io.midway.instance.api.NodeRow;
import io.midway.instance.api.UserRow;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceDescription;
import io.midway.instance.api.RepositoryFile;

/**
 * The SQL of the instance, on one connection (and so inside one transaction when
 * {@link InstanceStore#transaction} made it). Every value is a statement parameter.
 *
 * <p>Each method hands over to the rows of its table ({@link QueueRows}, {@link AgentRows},
 * {@link SyncRows}, {@link CoreRows}, {@link CredentialRows}, {@link AffinityRows},
 * {@link UserRows}, {@link ClusterRows}, {@link EventRows}, {@link TableCounts}), which run the
 * engine's statements by key ({@code sql/common.sql} overlaid by {@code sql/h2.sql}) and read
 * rows by column name; what each method does in detail is documented there.
 */
public final class StoreSession {

    private final QueueRows queue;
    private final AgentRows agents;
    private final SyncRows sync;
    private final CoreRows cores;
    private final CredentialRows credentials;
    private final AffinityRows affinity;
    private final UserRows users;
    private final ClusterRows clusters;
    private final EventRows events;
    private final TableCounts counts;
    private final JarRows jars;
    private final NodeRows nodes;
    private final SettingRows settings;

    StoreSession(Connection connection, Statements sql) {
        queue = new QueueRows(connection, sql);
        agents = new AgentRows(connection, sql);
        sync = new SyncRows(connection, sql);
        cores = new CoreRows(connection, sql);
        credentials = new CredentialRows(connection, sql);
        affinity = new AffinityRows(connection, sql);
        users = new UserRows(connection, sql);
        clusters = new ClusterRows(connection, sql);
        events = new EventRows(connection, sql);
        counts = new TableCounts(connection, sql);
        jars = new JarRows(connection, sql);
        nodes = new NodeRows(connection, sql);
        settings = new SettingRows(connection, sql);
    }

    /** @return the bytes of the stored jars ({@code stored_jar}) */
    public JarRows jars() {
        return jars;
    }

    // --- ecc_queue -------------------------------------------------------------------------------

    /** Stores a record; {@code createdMs} (epoch milliseconds) orders records within a second. */
    public void insertRecord(QueueRecord r, long createdMs) throws SQLException {
        queue.insertRecord(r, createdMs);
    }

    /** Stores records with one JDBC batch (one statement, sent in chunks). */
    public void insertRecords(List<QueueRecord> records, long createdMs) throws SQLException {
        queue.insertRecords(records, createdMs);
    }

    /** The record of either queue with this sys_id. */
    public Optional<QueueRecord> findRecord(String sysId) throws SQLException {
        return queue.findRecord(sysId);
    }

    /** A record's key ({@code seq}), if it exists. */
    public Optional<Long> recordSeq(String sysId) throws SQLException {
        return queue.recordSeq(sysId);
    }

    /**
     * Writes a record's changeable columns (agent, topic, name, source, payload, priority, state,
     * error_string, processed) only if it is still in {@code expectedState}.
     *
     * @return whether it was written
     */
    public boolean updateRecordIf(QueueRecord changed, String expectedState) throws SQLException {
        return queue.updateRecordIf(changed, expectedState);
    }

    /** Deletes a record unless it is {@code processing} (leased to an agent); whether one was deleted. */
    public boolean deleteRecordUnlessProcessing(String sysId) throws SQLException {
        return queue.deleteRecordUnlessProcessing(sysId);
    }

    /** The first input stored for an output record (its sys_id as {@code response_to}). */
    public Optional<QueueRecord> findInputFor(String responseTo) throws SQLException {
        return queue.findInputFor(responseTo);
    }

    /** Ready output records for an agent ({@code mid.server.NAME}), by priority then creation, at most {@code max}. */
    public List<QueueRecord> readyFor(String agentField, boolean heartbeatOnly, boolean interactiveOnly, int max)
            throws SQLException {
        return queue.readyFor(agentField, heartbeatOnly, interactiveOnly, max);
    }

    /** An agent's ready outputs and their keys, in delivery order, passing over the records of some keys (leased in memory). */
    public ReadyOutputs readyFor(String agentField, boolean heartbeatOnly, boolean interactiveOnly, int max,
            Set<Long> skip) throws SQLException {
        return queue.readyFor(agentField, heartbeatOnly, interactiveOnly, max, skip);
    }

    /**
     * Claims an agent's next ready outputs in one statement ({@code processing} until
     * {@code leaseExpiresMs}); returns them in delivery order, at most {@code max}.
     */
    public List<QueueRecord> claim(String agentField, boolean heartbeatOnly, boolean interactiveOnly, int max,
            long leaseExpiresMs) throws SQLException {
        return queue.claim(agentField, heartbeatOnly, interactiveOnly, max, leaseExpiresMs);
    }

    /** The records of either queue with these sys_ids, by sys_id (one read). */
    public java.util.Map<String, QueueRecord> findRecords(java.util.Collection<String> sysIds) throws SQLException {
        return queue.findRecords(sysIds);
    }

    /** response_to → the sys_id of the first input stored for it, for the outputs that have one (one read). */
    public java.util.Map<String, String> firstInputsFor(java.util.Collection<String> responseTos) throws SQLException {
        return queue.firstInputsFor(responseTos);
    }

    /** Ends output records with one statement. */
    public void completeOutputs(java.util.Collection<String> sysIds, String state, String errorString,
            String processed) throws SQLException {
        queue.completeOutputs(sysIds, state, errorString, processed);
    }

    /** Marks records {@code processing} until a lease expiry. */
    public void lease(List<String> sysIds, long leaseExpiresMs) throws SQLException {
        queue.lease(sysIds, leaseExpiresMs);
    }

    /** Puts a record back to {@code ready}, without a lease. */
    public void markReady(String sysId) throws SQLException {
        queue.markReady(sysId);
    }

    /**
     * Crash recovery: the outputs leased to an agent ({@code mid.server.NAME}) that are not among
     * those it still holds become {@code ready} again, without a lease; returns their sys_ids.
     */
    public List<String> releaseLeasedExcept(String agentField, java.util.Set<String> held) throws SQLException {
        return queue.releaseLeasedExcept(agentField, held);
    }

    /** Ends an output record. */
    public void completeOutput(String sysId, String state, String errorString, String processed) throws SQLException {
        queue.completeOutput(sysId, state, errorString, processed);
    }

    /** The oldest unanswered heartbeat output for an agent ({@code mid.server.NAME}). */
    public Optional<PendingHeartbeat> pendingHeartbeat(String agentField) throws SQLException {
        return queue.pendingHeartbeat(agentField);
    }

    /**
     * @param nowMs the current time, epoch milliseconds
     * @return whether any leased output's lease expired: a read, for the lease reaper's check
     * @throws SQLException on a database error
     */
    public boolean anyLeaseExpired(long nowMs) throws SQLException {
        return queue.anyLeaseExpired(nowMs);
    }

    /** Puts every {@code processing} output whose lease expired back to {@code ready}. */
    public List<String> expireLeases(long nowMs) throws SQLException {
        return queue.expireLeases(nowMs);
    }

    /** The records matching a validated query on {@link TableSchema#ECC_QUEUE}. */
    public List<QueueRecord> queryRecords(TableQuery query) throws SQLException {
        return queue.queryRecords(query);
    }

    /** How many rows match a Table API query's condition (its fields, order, limit and offset do not matter). */
    public long count(TableQuery query) throws SQLException {
        return counts.count(query);
    }

    // --- ecc_agent -------------------------------------------------------------------------------

    /** Stores a new agent; {@code createdMs} is its registration time and that of its last heartbeat. */
    public void insertAgent(Agent agent, long createdMs) throws SQLException {
        agents.insertAgent(agent, createdMs);
    }

    /**
     * Stores every field of an agent (found by sys_id) but its sys_id and name; an older record shape stores its
     * capabilities as advertised.
     */
    public void updateAgent(Agent agent) throws SQLException {
        agents.updateAgent(agent);
    }

    /** Writes leases held in memory: each record still {@code ready} becomes {@code processing} until its expiry (sys_id → epoch ms). */
    public void leaseIfReady(Map<String, Long> expiries) throws SQLException {
        queue.leaseIfReady(expiries);
    }

    /**
     * Writes when agents were last heard from, in one batch (agents in name order, so that two
     * nodes' batches lock rows in the same order); a later stored time stays.
     */
    public void refreshAgents(java.util.Map<String, String> times) throws SQLException {
        agents.refreshAgents(times);
    }

    /** The agent of this name. */
    public Optional<Agent> findAgentByName(String name) throws SQLException {
        return agents.findAgentByName(name);
    }

    /** The agent of this sys_id. */
    public Optional<Agent> findAgent(String sysId) throws SQLException {
        return agents.findAgent(sysId);
    }

    /** Every agent, by name. */
    public List<Agent> agents() throws SQLException {
        return agents.agents();
    }

    /** The agents matching a validated query on {@link TableSchema#ECC_AGENT}. */
    public List<Agent> queryAgents(TableQuery query) throws SQLException {
        return agents.queryAgents(query);
    }

    /** Names of agents whose last heartbeat was written at or before {@code cutoffMs} and that have none pending. */
    public List<String> agentsDueForHeartbeat(long cutoffMs) throws SQLException {
        return agents.agentsDueForHeartbeat(cutoffMs);
    }

    /**
     * @param cutoffMs a pending heartbeat written before this time is overdue
     * @return the agents not Down whose oldest pending heartbeat was written before the cutoff, by
     *     name, with its time: one indexed query however many agents there are
     * @throws SQLException on a database error
     */
    public java.util.Map<String, Long> agentsWithOverdueHeartbeat(long cutoffMs) throws SQLException {
        return agents.agentsWithOverdueHeartbeat(cutoffMs);
    }

    /**
     * @param names agents just sent a heartbeat
     * @param sentMs when, epoch milliseconds
     * @throws SQLException on a database error
     */
    public void setLastHeartbeat(Collection<String> names, long sentMs) throws SQLException {
        agents.setLastHeartbeat(names, sentMs);
    }

    /** Records when an agent's latest heartbeat was written, epoch milliseconds. */
    public void setLastHeartbeat(String name, long sentMs) throws SQLException {
        agents.setLastHeartbeat(name, sentMs);
    }

    // --- sync_file, sync_revision ----------------------------------------------------------------

    /** The file-sync revision: 0 until the first change, then one more with every change. */
    public long syncRevision() throws SQLException {
        return sync.syncRevision();
    }

    /** The new file-sync revision, one more than before. */
    public long incrementSyncRevision() throws SQLException {
        return sync.incrementSyncRevision();
    }

    /** Every file of the file-sync repository, by symbolic name. */
    public List<StoredSyncFile> syncFiles() throws SQLException {
        return sync.syncFiles();
    }

    /** The file-sync file of this Bundle-SymbolicName. */
    public Optional<StoredSyncFile> findSyncFile(String symbolicName) throws SQLException {
        return sync.findSyncFile(symbolicName);
    }

    /** The current file-sync file with these bytes (SHA-256, hex, lower case). */
    public Optional<StoredSyncFile> findSyncFileBySha256(String sha256) throws SQLException {
        return sync.findSyncFileBySha256(sha256);
    }

    /** Inserts the file, or replaces the one with the same symbolic name. */
    public void putSyncFile(RepositoryFile file, String uploadedOn) throws SQLException {
        sync.putSyncFile(file, uploadedOn);
    }

    /** Removes the file-sync file of this Bundle-SymbolicName; whether there was one. */
    public boolean deleteSyncFile(String symbolicName) throws SQLException {
        return sync.deleteSyncFile(symbolicName);
    }

    // --- agent_core, instance_state --------------------------------------------------------------

    /** The instance version an upload set, or {@code null} when no core was ever uploaded. */
    public String instanceVersion() throws SQLException {
        return cores.instanceVersion();
    }

    /** Sets the instance version. */
    public void setInstanceVersion(String version) throws SQLException {
        cores.setInstanceVersion(version);
    }

    /** Every stored agent core, in no particular order. */
    public List<StoredCore> cores() throws SQLException {
        return cores.cores();
    }

    /** The agent core of this (normalised) Bundle-Version. */
    public Optional<StoredCore> findCore(String version) throws SQLException {
        return cores.findCore(version);
    }

    /** The stored agent core with these bytes (SHA-256, hex, lower case). */
    public Optional<StoredCore> findCoreBySha256(String sha256) throws SQLException {
        return cores.findCoreBySha256(sha256);
    }

    /** Inserts the core, or replaces the one of the same version; its download count starts at 0. */
    public void putCore(InstanceDescription.Core core, String uploadedOn) throws SQLException {
        cores.putCore(core, uploadedOn);
    }

    /** Counts one complete download of the core with this hash; whether a core has it. */
    public boolean countCoreDownload(String sha256) throws SQLException {
        return cores.countCoreDownload(sha256);
    }

    // --- discovery_credentials, credential revision ----------------------------------------------

    /** Stores a new credential (a duplicate sys_id or name is an SQLException). */
    public void insertCredential(StoredCredential credential) throws SQLException {
        credentials.insertCredential(credential);
    }

    /** Stores every field of a credential (found by sys_id) but its sys_id and creation time; whether it existed. */
    public boolean updateCredential(StoredCredential credential) throws SQLException {
        return credentials.updateCredential(credential);
    }

    /** Removes the credential of this sys_id; whether there was one. */
    public boolean deleteCredential(String sysId) throws SQLException {
        return credentials.deleteCredential(sysId);
    }

    /** The credential of this sys_id. */
    public Optional<StoredCredential> findCredential(String sysId) throws SQLException {
        return credentials.findCredential(sysId);
    }

    /** The credential of this name. */
    public Optional<StoredCredential> findCredentialByName(String name) throws SQLException {
        return credentials.findCredentialByName(name);
    }

    /** The active credentials, by order then name. */
    public List<StoredCredential> activeCredentials() throws SQLException {
        return credentials.activeCredentials();
    }

    /** How many credentials hold at least one secret. */
    public long credentialsWithSecrets() throws SQLException {
        return credentials.credentialsWithSecrets();
    }

    /** The credentials matching a validated query on {@link TableSchema#DISCOVERY_CREDENTIALS}. */
    public List<StoredCredential> queryCredentials(TableQuery query) throws SQLException {
        return credentials.queryCredentials(query);
    }

    /** The credential revision: 0 until the first change, then one more with every change. */
    public long credentialRevision() throws SQLException {
        return credentials.credentialRevision();
    }

    /** The new credential revision, one more than before. */
    public long incrementCredentialRevision() throws SQLException {
        return credentials.incrementCredentialRevision();
    }

    /**
     * The check value of the master key the secrets are encrypted with, or {@code null} before the first start with
     * credentials.
     */
    public String credentialKeyCheck() throws SQLException {
        return credentials.credentialKeyCheck();
    }

    /** Stores the check value of the master key. */
    public void setCredentialKeyCheck(String check) throws SQLException {
        credentials.setCredentialKeyCheck(check);
    }

    /** Records the master key's check value unless one is recorded; whether it was. */
    public boolean claimCredentialKeyCheck(String check) throws SQLException {
        return credentials.claimCredentialKeyCheck(check);
    }

    // --- agents' public keys ---------------------------------------------------------------------

    /** Stores an agent's public key (base64 X.509 text) and its fingerprint. */
    public void setAgentPublicKey(String agentName, String publicKey, String fingerprint) throws SQLException {
        agents.setAgentPublicKey(agentName, publicKey, fingerprint);
    }

    /** An agent's public key as text, when it registered one. */
    public Optional<String> agentPublicKey(String agentName) throws SQLException {
        return agents.agentPublicKey(agentName);
    }

    /** Keeps a key an agent registered that is not its validated one, until an admin validates it. */
    public void setAgentPendingKey(String agentName, String publicKey, String fingerprint) throws SQLException {
        agents.setAgentPendingKey(agentName, publicKey, fingerprint);
    }

    /** The key an agent registered that waits for validation, if any. */
    public Optional<PendingKey> agentPendingKey(String agentName) throws SQLException {
        return agents.agentPendingKey(agentName);
    }

    // --- sys_user --------------------------------------------------------------------------------

    /** Stores a new identity (a taken user name is an SQLException). */
    public void insertUser(UserRow user) throws SQLException {
        users.insertUser(user);
    }

    /** Stores an identity as it is to be (found by sys_id). */
    public void updateUser(UserRow user) throws SQLException {
        users.updateUser(user);
    }

    /** Removes the identity of this sys_id; whether it was there. */
    public boolean deleteUser(String sysId) throws SQLException {
        return users.deleteUser(sysId);
    }

    /** Every identity, oldest first. */
    public List<UserRow> users() throws SQLException {
        return users.users();
    }

    /** The identity of a user name, when there is one. */
    public Optional<UserRow> user(String userName) throws SQLException {
        return users.user(userName);
    }

    /** The identities bound to an agent, oldest first. */
    public List<UserRow> usersOf(String agent) throws SQLException {
        return users.usersOf(agent);
    }

    // --- dscy_credentials_affinity ---------------------------------------------------------------

    /** An agent's affinity rows, by type then target. */
    public List<StoredAffinity> affinityOf(String agentName) throws SQLException {
        return affinity.affinityOf(agentName);
    }

    /**
     * Stores a new affinity row (not its {@code credentialName}); a duplicate sys_id, or agent, type and target, is
     * an SQLException.
     */
    public void insertAffinity(StoredAffinity row) throws SQLException {
        affinity.insertAffinity(row);
    }

    /** Moves an affinity row (by sys_id) to another credential; whether the row existed. */
    public boolean updateAffinityCredential(String sysId, String credential, long updatedMs) throws SQLException {
        return affinity.updateAffinityCredential(sysId, credential, updatedMs);
    }

    /** Removes the affinity row of this sys_id; whether there was one. */
    public boolean deleteAffinity(String sysId) throws SQLException {
        return affinity.deleteAffinity(sysId);
    }

    /** Removes every affinity row naming a credential; how many there were. */
    public int deleteAffinityOfCredential(String credential) throws SQLException {
        return affinity.deleteAffinityOfCredential(credential);
    }

    /** The affinity row of this sys_id, with its credential's name. */
    public Optional<StoredAffinity> findAffinity(String sysId) throws SQLException {
        return affinity.findAffinity(sysId);
    }

    /**
     * The affinity rows matching a validated query on {@link TableSchema#DSCY_CREDENTIALS_AFFINITY}, with their
     * credentials' names.
     */
    public List<StoredAffinity> queryAffinity(TableQuery query) throws SQLException {
        return affinity.queryAffinity(query);
    }

    /** Those of these credential sys_ids that name a stored credential. */
    public Set<String> existingCredentials(Collection<String> sysIds) throws SQLException {
        return credentials.existingCredentials(sysIds);
    }

    // --- ecc_agent_cluster -----------------------------------------------------------------------

    /** Stores a new cluster (a duplicate sys_id or name is an SQLException). */
    public void insertCluster(AgentCluster cluster) throws SQLException {
        clusters.insertCluster(cluster);
    }

    /** Stores the name, type, members and update time of a cluster (found by sys_id); whether it existed. */
    public boolean updateCluster(AgentCluster cluster) throws SQLException {
        return clusters.updateCluster(cluster);
    }

    /** Removes the cluster of this sys_id; whether there was one. */
    public boolean deleteCluster(String sysId) throws SQLException {
        return clusters.deleteCluster(sysId);
    }

    /** The cluster of this sys_id. */
    public Optional<AgentCluster> findCluster(String sysId) throws SQLException {
        return clusters.findCluster(sysId);
    }

    /** The cluster of this name. */
    public Optional<AgentCluster> findClusterByName(String name) throws SQLException {
        return clusters.findClusterByName(name);
    }

    /** Every cluster, by name. */
    public List<AgentCluster> clusters() throws SQLException {
        return clusters.clusters();
    }

    /** The clusters matching a validated query on {@link TableSchema#ECC_AGENT_CLUSTER}. */
    public List<AgentCluster> queryClusters(TableQuery query) throws SQLException {
        return clusters.queryClusters(query);
    }

    /** Sets the {@code cluster} field of registered agents (names not registered are skipped). */
    public void setAgentCluster(Collection<String> agentNames, String cluster) throws SQLException {
        agents.setAgentCluster(agentNames, cluster);
    }

    // --- failover --------------------------------------------------------------------------------

    /** Marks records as the per-agent copies of {@code mid.server.*} work. */
    public void markBroadcast(List<String> sysIds) throws SQLException {
        queue.markBroadcast(sysIds);
    }

    /** An agent's ({@code mid.server.NAME}) {@code ready} and {@code processing} output records, in delivery order. */
    public List<WaitingOutput> waitingOutputs(String agentField) throws SQLException {
        return queue.waitingOutputs(agentField);
    }

    /**
     * Readdresses waiting output records (sys_id → new agent field): ready, no lease, selection extended by a note;
     * how many moved.
     */
    public int moveOutputs(Map<String, String> moves, Map<String, String> notes) throws SQLException {
        return queue.moveOutputs(moves, notes);
    }

    // --- ecc_event -------------------------------------------------------------------------------

    /** Stores an event (agent may be null); the stored event with its sequence number. */
    public InstanceEvent insertEvent(String name, String agent, String time, String detail) throws SQLException {
        return events.insertEvent(name, agent, time, detail);
    }

    /** At most {@code limit} events after a sequence number, oldest first. */
    public List<InstanceEvent> eventsSince(long since, int limit) throws SQLException {
        return events.eventsSince(since, limit);
    }

    /** The {@code agent} field of each of these records that exists, by sys_id. */
    public Map<String, String> agentsOf(java.util.Collection<String> sysIds) throws SQLException {
        return queue.agentsOf(sysIds);
    }

    /** At most {@code limit} of the newest events, newest first. */
    public List<InstanceEvent> latestEvents(int limit) throws SQLException {
        return events.latestEvents(limit);
    }

    /** The records by queue, topic and state: outputs first, then by topic. */
    public List<io.midway.instance.api.TopicCount> countsByTopic() throws SQLException {
        return queue.countsByTopic();
    }

    // --- instance nodes (see NodeRows) ---------------------------------------------------------

    /** Writes a node's own row; a node that holds the singleton jobs unmarks every other row. */
    public void putNode(NodeRow node) throws SQLException {
        nodes.put(node);
    }

    /** Every node's row, oldest start first. */
    public List<NodeRow> nodes() throws SQLException {
        return nodes.all();
    }

    /** Removes a node's row (it stopped). */
    public void deleteNode(String id) throws SQLException {
        nodes.delete(id);
    }

    /** Removes the rows of nodes not seen since {@code seenBeforeMs}; how many. */
    public int deleteGoneNodes(long seenBeforeMs) throws SQLException {
        return nodes.deleteGone(seenBeforeMs);
    }

    // --- ecc_agent_property, ecc_agent_config, the configuration revision (issue 17) ------------

    /** Stores a new property or parameter (a duplicate sys_id, or name and agent, is an SQLException). */
    public void insertSetting(TableSchema table, AgentSetting setting) throws SQLException {
        settings.insert(table, setting);
    }

    /** Stores the name, value, agent and update time of a property or parameter (by sys_id); whether it existed. */
    public boolean updateSetting(TableSchema table, AgentSetting setting) throws SQLException {
        return settings.update(table, setting);
    }

    /** Removes the property or parameter of this sys_id; whether there was one. */
    public boolean deleteSetting(TableSchema table, String sysId) throws SQLException {
        return settings.delete(table, sysId);
    }

    /** The property or parameter of this sys_id. */
    public Optional<AgentSetting> findSetting(TableSchema table, String sysId) throws SQLException {
        return settings.find(table, sysId);
    }

    /** The property or parameter for this name and agent ({@code ""}: every agent). */
    public Optional<AgentSetting> findSetting(TableSchema table, String name, String agent) throws SQLException {
        return settings.findByKey(table, name, agent);
    }

    /** The records that apply to an agent: its own and (properties) the global ones, by name. */
    public List<AgentSetting> settingsFor(TableSchema table, String agent) throws SQLException {
        return settings.forAgent(table, agent);
    }

    /** The properties or parameters matching a validated query on their table. */
    public List<AgentSetting> querySettings(TableQuery query) throws SQLException {
        return settings.query(query);
    }

    /** The configuration revision: 0 until the first change, then one more with every change. */
    public long configRevision() throws SQLException {
        return settings.revision();
    }

    /** The new configuration revision, one more than before. */
    public long incrementConfigRevision() throws SQLException {
        return settings.incrementRevision();
    }

    /** Keeps an agent's configuration report on its record; whether the agent is registered. */
    public boolean writeConfigStatus(AgentConfigStatus status) throws SQLException {
        return settings.writeStatus(status);
    }

    /** An agent's last configuration report, if it is registered. */
    public Optional<AgentConfigStatus> configStatus(String agent) throws SQLException {
        return settings.readStatus(agent);
    }
}
