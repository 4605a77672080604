package io.midway.instance.internal;

import io.midway.instance.api.EccQueue;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.InstanceException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.internal.cluster.ClusterRouter;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.StoreException;
import io.midway.instance.store.StoreSession;
import io.midway.instance.store.PendingHeartbeat;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.InstanceDescription;
import io.midway.wire.Json;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.AgentRegistration;
import io.midway.wire.SealedSecret;
import io.midway.instance.api.SyncState;

import org.osgi.service.component.annotations.Reference;

/**
 * The ECC queue's outputs and reads: inserting output records (one, or an array in one
 * transaction), addressed to an agent, to every agent ({@code mid.server.*}), to a cluster member
 * (routed where its cluster says) or to none (MID selection); and reading records and counts.
 */
@Component(service = {EccQueue.class})
public class OutputService implements EccQueue {

    private static final Logger LOG = LoggerFactory.getLogger(OutputService.class);

    private final InstanceCore core;
    /** Breaks ties in selection and spreads load-balanced work; {@link java.util.Random} is safe to share between threads. */
    private final java.util.Random random = new java.util.Random();
    /** Chooses agents for work that names none. */
    private final io.midway.instance.internal.selection.AgentSelector selector =
            new io.midway.instance.internal.selection.AgentSelector(random);
    /** Sends work addressed to a cluster member where its cluster says. */
    private final ClusterRouter clusterRouter = new ClusterRouter(random);
    /** An admin's changes and deletes of records. */
    private final RecordEditor editor;

    /**
     * @param core the instance core
     */
    @Activate
    public OutputService(@Reference InstanceCore core) {
        this.core = core;
        this.editor = new RecordEditor(core);
    }

    /**
     * Inserts an output record and wakes the addressed agent. {@code mid.server.*} fans out: one
     * copy per registered agent; the record itself is stored {@code processed} and returned.
     *
     * @param request the validated request
     * @return the stored record
     */
    public QueueRecord insertOutput(OutputRequest request) {
        return core.write((s, c) -> {
            Inserting inserting = new Inserting(s);
            QueueRecord stored = output(c, request, inserting);
            inserting.store(c);
            return stored;
        });
    }

    /**
     * Inserts output records in one transaction, all or none, and wakes each addressed agent once,
     * after the commit. Each request is handled as by {@link #insertOutput(OutputRequest)}.
     *
     * @param requests the validated requests, at most {@link OutputRequest#MAX_BATCH_RECORDS}
     * @return the stored records, in the order of the requests
     * @throws InstanceException (400) when there are none or too many
     */
    public List<QueueRecord> insertOutputs(List<OutputRequest> requests) {
        if (requests.isEmpty() || requests.size() > OutputRequest.MAX_BATCH_RECORDS) {
            throw InstanceException.invalid("between 1 and " + OutputRequest.MAX_BATCH_RECORDS
                    + " records can be inserted at once", "got " + requests.size());
        }
        return core.write((s, c) -> {
            Inserting inserting = new Inserting(s);
            List<QueueRecord> stored = new ArrayList<>(requests.size());
            for (OutputRequest request : requests) {
                stored.add(output(c, request, inserting));
            }
            inserting.store(c);
            return stored;
        });
    }

    /**
     * The rows one write inserts, and what deciding them needs, read at most once per write: the
     * agents (for fan-out, routing and clusters) and the clusters.
     */
    private static final class Inserting {
        final StoreSession s;
        final List<QueueRecord> rows = new ArrayList<>();
        /** The sys_ids of the per-agent copies of mid.server.* records. */
        final List<String> broadcastCopies = new ArrayList<>();
        private List<Agent> agents;
        private Map<String, Agent> agentsByName;
        private List<AgentCluster> clusters;

        Inserting(StoreSession s) {
            this.s = s;
        }

        List<Agent> agents() throws SQLException {
            if (agents == null) {
                agents = s.agents();
            }
            return agents;
        }

        Map<String, Agent> agentsByName() throws SQLException {
            if (agentsByName == null) {
                agentsByName = byName(agents());
            }
            return agentsByName;
        }

        List<AgentCluster> clusters() throws SQLException {
            if (clusters == null) {
                clusters = s.clusters();
            }
            return clusters;
        }

        void store(Changes c) throws SQLException {
            s.insertRecords(rows, c.now.toEpochMilli());
            s.markBroadcast(broadcastCopies);
        }
    }

    /** Adds the rows of one request, notes the agents to wake, returns the record it answers. */
    private QueueRecord output(Changes c, OutputRequest request, Inserting inserting) throws SQLException {
        String now = Json.time(c.now);
        String processed = QueueRecord.STATE_READY.equals(request.state()) ? null : now;
        if (request.routed()) {
            return routed(c, request, inserting, now, processed);
        }
        if (request.fanOut()) {
            QueueRecord all = output(request, QueueRecord.AGENT_ALL, QueueRecord.STATE_PROCESSED, now, now);
            inserting.rows.add(all);
            for (Agent agent : inserting.agents()) {
                QueueRecord copy = output(request, QueueRecord.agentField(agent.name()), request.state(), now, processed);
                inserting.rows.add(copy);
                inserting.broadcastCopies.add(copy.sysId());
                c.wake(agent.name());
            }
            return all;
        }
        String agentName = request.agent().substring(QueueRecord.AGENT_PREFIX.length());
        Optional<ClusterRouter.Redirect> redirect = redirect(request, agentName, inserting);
        QueueRecord record;
        if (redirect.isPresent()) {
            agentName = redirect.get().agent();
            record = new QueueRecord(AgentRecords.newSysId(), QueueRecord.agentField(agentName), request.topic(), request.name(),
                    request.source(), request.payload(), QueueRecord.QUEUE_OUTPUT, request.state(), request.responseTo(),
                    request.priority(), request.errorString(), now, processed, null, null, redirect.get().note());
        } else {
            record = output(request, request.agent(), request.state(), now, processed);
        }
        inserting.rows.add(record);
        c.wake(agentName);
        return record;
    }

    /** Where the cluster of the addressed agent sends new ready work, if elsewhere. */
    private Optional<ClusterRouter.Redirect> redirect(OutputRequest request, String agentName, Inserting inserting)
            throws SQLException {
        if (!QueueRecord.STATE_READY.equals(request.state()) || ClusterRouter.isHostBound(request.topic())
                || ClusterRouter.clusterOf(inserting.clusters(), agentName).isEmpty()) {
            return Optional.empty();
        }
        return clusterRouter.atInsert(agentName, request.topic(), inserting.clusters(), inserting.agentsByName());
    }

    static Map<String, Agent> byName(List<Agent> agents) {
        Map<String, Agent> byName = new LinkedHashMap<>();
        for (Agent agent : agents) {
            byName.put(agent.name(), agent);
        }
        return byName;
    }

    /**
     * Chooses the agent for a request that names none (MID selection, DESIGN §9) with the
     * algorithm of {@code mid.selection.algorithm}; the record keeps the choice and why. When no
     * agent may take it, the record is stored in state {@code error} with the reason, addressed to
     * no agent.
     */
    private QueueRecord routed(Changes c, OutputRequest request, Inserting inserting, String now, String processed)
            throws SQLException {
        String source = request.source() == null ? "" : request.source().trim();
        io.midway.instance.internal.selection.SelectionRequest criteria;
        try {
            criteria = io.midway.instance.internal.selection.SelectionRequest.of(request.application(), source,
                    request.capability(), core.settings().selectionAlgorithm());
        } catch (IllegalArgumentException e) {
            throw InstanceException.invalid(e.getMessage(),
                    "work with no agent is routed by application, source (the target IP address) and capability");
        }
        io.midway.instance.api.Selection selection;
        try {
            selection = selector.selectAmong(criteria, inserting.agents());
        } catch (IllegalArgumentException e) {
            throw InstanceException.invalid("no agent can be chosen: " + e.getMessage(),
                    "correct the agent's ip_ranges with PATCH /api/now/table/ecc_agent/{sys_id}");
        }
        QueueRecord record;
        if (selection.isChosen()) {
            String agentName = selection.agent();
            String reason = selection.reason();
            Optional<ClusterRouter.Redirect> redirect = redirect(request, agentName, inserting);
            if (redirect.isPresent()) {
                agentName = redirect.get().agent();
                reason = reason + "; " + redirect.get().note();
            }
            record = new QueueRecord(AgentRecords.newSysId(), QueueRecord.agentField(agentName), request.topic(), request.name(),
                    request.source(), request.payload(), QueueRecord.QUEUE_OUTPUT, request.state(), request.responseTo(),
                    request.priority(), request.errorString(), now, processed, criteria.application(),
                    emptyToNull(criteria.capability()), reason);
            c.wake(agentName);
        } else {
            record = new QueueRecord(AgentRecords.newSysId(), "", request.topic(), request.name(), request.source(), request.payload(),
                    QueueRecord.QUEUE_OUTPUT, QueueRecord.STATE_ERROR, request.responseTo(), request.priority(),
                    "No agent may take this work: " + selection.reason(), now, now, criteria.application(),
                    emptyToNull(criteria.capability()), selection.reason());
        }
        inserting.rows.add(record);
        return record;
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }

    private static QueueRecord output(OutputRequest r, String agent, String state, String now, String processed) {
        return new QueueRecord(AgentRecords.newSysId(), agent, r.topic(), r.name(), r.source(), r.payload(), QueueRecord.QUEUE_OUTPUT,
                state, r.responseTo(), r.priority(), r.errorString(), now, processed);
    }

    /**
     * @param query a query on {@link TableSchema#ECC_QUEUE}
     * @return the matching records
     */
    public List<QueueRecord> records(TableQuery query) {
        AgentRecords.requireTable(query, TableSchema.ECC_QUEUE);
        core.requireOpen();
        if (core.memoryLeases() == null || !query.mentions("state")) {
            // a lease in memory changes only the state shown: other terms mean the same in SQL
            return overlay(core.read(s -> s.queryRecords(query)));
        }
        List<QueueRecord> page = new ArrayList<>();
        scanShown(query, query.offset() + (long) query.limit(), record -> page.add(record));
        return page.subList(Math.min(query.offset(), page.size()), page.size());
    }

    /**
     * @param query a query on either table
     * @return how many records match it (the Aggregate API's count)
     */
    public long count(TableQuery query) {
        core.requireOpen();
        if (core.memoryLeases() == null || query.table() != TableSchema.ECC_QUEUE || !query.mentions("state")) {
            return core.read(s -> s.count(query));
        }
        long[] n = {0};
        scanShown(query, Long.MAX_VALUE, record -> n[0]++);
        return n[0];
    }

    /** Records read per statement when a query on state is evaluated in memory. */
    private static final int SCAN_CHUNK = 1000;

    /**
     * Reads the records a query on state matches as they are shown (those leased in memory are
     * stored ready and shown processing): the store answers the query without its terms on state
     * (a superset), the whole query is then evaluated in memory on each record as shown, in the
     * query's order, chunk by chunk.
     *
     * @param query a query on {@link TableSchema#ECC_QUEUE} that mentions state
     * @param wanted how many matches to hand over at most
     * @param sink takes the matches, in order
     */
    private void scanShown(TableQuery query, long wanted, Consumer<QueueRecord> sink) {
        TableQuery wider = query.ignoring("state");
        long found = 0;
        for (int offset = 0; found < wanted; offset += SCAN_CHUNK) {
            TableQuery chunk = wider.page(offset, SCAN_CHUNK);
            List<QueueRecord> rows = overlay(core.read(s -> s.queryRecords(chunk)));
            for (QueueRecord record : rows) {
                if (found < wanted && query.matches(queryFields(record))) {
                    sink.accept(record);
                    found++;
                }
            }
            if (rows.size() < SCAN_CHUNK) {
                return;
            }
        }
    }

    /** @return the record's queryable fields by name, as {@link TableQuery#matches} takes them */
    static Map<String, Object> queryFields(QueueRecord r) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("sys_id", r.sysId());
        fields.put("agent", r.agent());
        fields.put("topic", r.topic());
        fields.put("name", r.name());
        fields.put("source", r.source());
        fields.put("queue", r.queue());
        fields.put("state", r.state());
        fields.put("response_to", r.responseTo());
        fields.put("priority", r.priority());
        fields.put("error_string", r.errorString());
        fields.put("sys_created_on", r.sysCreatedOn());
        fields.put("processed", r.processed());
        fields.put("application", r.application());
        fields.put("capability", r.capability());
        fields.put("selection", r.selection());
        return fields;
    }

    /**
     * @param sysId a sys_id
     * @return the ECC record
     */
    public Optional<QueueRecord> record(String sysId) {
        core.requireOpen();
        Optional<QueueRecord> found = core.read(s -> s.findRecord(sysId));
        MemoryLeases memory = core.memoryLeases();
        return memory == null ? found : found.map(memory::overlay);
    }

    /** @return the records as they are: those leased in memory show {@code processing} (see {@link MemoryLeases}) */
    private List<QueueRecord> overlay(List<QueueRecord> records) {
        MemoryLeases memory = core.memoryLeases();
        return memory == null ? records : records.stream().map(memory::overlay).toList();
    }


    @Override
    public QueueRecord updateRecord(String sysId, io.midway.instance.api.EccChange change) {
        return editor.update(sysId, change);
    }

    @Override
    public void deleteRecord(String sysId) {
        editor.delete(sysId);
    }

    /** @return the queue's records by queue, topic and state */
    public List<io.midway.instance.api.TopicCount> queueByTopic() {
        core.requireOpen();
        return core.read(s -> s.countsByTopic());
    }
}
