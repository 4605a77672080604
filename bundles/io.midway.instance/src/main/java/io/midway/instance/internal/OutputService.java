package io.midway.instance.internal;

import io.midway.instance.api.EccQueue;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.InstanceException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.internal.cluster.ClusterRouter;
import io.midway.instance.store.StoreSession;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

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
        MemoryLeases memory = core.memoryLeases();
        if (memory == null || !query.mentions("state")) {
            // a lease in memory changes only the state shown: other terms mean the same in SQL
            return overlay(core.read(s -> s.queryRecords(query)));
        }
        List<QueueRecord> leased = leasedAsStored(memory);
        if (leased.isEmpty()) {
            return core.read(s -> s.queryRecords(query));
        }
        // The store matches the stored state; the records leased in memory (stored ready, shown
        // processing; few: what the agents hold) are the only ones it may match wrongly. Ask it for
        // as many more rows as there are leases, drop those that no longer match as shown, add the
        // leased ones that match only as shown, and cut the page in the query's order.
        long enough = (long) query.offset() + query.limit() + leased.size();
        TableQuery wider = query.page(0, (int) Math.min(Integer.MAX_VALUE, enough));
        Map<String, QueueRecord> shown = new LinkedHashMap<>();
        for (QueueRecord record : overlay(core.read(s -> s.queryRecords(wider)))) {
            if (query.matches(queryFields(record))) {
                shown.put(record.sysId(), record);
            }
        }
        for (QueueRecord stored : leased) {
            QueueRecord record = memory.overlay(stored);
            if (!shown.containsKey(record.sysId()) && query.matches(queryFields(record))) {
                shown.put(record.sysId(), record);
            }
        }
        List<QueueRecord> all = new ArrayList<>(shown.values());
        all.sort(order(query));
        return List.copyOf(all.subList(Math.min(query.offset(), all.size()),
                (int) Math.min((long) query.offset() + query.limit(), all.size())));
    }

    /**
     * @param query a query on either table
     * @return how many records match it (the Aggregate API's count)
     */
    public long count(TableQuery query) {
        core.requireOpen();
        MemoryLeases memory = core.memoryLeases();
        long stored = core.read(s -> s.count(query));
        if (memory == null || query.table() != TableSchema.ECC_QUEUE || !query.mentions("state")) {
            return stored;
        }
        // the store counted the stored state: correct it by the records leased in memory
        long n = stored;
        for (QueueRecord record : leasedAsStored(memory)) {
            QueueRecord shown = memory.overlay(record);
            n += (query.matches(queryFields(shown)) ? 1 : 0) - (query.matches(queryFields(record)) ? 1 : 0);
        }
        return Math.max(0, n);
    }

    /** @return the records leased in memory now, as the store holds them (state ready) */
    private List<QueueRecord> leasedAsStored(MemoryLeases memory) {
        java.util.Set<String> sysIds = memory.claimedBefore(Long.MAX_VALUE).keySet();
        if (sysIds.isEmpty()) {
            return List.of();
        }
        return new ArrayList<>(core.read(s -> s.findRecords(sysIds)).values());
    }

    /**
     * The query's order in memory, as the store sorts (embedded H2: empty values first when
     * ascending), then by the creation time in a sys_id's first 12 hex digits (the store's default
     * order is the creation time, then the insertion order). Used with a stable sort over rows the
     * store gave in its order: ties keep the store's order.
     */
    static java.util.Comparator<QueueRecord> order(TableQuery query) {
        java.util.Comparator<QueueRecord> order = (a, b) -> 0;
        for (TableQuery.Order o : query.orders()) {
            String name = o.field().name();
            java.util.Comparator<QueueRecord> one = (a, b) -> compareValues(queryFields(a).get(name), queryFields(b).get(name));
            order = order.thenComparing(o.descending() ? one.reversed() : one);
        }
        return order.thenComparing(r -> r.sysId().substring(0, Math.min(12, r.sysId().length())));
    }

    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Long.compare(x.longValue(), y.longValue());
        }
        return a.toString().compareTo(b.toString());
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
