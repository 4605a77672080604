-- The SQL every engine shares, by key (see io.midway.instance.internal.store.sql.Statements);
-- an engine's own file (h2.sql, …) replaces a section of the same name. Rows are read by
-- column name, so a statement may list its columns in any order.
--
-- A section is one statement; ${name} stands for another section (e.g. a column list).

-- [schema.lock]
-- held while the migrations run, so that two nodes starting at once do not both migrate; the
-- embedded engine has one process per database file, and nothing to hold (see postgresql.sql)
SELECT 1 AS locked

-- [schema.unlock]
SELECT 1 AS unlocked

-- [schema.version.create]
CREATE TABLE IF NOT EXISTS midway_schema (version INT NOT NULL)

-- [schema.version.read]
SELECT MAX(version) FROM midway_schema

-- [schema.version.insert]
INSERT INTO midway_schema (version) VALUES (?)

-- [schema.version.update]
UPDATE midway_schema SET version = ?

-- Sections named *.columns are column lists, used inside statements as ${…}; [table.page] ends a
-- Table API query (its WHERE and ORDER BY come from TableQuery, appended to a *.query section).
-- Every other section is one statement the store prepares, with ? for every value.

-- [table.page]
OFFSET ? ROWS FETCH NEXT ? ROWS ONLY

-- ecc_queue -----------------------------------------------------------------------------------

-- [queue.columns]
sys_id, agent, topic, name, source, payload, queue, state, response_to, priority, error_string,
sys_created_on, processed, application, capability, selection

-- [queue.insert]
INSERT INTO ecc_queue (${queue.columns}, created_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- [queue.by.sys_id]
SELECT ${queue.columns} FROM ecc_queue WHERE sys_id = ?

-- [queue.input.for]
-- the first input stored for an output (response_to, queue = input)
SELECT ${queue.columns} FROM ecc_queue WHERE response_to = ? AND queue = ?
ORDER BY seq FETCH FIRST 1 ROWS ONLY

-- [queue.ready]
-- the keys of an agent's ready outputs in delivery order, from the delivery index alone
-- (agent, queue, state, then max); the .heartbeat and .interactive forms add topic, priority.
-- The ORDER BY names the index's columns from its first: agent, queue and state are fixed by the
-- WHERE, so the order is priority, created_ms, seq, but H2 reads an index in order (and stops
-- after max entries) only for an ORDER BY that starts where the index starts; with ORDER BY
-- priority, … it read and sorted the agent's whole backlog on every poll
SELECT seq FROM ecc_queue WHERE agent = ? AND queue = ? AND state = ?
ORDER BY agent, queue, state, priority, created_ms, seq FETCH FIRST ? ROWS ONLY

-- [queue.ready.heartbeat]
SELECT seq FROM ecc_queue WHERE agent = ? AND queue = ? AND state = ? AND topic = ?
ORDER BY agent, queue, state, priority, created_ms, seq FETCH FIRST ? ROWS ONLY

-- [queue.ready.interactive]
SELECT seq FROM ecc_queue WHERE agent = ? AND queue = ? AND state = ? AND priority = ?
ORDER BY agent, queue, state, priority, created_ms, seq FETCH FIRST ? ROWS ONLY

-- [queue.ready.heartbeat.interactive]
SELECT seq FROM ecc_queue WHERE agent = ? AND queue = ? AND state = ? AND topic = ? AND priority = ?
ORDER BY agent, queue, state, priority, created_ms, seq FETCH FIRST ? ROWS ONLY

-- [queue.by.seqs]
-- the rows of those keys; the parameter is an array of seq (H2 and PostgreSQL both take = ANY(array))
SELECT seq, ${queue.columns} FROM ecc_queue WHERE seq = ANY(?)

-- [queue.lease]
UPDATE ecc_queue SET state = ?, lease_expires_ms = ? WHERE sys_id = ?

-- [queue.lease.if.ready]
-- a lease held in memory (one node alone) written as the others are, if its record was not
-- answered or put back meanwhile
UPDATE ecc_queue SET state = ?, lease_expires_ms = ? WHERE sys_id = ? AND queue = ? AND state = ?

-- [queue.release]
UPDATE ecc_queue SET state = ?, lease_expires_ms = NULL WHERE sys_id = ?

-- [queue.leased.to]
-- the outputs leased to one agent (processing, agent = mid.server.NAME): crash recovery compares
-- them with those the agent says it still holds
SELECT sys_id FROM ecc_queue WHERE agent = ? AND queue = ? AND state = ?

-- [queue.release.leased.to]
-- crash recovery: those of an agent's leased outputs it no longer holds (an array of sys_id) are
-- ready again at once; a record answered or moved meanwhile is left alone
UPDATE ecc_queue SET state = ?, lease_expires_ms = NULL
WHERE sys_id = ANY(?) AND agent = ? AND queue = ? AND state = ?

-- [queue.complete]
UPDATE ecc_queue SET state = ?, error_string = ?, processed = ?, lease_expires_ms = NULL WHERE sys_id = ?

-- [queue.complete.all]
-- ends the outputs of an input batch with one statement (the parameter is an array of sys_id)
UPDATE ecc_queue SET state = ?, error_string = ?, processed = ?, lease_expires_ms = NULL WHERE sys_id = ANY(?)

-- [queue.by.sys_ids]
-- the outputs an input batch answers, one read for the batch (an array of sys_id)
SELECT ${queue.columns} FROM ecc_queue WHERE sys_id = ANY(?)

-- [queue.inputs.for]
-- the inputs already stored for those outputs (response_to in an array, queue = input), oldest first
SELECT response_to, sys_id FROM ecc_queue WHERE response_to = ANY(?) AND queue = ? ORDER BY seq

-- [queue.heartbeat.pending]
SELECT sys_id, state, created_ms FROM ecc_queue
WHERE agent = ? AND queue = ? AND topic = ? AND state IN (?, ?)
ORDER BY created_ms, seq FETCH FIRST 1 ROWS ONLY

-- [queue.leases.expired]
SELECT agent FROM ecc_queue WHERE queue = ? AND state = ? AND lease_expires_ms <= ?

-- [queue.leases.any]
-- whether any lease expired (the lease reaper's check, a read: most seconds nothing expired)
SELECT seq FROM ecc_queue WHERE queue = ? AND state = ? AND lease_expires_ms <= ? FETCH FIRST 1 ROWS ONLY

-- [queue.leases.release]
UPDATE ecc_queue SET state = ?, lease_expires_ms = NULL
WHERE queue = ? AND state = ? AND lease_expires_ms <= ?

-- [queue.seq.by.sys_id]
-- a record's key (a change of a ready output on the embedded engine keeps claims off it by key)
SELECT seq FROM ecc_queue WHERE sys_id = ?

-- [queue.update.if.state]
-- an admin's change of a record (Table API PATCH/PUT), only if it is still in the state it was
-- read in: a claim that leased it meanwhile (processing) makes it change no row
UPDATE ecc_queue SET agent = ?, topic = ?, name = ?, source = ?, payload = ?, priority = ?, state = ?,
error_string = ?, processed = ?, lease_expires_ms = NULL
WHERE sys_id = ? AND state = ?

-- [queue.delete.unless.processing]
-- an admin's delete (Table API DELETE): never a record leased to an agent
DELETE FROM ecc_queue WHERE sys_id = ? AND state <> ?

-- [queue.query]
SELECT ${queue.columns} FROM ecc_queue

-- [queue.agents.of]
-- the agent field of each of these records (a result batch's response_to ids, one read for all)
SELECT sys_id, agent FROM ecc_queue WHERE sys_id = ANY(?)

-- [queue.count]
SELECT COUNT(*) AS row_count FROM ecc_queue

-- [queue.count.by.topic]
-- records by queue, topic and state (instance:queue)
SELECT queue, topic, state, COUNT(*) AS row_count FROM ecc_queue GROUP BY queue, topic, state ORDER BY queue DESC, topic, state

-- [queue.broadcast.mark]
UPDATE ecc_queue SET broadcast = TRUE WHERE sys_id = ?

-- [queue.waiting]
SELECT sys_id, topic, state, broadcast FROM ecc_queue
WHERE agent = ? AND queue = ? AND state IN (?, ?) ORDER BY priority, created_ms, seq

-- [queue.move]
-- readdresses a waiting output: ready for its new agent, its selection extended by a note
UPDATE ecc_queue SET agent = ?, state = ?, lease_expires_ms = NULL,
selection = CASE WHEN selection IS NULL OR selection = '' THEN ? ELSE CONCAT(selection, '; ', ?) END
WHERE sys_id = ? AND queue = ? AND state IN (?, ?)

-- ecc_agent -----------------------------------------------------------------------------------

-- [agent.columns]
sys_id, name, status, validated, version, host_name, ip_address, last_refreshed, capabilities,
applications, ip_ranges, cluster, is_default, sync_revision, sync_state, pinned_version,
manual_capabilities, advertised_capabilities

-- [agent.read.columns]
-- what is read of an agent: its columns and the fingerprint of its public key (written apart)
${agent.columns}, public_key_fingerprint

-- [agent.insert]
INSERT INTO ecc_agent (${agent.columns}, created_ms, last_heartbeat_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- [agent.update]
-- every field but sys_id and name
UPDATE ecc_agent SET status = ?, validated = ?, version = ?, host_name = ?, ip_address = ?,
last_refreshed = ?, capabilities = ?, applications = ?, ip_ranges = ?, cluster = ?, is_default = ?,
sync_revision = ?, sync_state = ?, pinned_version = ?, manual_capabilities = ?,
advertised_capabilities = ?
WHERE sys_id = ?

-- [agent.refreshed]
-- when an agent was last heard from, written in batches; never moved back
UPDATE ecc_agent SET last_refreshed = ? WHERE name = ? AND (last_refreshed IS NULL OR last_refreshed < ?)

-- [agent.by.name]
SELECT ${agent.read.columns} FROM ecc_agent WHERE name = ?

-- [agent.by.sys_id]
SELECT ${agent.read.columns} FROM ecc_agent WHERE sys_id = ?

-- [agent.all]
SELECT ${agent.read.columns} FROM ecc_agent ORDER BY name

-- [agent.query]
SELECT ${agent.read.columns} FROM ecc_agent

-- [agent.count]
SELECT COUNT(*) AS row_count FROM ecc_agent

-- [agent.heartbeat.due]
-- agents whose last heartbeat is at or before a cutoff and that have none pending: a range of the
-- index on last_heartbeat_ms (schema 14), then the delivery index for each of those only
SELECT a.name FROM ecc_agent a
WHERE a.last_heartbeat_ms <= ? AND NOT EXISTS (SELECT 1 FROM ecc_queue q
WHERE q.agent = CONCAT(?, a.name) AND q.queue = ? AND q.topic = ? AND q.state IN (?, ?))
ORDER BY a.name

-- [agent.heartbeat.set]
UPDATE ecc_agent SET last_heartbeat_ms = ? WHERE name = ?

-- [agent.heartbeat.set.all]
-- the heartbeats of one check, written together (the parameter is an array of names)
UPDATE ecc_agent SET last_heartbeat_ms = ? WHERE name = ANY(?)

-- [agent.heartbeat.overdue]
-- agents not Down whose oldest unanswered heartbeat was written before a cutoff, and its time.
-- A heartbeat is written only when none is pending, and sets last_heartbeat_ms to its own time,
-- so only an agent whose last heartbeat is older than the cutoff can have one that old: the
-- index on last_heartbeat_ms (schema 14) finds those, and the delivery index their heartbeats,
-- without reading every agent. (A HeartbeatProbe inserted through the Table API for an agent
-- not registered yet counts from the agent's registration: registering sets last_heartbeat_ms.)
-- (a subquery per candidate, not a join: H2 would start a join from the queue's lease index and
-- read every ready record)
SELECT name, pending_ms FROM (SELECT a.name,
(SELECT MIN(q.created_ms) FROM ecc_queue q
WHERE q.agent = CONCAT(?, a.name) AND q.queue = ? AND q.state IN (?, ?) AND q.topic = ?) AS pending_ms
FROM ecc_agent a WHERE a.last_heartbeat_ms < ? AND a.status <> ?) candidates
WHERE pending_ms < ?
ORDER BY name

-- [agent.key.set]
UPDATE ecc_agent SET public_key = ?, public_key_fingerprint = ? WHERE name = ?

-- [agent.key.read]
SELECT public_key FROM ecc_agent WHERE name = ?

-- [agent.key.pending.set]
UPDATE ecc_agent SET pending_public_key = ?, pending_key_fingerprint = ? WHERE name = ?

-- [agent.key.pending.read]
SELECT pending_public_key, pending_key_fingerprint FROM ecc_agent WHERE name = ?

-- [agent.cluster.set]
UPDATE ecc_agent SET cluster = ? WHERE name = ?

-- sync_file, sync_revision --------------------------------------------------------------------

-- [sync.revision.read]
SELECT revision FROM sync_revision WHERE id = 1

-- [sync.revision.increment]
UPDATE sync_revision SET revision = revision + 1 WHERE id = 1

-- [sync.file.columns]
name, kind, symbolic_name, version, sha256, size, uploaded_on

-- [sync.file.all]
SELECT ${sync.file.columns} FROM sync_file ORDER BY symbolic_name

-- [sync.file.by.name]
SELECT ${sync.file.columns} FROM sync_file WHERE symbolic_name = ?

-- [sync.file.by.sha256]
SELECT ${sync.file.columns} FROM sync_file WHERE sha256 = ? ORDER BY symbolic_name FETCH FIRST 1 ROWS ONLY

-- [sync.file.put]
-- inserts the file or replaces the one of the same symbolic name
MERGE INTO sync_file f
USING (VALUES (?, ?, ?, ?, ?, ?, ?)) AS v (name, kind, symbolic_name, version, sha256, size, uploaded_on)
ON f.symbolic_name = v.symbolic_name
WHEN MATCHED THEN UPDATE SET name = v.name, kind = v.kind, version = v.version, sha256 = v.sha256,
size = v.size, uploaded_on = v.uploaded_on
WHEN NOT MATCHED THEN INSERT (${sync.file.columns})
VALUES (v.name, v.kind, v.symbolic_name, v.version, v.sha256, v.size, v.uploaded_on)

-- [sync.file.delete]
DELETE FROM sync_file WHERE symbolic_name = ?

-- agent_core, instance_state ------------------------------------------------------------------

-- [instance.version.read]
SELECT version FROM instance_state WHERE id = 1

-- [instance.version.set]
MERGE INTO instance_state s USING (VALUES (1, ?)) AS v (id, version) ON s.id = v.id
WHEN MATCHED THEN UPDATE SET version = v.version
WHEN NOT MATCHED THEN INSERT (id, version) VALUES (v.id, v.version)

-- [core.columns]
symbolic_name, version, sha256, size, uploaded_on, downloads

-- [core.all]
SELECT ${core.columns} FROM agent_core

-- [core.by.version]
SELECT ${core.columns} FROM agent_core WHERE version = ?

-- [core.by.sha256]
SELECT ${core.columns} FROM agent_core WHERE sha256 = ? ORDER BY version FETCH FIRST 1 ROWS ONLY

-- [core.put]
-- inserts the core or replaces the one of the same version; its download count starts at 0
MERGE INTO agent_core c
USING (VALUES (?, ?, ?, ?, ?)) AS v (symbolic_name, version, sha256, size, uploaded_on)
ON c.version = v.version
WHEN MATCHED THEN UPDATE SET symbolic_name = v.symbolic_name, sha256 = v.sha256, size = v.size,
uploaded_on = v.uploaded_on, downloads = 0
WHEN NOT MATCHED THEN INSERT (${core.columns})
VALUES (v.symbolic_name, v.version, v.sha256, v.size, v.uploaded_on, 0)

-- [core.download.count]
UPDATE agent_core SET downloads = downloads + 1 WHERE sha256 = ?

-- discovery_credentials, the credential revision and key check --------------------------------

-- [credential.columns]
sys_id, name, type, cred_order, active, fields, secrets, resolver, external_id, created_ms, updated_ms

-- [credential.insert]
INSERT INTO discovery_credentials (${credential.columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- [credential.update]
-- every field but sys_id and created_ms
UPDATE discovery_credentials SET name = ?, type = ?, cred_order = ?, active = ?, fields = ?,
secrets = ?, resolver = ?, external_id = ?, updated_ms = ?
WHERE sys_id = ?

-- [credential.delete]
DELETE FROM discovery_credentials WHERE sys_id = ?

-- [credential.by.sys_id]
SELECT ${credential.columns} FROM discovery_credentials WHERE sys_id = ?

-- [credential.by.name]
SELECT ${credential.columns} FROM discovery_credentials WHERE name = ?

-- [credential.active]
SELECT ${credential.columns} FROM discovery_credentials WHERE active = TRUE ORDER BY cred_order, name, seq

-- [credential.with.secrets.count]
SELECT COUNT(*) AS row_count FROM discovery_credentials WHERE secrets <> '{}'

-- [credential.existing]
-- which of the sys_ids in an array name a credential
SELECT sys_id FROM discovery_credentials WHERE sys_id = ANY(?)

-- [credential.query]
SELECT ${credential.columns} FROM discovery_credentials

-- [credential.count]
SELECT COUNT(*) AS row_count FROM discovery_credentials

-- [credential.revision.read]
SELECT credential_revision FROM instance_state WHERE id = 1

-- [credential.revision.increment]
UPDATE instance_state SET credential_revision = credential_revision + 1 WHERE id = 1

-- [credential.key_check.read]
SELECT credential_key_check FROM instance_state WHERE id = 1

-- [credential.key_check.set]
UPDATE instance_state SET credential_key_check = ? WHERE id = 1

-- [credential.key_check.claim]
-- the first instance node to start on a database records the check of its key; the others find it
UPDATE instance_state SET credential_key_check = ? WHERE id = 1 AND credential_key_check IS NULL

-- sys_user ------------------------------------------------------------------------------------

-- [user.columns]
sys_id, user_name, roles, agent, active, password_hash, source, sys_created_on

-- [user.insert]
INSERT INTO sys_user (${user.columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- [user.update]
UPDATE sys_user SET user_name = ?, roles = ?, agent = ?, active = ?, password_hash = ? WHERE sys_id = ?

-- [user.delete]
DELETE FROM sys_user WHERE sys_id = ?

-- [user.all]
SELECT ${user.columns} FROM sys_user ORDER BY seq

-- [user.by.name]
SELECT ${user.columns} FROM sys_user WHERE user_name = ?

-- [user.by.agent]
SELECT ${user.columns} FROM sys_user WHERE agent = ? ORDER BY seq

-- dscy_credentials_affinity -------------------------------------------------------------------

-- [affinity.query]
-- the rows with their credential's name; a Table API condition's unqualified columns mean a's
SELECT a.sys_id, a.agent, a.credential,
(SELECT c.name FROM discovery_credentials c WHERE c.sys_id = a.credential) AS credential_name,
a.type, a.target, a.updated_ms
FROM dscy_credentials_affinity a

-- [affinity.by.agent]
${affinity.query} WHERE a.agent = ? ORDER BY a.type, a.target, a.seq

-- [affinity.by.sys_id]
${affinity.query} WHERE a.sys_id = ?

-- [affinity.count]
SELECT COUNT(*) AS row_count FROM dscy_credentials_affinity

-- [affinity.insert]
INSERT INTO dscy_credentials_affinity (sys_id, agent, credential, type, target, updated_ms)
VALUES (?, ?, ?, ?, ?, ?)

-- [affinity.update.credential]
UPDATE dscy_credentials_affinity SET credential = ?, updated_ms = ? WHERE sys_id = ?

-- [affinity.delete]
DELETE FROM dscy_credentials_affinity WHERE sys_id = ?

-- [affinity.delete.of.credential]
DELETE FROM dscy_credentials_affinity WHERE credential = ?

-- ecc_agent_cluster ---------------------------------------------------------------------------

-- [cluster.columns]
sys_id, name, type, members, created_ms, updated_ms

-- [cluster.insert]
INSERT INTO ecc_agent_cluster (${cluster.columns}) VALUES (?, ?, ?, ?, ?, ?)

-- [cluster.update]
UPDATE ecc_agent_cluster SET name = ?, type = ?, members = ?, updated_ms = ? WHERE sys_id = ?

-- [cluster.delete]
DELETE FROM ecc_agent_cluster WHERE sys_id = ?

-- [cluster.by.sys_id]
SELECT ${cluster.columns} FROM ecc_agent_cluster WHERE sys_id = ?

-- [cluster.by.name]
SELECT ${cluster.columns} FROM ecc_agent_cluster WHERE name = ?

-- [cluster.all]
SELECT ${cluster.columns} FROM ecc_agent_cluster ORDER BY name, seq

-- [cluster.query]
SELECT ${cluster.columns} FROM ecc_agent_cluster

-- [cluster.count]
SELECT COUNT(*) AS row_count FROM ecc_agent_cluster

-- ecc_event -----------------------------------------------------------------------------------

-- [event.insert]
-- the store reads the new seq back through JDBC's generated keys
INSERT INTO ecc_event (name, agent, event_time, detail) VALUES (?, ?, ?, ?)

-- [event.since]
SELECT seq, name, agent, event_time, detail FROM ecc_event WHERE seq > ? ORDER BY seq FETCH FIRST ? ROWS ONLY

-- [event.latest]
-- the newest events, newest first (instance:events)
SELECT seq, name, agent, event_time, detail FROM ecc_event ORDER BY seq DESC FETCH FIRST ? ROWS ONLY

-- stored_jar: the bytes of the jars sync_file and agent_core name -------------------------------

-- [jar.lock]
-- whether the bytes are stored; locks the row until the transaction ends, so that a removal on
-- another node does not delete bytes this transaction is about to name
SELECT size FROM stored_jar WHERE sha256 = ? FOR UPDATE

-- [jar.insert]
INSERT INTO stored_jar (sha256, size, bytes, created) VALUES (?, ?, ?, ?)

-- [jar.chunk]
-- a slice of a jar (1-based offset, length): a jar is read in slices, so memory stays bounded
-- whatever its size (the PostgreSQL driver reads a bytea value whole)
SELECT SUBSTRING(bytes FROM ? FOR ?) AS chunk FROM stored_jar WHERE sha256 = ?

-- [jar.size]
SELECT size FROM stored_jar WHERE sha256 = ?

-- [jar.all]
SELECT sha256 FROM stored_jar ORDER BY sha256

-- [jar.delete.unnamed]
-- deletes the bytes when neither a file nor a core names them any more
DELETE FROM stored_jar WHERE sha256 = ?
AND NOT EXISTS (SELECT 1 FROM sync_file f WHERE f.sha256 = stored_jar.sha256)
AND NOT EXISTS (SELECT 1 FROM agent_core c WHERE c.sha256 = stored_jar.sha256)

-- [jar.delete.all.unnamed]
DELETE FROM stored_jar
WHERE NOT EXISTS (SELECT 1 FROM sync_file f WHERE f.sha256 = stored_jar.sha256)
AND NOT EXISTS (SELECT 1 FROM agent_core c WHERE c.sha256 = stored_jar.sha256)

-- instance_node, the singleton jobs ------------------------------------------------------------

-- [node.columns]
id, host, pid, version, started_ms, last_seen_ms, holds_jobs

-- [node.put]
-- a node's row, written by the node itself every few seconds
MERGE INTO instance_node n
USING (VALUES (?, ?, ?, ?, ?, ?, ?)) AS v (id, host, pid, version, started_ms, last_seen_ms, holds_jobs)
ON n.id = v.id
WHEN MATCHED THEN UPDATE SET last_seen_ms = v.last_seen_ms, holds_jobs = v.holds_jobs
WHEN NOT MATCHED THEN INSERT (${node.columns})
VALUES (v.id, v.host, v.pid, v.version, v.started_ms, v.last_seen_ms, v.holds_jobs)

-- [node.jobs.others]
-- the node that holds the singleton jobs unmarks the rows of the nodes that held them before (a dead one's stays marked otherwise)
UPDATE instance_node SET holds_jobs = FALSE WHERE id <> ? AND holds_jobs = TRUE

-- [node.all]
SELECT ${node.columns} FROM instance_node ORDER BY started_ms, id

-- [node.delete]
DELETE FROM instance_node WHERE id = ?

-- [node.delete.gone]
DELETE FROM instance_node WHERE last_seen_ms < ?

-- [jobs.session]
-- the session that holds the singleton jobs' lock sets itself up; the embedded engine's one node
-- always holds them and runs none of the jobs.* statements (see postgresql.sql)
SELECT 1 AS ready

-- [jobs.lock]
SELECT TRUE AS held

-- [jobs.check]
SELECT TRUE AS held

-- ecc_agent_property, ecc_agent_config, the configuration revision, the agents' reports ---------
-- (the API's field "value" is the column setting_value: VALUE is a keyword of H2)

-- [setting.columns]
sys_id, name, setting_value, agent, created_ms, updated_ms

-- [property.insert]
INSERT INTO ecc_agent_property (${setting.columns}) VALUES (?, ?, ?, ?, ?, ?)

-- [property.update]
UPDATE ecc_agent_property SET name = ?, setting_value = ?, agent = ?, updated_ms = ? WHERE sys_id = ?

-- [property.delete]
DELETE FROM ecc_agent_property WHERE sys_id = ?

-- [property.by.sys_id]
SELECT ${setting.columns} FROM ecc_agent_property WHERE sys_id = ?

-- [property.by.key]
SELECT ${setting.columns} FROM ecc_agent_property WHERE name = ? AND agent = ?

-- [property.for.agent]
-- the global properties and this agent's
SELECT ${setting.columns} FROM ecc_agent_property WHERE agent = '' OR agent = ? ORDER BY name, agent

-- [property.query]
SELECT ${setting.columns} FROM ecc_agent_property

-- [property.count]
SELECT COUNT(*) AS row_count FROM ecc_agent_property

-- [parameter.insert]
INSERT INTO ecc_agent_config (${setting.columns}) VALUES (?, ?, ?, ?, ?, ?)

-- [parameter.update]
UPDATE ecc_agent_config SET name = ?, setting_value = ?, agent = ?, updated_ms = ? WHERE sys_id = ?

-- [parameter.delete]
DELETE FROM ecc_agent_config WHERE sys_id = ?

-- [parameter.by.sys_id]
SELECT ${setting.columns} FROM ecc_agent_config WHERE sys_id = ?

-- [parameter.by.key]
SELECT ${setting.columns} FROM ecc_agent_config WHERE name = ? AND agent = ?

-- [parameter.for.agent]
SELECT ${setting.columns} FROM ecc_agent_config WHERE agent = ? ORDER BY name, agent

-- [parameter.query]
SELECT ${setting.columns} FROM ecc_agent_config

-- [parameter.count]
SELECT COUNT(*) AS row_count FROM ecc_agent_config

-- [config.revision.read]
SELECT config_revision FROM instance_state WHERE id = 1

-- [config.revision.increment]
UPDATE instance_state SET config_revision = config_revision + 1 WHERE id = 1

-- [agent.config.write]
UPDATE ecc_agent SET config_revision = ?, config_state = ?, config_errors = ?, config_effective = ? WHERE name = ?

-- [agent.config.read]
SELECT name, config_revision, config_state, config_errors, config_effective FROM ecc_agent WHERE name = ?
