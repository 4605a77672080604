package io.midway.instance.internal;

import io.midway.instance.api.AgentPolls;
import io.midway.instance.api.FieldLimits;
import io.midway.instance.api.InputResult;
import io.midway.instance.api.InstanceException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Agents' polls and results: a poll leases what is ready for an agent (at once, or as a long poll
 * that waits for work or a revision change), an input batch stores an agent's results and ends
 * the outputs they answer. A Down agent that polls is offered its heartbeat at once.
 */
@Component(service = {AgentPolls.class})
public class PollService implements AgentPolls {

    private static final Logger LOG = LoggerFactory.getLogger(PollService.class);
    /** The most records one poll may lease. */
    public static final int MAX_POLL_RECORDS = 1000;
    private static final Set<String> INPUT_STATES = Set.of(QueueRecord.STATE_PROCESSED, QueueRecord.STATE_ERROR);

    private final InstanceCore core;
    private final ScheduledExecutorService pollTimer;

    /**
     * @param core the instance core
     */
    @Activate
    public PollService(@Reference InstanceCore core) {
        this.core = core;
        this.pollTimer = Executors.newSingleThreadScheduledExecutor(InstanceCore.threads("midway-poll-timer"));
    }

    /** Stops the poll timer; waiting polls are answered by the core as it stops. */
    @Deactivate
    public void close() {
        pollTimer.shutdownNow();
    }

    /**
     * Leases what is ready for an agent, now, without waiting.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @return the reply
     * @throws InstanceException 404 for an unknown agent, 400 for a bad {@code max}
     */
    public PollResult poll(String agentName, int max) {
        if (agentName == null || agentName.isBlank()) {
            throw InstanceException.invalid("query parameter 'agent' is required");
        }
        if (max < 1 || max > MAX_POLL_RECORDS) {
            throw InstanceException.invalid("max must be between 1 and " + MAX_POLL_RECORDS, "got " + max);
        }
        PollResult quiet = core.memoryLeases() != null ? claimInMemory(agentName, max) : quietPoll(agentName, max);
        if (quiet == null && core.memoryLeases() == null) {
            quiet = claimApart(agentName, max);
        }
        if (quiet != null) {
            return quiet;
        }
        return core.write((s, c) -> {
            Agent agent = s.findAgentByName(agentName).orElseThrow(() -> AgentRecords.notRegistered(agentName));
            String now = Json.time(c.now);
            c.onCommit.add(() -> core.refreshTimes().heard(agentName, now));
            if (Agent.STATUS_DOWN.equals(agent.status())) {
                offerHeartbeat(s, c, agent.name());
            }
            List<QueueRecord> leased = lease(s, c, agent, max);
            return reply(agent, leased);
        });
    }

    /**
     * On a shared database: answers a poll that has nothing to lease — the agent is not Down and
     * nothing is ready for it — from a read, without queueing for the writer: most polls of many
     * idle agents. When it was heard from is kept in memory and written with others once a second
     * ({@link RefreshTimes}).
     *
     * @return the empty reply, or {@code null} when the poll must write
     */
    private PollResult quietPoll(String agentName, int max) {
        core.requireOpen();
        String now = Json.time(core.clock().instant());
        return core.read(s -> {
            Optional<Agent> found = s.findAgentByName(agentName);
            if (found.isEmpty()) {
                return null;
            }
            Agent agent = found.get();
            if (Agent.STATUS_DOWN.equals(agent.status()) || !readyFor(s, agent, 1).isEmpty()) {
                return null;
            }
            core.refreshTimes().heard(agentName, now);
            return reply(agent, List.of());
        });
    }

    /**
     * A poll on the embedded engine (leases in memory, {@link MemoryLeases}): reads what is ready
     * for the agent and holds it, under the agent's claim lock, without the writer — a poll never
     * waits behind the commits of inserts and results. A Down agent's poll goes to the writer
     * (it is offered its heartbeat).
     *
     * @return the reply, or {@code null} when the poll must go to the writer (an unknown or Down agent)
     */
    private PollResult claimInMemory(String agentName, int max) {
        core.requireOpen();
        MemoryLeases memory = core.memoryLeases();
        java.time.Instant now = core.clock().instant();
        String agentField = QueueRecord.agentField(agentName);
        synchronized (memory.claimLock(agentField)) {
            return core.read(s -> {
                Optional<Agent> found = s.findAgentByName(agentName);
                if (found.isEmpty() || Agent.STATUS_DOWN.equals(found.get().status())) {
                    return null;
                }
                Agent agent = found.get();
                List<QueueRecord> leased = holdInMemory(s, memory, agent, max, now.toEpochMilli(),
                        now.plus(core.settings().lease()).toEpochMilli());
                core.refreshTimes().heard(agentName, Json.time(now));
                return reply(agent, processing(leased));
            });
        }
    }

    /**
     * A poll on a database server: claims in a transaction of its own, beside the writer (the
     * claim skips rows another transaction holds), so that polls do not wait behind the commits
     * of inserts and results. A Down agent's poll goes to the writer (it is offered its heartbeat).
     *
     * @return the reply, or {@code null} when the poll must go to the writer (an unknown or Down agent)
     */
    private PollResult claimApart(String agentName, int max) {
        java.time.Instant now = core.clock().instant();
        return core.transactionApart(s -> {
            Optional<Agent> found = s.findAgentByName(agentName);
            if (found.isEmpty() || Agent.STATUS_DOWN.equals(found.get().status())) {
                return null;
            }
            Agent agent = found.get();
            List<QueueRecord> leased = readyFor(s, agent, max, now.plus(core.settings().lease()).toEpochMilli());
            core.refreshTimes().heard(agentName, Json.time(now));
            return reply(agent, processing(leased));
        });
    }

    /** Reads the agent's next ready records that it does not hold yet, and holds them in memory; under its claim lock. */
    private static List<QueueRecord> holdInMemory(StoreSession s, MemoryLeases memory, Agent agent, int max, long nowMs,
            long expiresMs) throws SQLException {
        String agentField = QueueRecord.agentField(agent.name());
        io.midway.instance.store.ReadyOutputs found = s.readyFor(agentField, !agent.validated(), onlyInteractive(agent),
                max, memory.heldBy(agentField));
        memory.hold(found.records().stream().map(QueueRecord::sysId).toList(), found.seqs(), agentField, nowMs,
                expiresMs);
        return found.records();
    }

    /**
     * Leases what is ready for an agent; if nothing is, waits up to
     * {@code min(waitMs, poll_max_wait_ms)} and completes as soon as work is written for it, or
     * (with no records) as soon as the file-sync revision changes.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @return the reply, completed at once or later; 503 ({@link InstanceException}) when stopping
     * @throws InstanceException 404 for an unknown agent, 400 for bad parameters
     */
    public CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs) {
        return longPoll(agentName, max, waitMs, null);
    }

    /**
     * Like {@link #longPoll(String, int, long)}, and answers at once, even with no records, when the
     * agent says it has applied another file-sync revision than the current one: a change made
     * while none of its polls was waiting reaches it without waiting for work or a timeout.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    public CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision) {
        return longPoll(agentName, max, waitMs, knownRevision, null);
    }

    /**
     * Like {@link #longPoll(String, int, long, String)}, and also answers at once when the agent
     * says it knows another instance version than the current one. A waiting poll completes as
     * soon as the instance version or the agent's pinned version changes.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    public CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision,
            String knownInstanceVersion) {
        return longPoll(agentName, max, waitMs, knownRevision, knownInstanceVersion, null);
    }

    /**
     * Like {@link #longPoll(String, int, long, String, String)}, and also answers at once when the
     * agent says it holds another credential revision than the current one. A waiting poll
     * completes as soon as the credentials change.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @param knownCredentialRevision the credential revision the agent holds, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    public CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision,
            String knownInstanceVersion, String knownCredentialRevision) {
        return longPoll(agentName, max, waitMs, knownRevision, knownInstanceVersion, knownCredentialRevision, null);
    }

    /**
     * Like {@link #longPoll(String, int, long, String, String, String)}, and also answers at once
     * when the agent says it holds another configuration revision than the current one.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @param knownCredentialRevision the credential revision the agent holds, or {@code null} if it did not say
     * @param knownConfigRevision the configuration revision the agent holds, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    public CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision,
            String knownInstanceVersion, String knownCredentialRevision, String knownConfigRevision) {
        if (waitMs < 0) {
            throw InstanceException.invalid("wait_ms must not be negative", "got " + waitMs);
        }
        long before = core.waiters().generation(agentName);
        PollResult first = poll(agentName, max);
        long wait = Math.min(waitMs, core.settings().pollMaxWait().toMillis());
        boolean revisionNews = knownRevision != null && !knownRevision.equals(first.syncRevision());
        boolean versionNews = knownInstanceVersion != null && !knownInstanceVersion.equals(first.instanceVersion());
        boolean credentialNews = knownCredentialRevision != null
                && !knownCredentialRevision.equals(first.credentialRevision());
        boolean configNews = knownConfigRevision != null && !knownConfigRevision.equals(first.configRevision());
        if (!first.result().isEmpty() || wait <= 0 || revisionNews || versionNews || credentialNews || configNews) {
            return CompletableFuture.completedFuture(first);
        }
        // An agent polls from one thread: an older poll still waiting was left by a connection
        // that is gone (an agent restarted or crashed mid-poll). Answer it empty now, or it would
        // lease the next record to a dead connection and hold it until the lease expires.
        for (Runnable older : core.waiters().take(agentName)) {
            if (older instanceof LongPoll stale) {
                stale.supersede();
            }
        }
        LongPoll waiting = new LongPoll(core.waiters(), this::poll, agentName, max, first, before);
        core.waiters().add(agentName, waiting);
        try {
            waiting.timeout = pollTimer.schedule(waiting::expire, wait, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            core.waiters().remove(agentName, waiting);
            return CompletableFuture.completedFuture(first);
        }
        if (core.closed()) {
            waiting.fail(new InstanceException(InstanceException.Reason.UNAVAILABLE, "the instance is stopping", ""));
        } else if (core.waiters().generation(agentName) != before) {
            // work was signalled between the first poll and add(): look again
            core.wakeExecutor().execute(waiting);
        }
        return waiting.future;
    }

    /**
     * Answers the waiting long polls of an agent with nothing, leasing nothing: the agent is
     * stopping, and work written from now on waits for its next poll instead of going to a
     * connection that nobody will read.
     *
     * @param agentName the agent
     * @return how many polls were waiting
     */
    public int releasePolls(String agentName) {
        int released = 0;
        for (Runnable waiting : core.waiters().take(agentName)) {
            if (waiting instanceof LongPoll poll) {
                poll.supersede();
                released++;
            }
        }
        return released;
    }

    /**
     * @param agentName an agent
     * @return how many long polls of it are waiting
     */
    public int waitingPolls(String agentName) {
        return core.waiters().count(agentName);
    }


    /** @return whether the agent takes interactive work only: paused, or replacing its core */
    private static boolean onlyInteractive(Agent agent) {
        return Agent.STATUS_PAUSED.equals(agent.status()) || Agent.STATUS_UPGRADING.equals(agent.status());
    }

    /** What an agent may take now: not validated, heartbeats only; paused or replacing its core, interactive work only. */
    private static List<QueueRecord> readyFor(StoreSession s, Agent agent, int max) throws SQLException {
        return readyFor(s, agent, max, 0);
    }

    /** As {@link #readyFor(StoreSession, Agent, int)}; with a lease expiry (not 0), claimed until then in one statement. */
    private static List<QueueRecord> readyFor(StoreSession s, Agent agent, int max, long leaseExpiresMs)
            throws SQLException {
        boolean heartbeatOnly = !agent.validated();
        boolean interactiveOnly = onlyInteractive(agent);
        String agentField = QueueRecord.agentField(agent.name());
        return leaseExpiresMs == 0 ? s.readyFor(agentField, heartbeatOnly, interactiveOnly, max)
                : s.claim(agentField, heartbeatOnly, interactiveOnly, max, leaseExpiresMs);
    }


    private List<QueueRecord> lease(StoreSession s, Changes c, Agent agent, int max) throws SQLException {
        long expiresMs = c.now.plus(core.settings().lease()).toEpochMilli();
        MemoryLeases memory = core.memoryLeases();
        List<QueueRecord> ready;
        if (memory == null) {
            ready = readyFor(s, agent, max, expiresMs);
        } else {
            // one node alone: a read, and the leases kept in memory (see MemoryLeases)
            synchronized (memory.claimLock(QueueRecord.agentField(agent.name()))) {
                ready = holdInMemory(s, memory, agent, max, c.now.toEpochMilli(), expiresMs);
            }
            List<String> claimed = ready.stream().map(QueueRecord::sysId).toList();
            c.onRollback.add(() -> memory.release(claimed));
        }
        return processing(ready);
    }

    /** @return a poll's reply to the agent: the records, the revisions and what the instance knows of the agent */
    private PollResult reply(Agent agent, List<QueueRecord> records) {
        return new PollResult(records, core.syncRevision(), core.instanceVersion(), agent.status(), agent.validated(),
                agent.pinnedVersion(), core.credentialRevision(), core.configRevision());
    }

    /** @return the records as a poll hands them out: {@code processing} (the fields an agent is sent) */
    private static List<QueueRecord> processing(List<QueueRecord> ready) {
        List<QueueRecord> leased = new ArrayList<>(ready.size());
        for (QueueRecord r : ready) {
            leased.add(new QueueRecord(r.sysId(), r.agent(), r.topic(), r.name(), r.source(), r.payload(), r.queue(),
                    QueueRecord.STATE_PROCESSING, r.responseTo(), r.priority(), r.errorString(), r.sysCreatedOn(),
                    r.processed()));
        }
        return leased;
    }

    /** A Down agent that polls again gets its heartbeat at once, so it can come back Up. */
    private void offerHeartbeat(StoreSession s, Changes c, String agentName) throws SQLException {
        Optional<PendingHeartbeat> pending = s.pendingHeartbeat(QueueRecord.agentField(agentName));
        if (pending.isEmpty()) {
            insertHeartbeat(s, c, agentName);
        } else if (QueueRecord.STATE_PROCESSING.equals(pending.get().state())) {
            s.markReady(pending.get().sysId());
        } else if (core.memoryLeases() != null) {
            core.memoryLeases().release(List.of(pending.get().sysId()));
        }
    }


    static void insertHeartbeat(StoreSession s, Changes c, String agentName) throws SQLException {
        QueueRecord heartbeat = HeartbeatMonitor.newHeartbeat(agentName, c.now);
        s.insertRecord(heartbeat, c.now.toEpochMilli());
        s.setLastHeartbeat(agentName, c.now.toEpochMilli());
        c.wake(agentName);
    }

    /**
     * Stores the results an agent posts. Each record is checked on its own: one that names no
     * output record, has no {@code response_to}, a wrong {@code state} or a field longer than its
     * column is refused (status {@code refused} with the reason) and the others are stored. When
     * every record is refused the batch is a 400 (nothing to store). The first input for an output
     * is stored and ends the output; repeats are reported as duplicates.
     *
     * @param batch the results
     * @return one outcome per record, in order
     */
    public List<InputResult> input(AgentResults batch) {
        if (batch == null || batch.records() == null) {
            throw InstanceException.invalid("field 'records' is required", "body: {\"records\":[{\"response_to\":…}]}");
        }
        List<AgentResult> records = batch.records();
        String[] refusals = new String[records.size()];
        for (int i = 0; i < records.size(); i++) {
            refusals[i] = inputProblem(records.get(i), "records[" + i + "]");
        }
        return core.write((s, c) -> {
            List<InputResult> results = new ArrayList<>();
            String now = Json.time(c.now);
            boolean anyAccepted = false;
            // the batch by batches (issue 15): one read of the outputs, one of their inputs, one
            // insert of the new inputs, one update per (state, error_string) of the outputs they end
            List<String> asked = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                if (refusals[i] == null) {
                    asked.add(records.get(i).responseTo().trim());
                }
            }
            Map<String, QueueRecord> outputs = s.findRecords(asked);
            Map<String, String> firstInputs = s.firstInputsFor(asked);
            List<QueueRecord> inputs = new ArrayList<>();
            Map<List<String>, List<String>> completions = new LinkedHashMap<>();
            List<String> heartbeatsAnswered = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                AgentResult r = records.get(i);
                String where = "records[" + i + "]";
                if (refusals[i] != null) {
                    results.add(InputResult.refused(r == null ? null : r.responseTo(), refusals[i]));
                    continue;
                }
                String responseTo = r.responseTo().trim();
                Optional<QueueRecord> output = Optional.ofNullable(outputs.get(responseTo))
                        .filter(o -> QueueRecord.QUEUE_OUTPUT.equals(o.queue()));
                if (output.isEmpty()) {
                    results.add(InputResult.refused(responseTo,
                            where + ".response_to '" + responseTo + "' names no output record"));
                    continue;
                }
                anyAccepted = true;
                String first = firstInputs.get(responseTo);
                if (first != null) {
                    results.add(new InputResult(responseTo, first, InputResult.DUPLICATE));
                    continue;
                }
                String state = r.state() == null ? QueueRecord.STATE_PROCESSED : r.state();
                String error = QueueRecord.STATE_ERROR.equals(state) ? r.errorString() : null;
                QueueRecord input = new QueueRecord(AgentRecords.newSysId(), output.get().agent(), AgentRecords.or(r.topic(), output.get().topic()),
                        AgentRecords.or(r.name(), output.get().name()), AgentRecords.or(r.source(), output.get().source()),
                        r.payload(), QueueRecord.QUEUE_INPUT, state, responseTo, output.get().priority(), error, now, now);
                inputs.add(input);
                firstInputs.put(responseTo, input.sysId());
                completions.computeIfAbsent(java.util.Arrays.asList(state, error), k -> new ArrayList<>())
                        .add(responseTo);
                if (QueueRecord.TOPIC_HEARTBEAT.equals(output.get().topic())
                        && output.get().agent().startsWith(QueueRecord.AGENT_PREFIX)) {
                    heartbeatsAnswered.add(output.get().agent().substring(QueueRecord.AGENT_PREFIX.length()));
                }
                results.add(new InputResult(responseTo, input.sysId(), InputResult.INSERTED));
            }
            s.insertRecords(inputs, c.now.toEpochMilli());
            for (Map.Entry<List<String>, List<String>> done : completions.entrySet()) {
                s.completeOutputs(done.getValue(), done.getKey().get(0), done.getKey().get(1), now);
            }
            MemoryLeases memory = core.memoryLeases();
            if (memory != null && !completions.isEmpty()) {
                List<String> answered = completions.values().stream().flatMap(List::stream).toList();
                c.onCommit.add(() -> memory.release(answered));
            }
            for (String agentName : heartbeatsAnswered) {
                heartbeatAnswered(s, c, agentName);
            }
            if (!anyAccepted && !results.isEmpty()) {
                throw InstanceException.invalid(results.get(0).error(),
                        results.size() == 1 ? "nothing was stored" : "every record was refused; nothing was stored");
            }
            return results;
        });
    }


    /** @return why one posted result cannot be stored, null when it can */
    private static String inputProblem(AgentResult r, String where) {
        if (r == null) {
            return where + " must be an object";
        }
        if (r.responseTo() == null || r.responseTo().isBlank()) {
            return where + ".response_to is required";
        }
        if (r.state() != null && !INPUT_STATES.contains(r.state())) {
            return where + ".state must be processed or error, got '" + abbreviate(r.state()) + "'";
        }
        try {
            FieldLimits.check(where + ".response_to", r.responseTo().trim(), FieldLimits.RESPONSE_TO);
            FieldLimits.check(where + ".topic", r.topic(), FieldLimits.TOPIC);
            FieldLimits.check(where + ".name", r.name(), FieldLimits.LONG_TEXT);
            FieldLimits.check(where + ".source", r.source(), FieldLimits.LONG_TEXT);
            FieldLimits.check(where + ".error_string", r.errorString(), FieldLimits.LONG_TEXT);
        } catch (InstanceException e) {
            return e.getMessage();
        }
        return null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }


    private void heartbeatAnswered(StoreSession s, Changes c, String agentName) throws SQLException {
        Optional<Agent> found = s.findAgentByName(agentName);
        if (found.isEmpty()) {
            return;
        }
        Agent agent = AgentRecords.withLastRefreshed(found.get(), Json.time(c.now));
        if (Agent.STATUS_DOWN.equals(agent.status())) {
            agent = AgentRecords.withStatus(agent, Agent.STATUS_UP);
            c.event(s, InstanceEvent.MID_SERVER_UP, agentName, "answered a heartbeat; back Up");
            c.wake(agentName);
        }
        s.updateAgent(agent);
    }

    /**
     * @param outputSysIds sys_ids of output records
     * @return the {@code agent} field of each that exists, by sys_id
     */
    public Map<String, String> agentsOf(java.util.Collection<String> outputSysIds) {
        core.requireOpen();
        return core.read(s -> s.agentsOf(outputSysIds));
    }

    /** @return the longest a long poll waits ({@code poll_max_wait_ms}) */
    public Duration longestWait() {
        return core.settings().pollMaxWait();
    }
}
