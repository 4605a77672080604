package io.midway.instance.internal;

import io.midway.instance.store.WaitingOutput;
import io.midway.instance.api.InstanceNodes;
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
 * Writes a {@code HeartbeatProbe} to every agent each heartbeat interval and marks {@code Down}
 * the agents that leave it unanswered past the timeout. Checks every second, or every quarter
 * interval when that is shorter; a changed interval applies from the next check. Runs only on
 * the node that holds the {@link SingletonJobs}. A check costs the same with 5,000 agents as with
 * one: two indexed reads that answer only the agents due or overdue, and a write only when there
 * are some.
 */
@Component(service = HeartbeatMonitor.class, immediate = true)
public class HeartbeatMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatMonitor.class);

    private final InstanceCore core;
    /** Sends the work of a cluster member that went Down where its cluster says. */
    private final ClusterRouter clusterRouter = new ClusterRouter(new java.util.Random());
    /** Whether this node runs the singleton jobs; {@code null}: always (tests). */
    private final InstanceNodes jobs;
    private final ScheduledExecutorService scheduler;

    /**
     * Starts checking.
     *
     * @param core the instance core
     * @param jobs whether this node runs the singleton jobs
     */
    @Activate
    public HeartbeatMonitor(@Reference(name = "core") InstanceCore core, @Reference(name = "jobs") InstanceNodes jobs) {
        this(core, jobs, true);
    }

    /**
     * @param core the instance core
     * @param jobs whether this node runs the singleton jobs; {@code null}: always
     * @param scheduled whether to check on a schedule; without, only when {@link #check()} is called (tests)
     */
    public HeartbeatMonitor(InstanceCore core, InstanceNodes jobs, boolean scheduled) {
        this.core = core;
        this.jobs = jobs;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "midway-heartbeat-monitor");
            thread.setDaemon(true);
            return thread;
        });
        if (scheduled) {
            scheduleNext();
        }
    }

    /** Stops checking. */
    @Deactivate
    public void stop() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One check: write due heartbeats, then mark silent agents Down (and fail over); only on the node holding the jobs. */
    void check() {
        try {
            if (jobs != null && !jobs.held()) {
                return;
            }
            sendDueHeartbeats();
            markSilentAgentsDown();
        } catch (InstanceException e) {
            LOG.debug("Heartbeat check skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Heartbeat check failed", e);
        } finally {
            scheduleNext();
        }
    }

    private void scheduleNext() {
        Duration period = core.settings().checkPeriod();
        try {
            scheduler.schedule(this::check, Math.max(10, period.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Heartbeat monitor stopped");
        }
    }

    // --- heartbeats and leases -------------------------------------------------------------

    /**
     * Writes a {@code HeartbeatProbe} for every agent whose last one is at least an interval old
     * and that has none pending: one indexed read when none is due (most checks), else one
     * transaction with one read, one insert batch and one update for all of them.
     *
     * @return how many were written
     */
    public int sendDueHeartbeats() {
        Duration interval = core.settings().heartbeatInterval();
        long readCutoff = core.clock().instant().minus(interval).toEpochMilli();
        if (core.read(s -> s.agentsDueForHeartbeat(readCutoff)).isEmpty()) {
            return 0;
        }
        return core.write((s, c) -> {
            long cutoff = c.now.minus(interval).toEpochMilli();
            List<String> due = s.agentsDueForHeartbeat(cutoff);
            if (due.isEmpty()) {
                return 0;
            }
            List<QueueRecord> heartbeats = new ArrayList<>(due.size());
            for (String name : due) {
                heartbeats.add(newHeartbeat(name, c.now));
            }
            s.insertRecords(heartbeats, c.now.toEpochMilli());
            s.setLastHeartbeat(due, c.now.toEpochMilli());
            due.forEach(c::wake);
            LOG.debug("Heartbeat written for {}", due);
            return due.size();
        });
    }

    /**
     * @param agentName an agent
     * @param now the time it is written
     * @return a new {@code HeartbeatProbe} output for it, ready, interactive priority
     */
    static QueueRecord newHeartbeat(String agentName, Instant now) {
        return new QueueRecord(AgentRecords.newSysId(), QueueRecord.agentField(agentName), QueueRecord.TOPIC_HEARTBEAT,
                QueueRecord.TOPIC_HEARTBEAT, null, null, QueueRecord.QUEUE_OUTPUT, QueueRecord.STATE_READY, null,
                QueueRecord.PRIORITY_INTERACTIVE, null, Json.time(now), null);
    }

    /**
     * Marks {@code Down} every agent whose pending heartbeat is older than the timeout: one indexed
     * read that answers only those agents (none, on most checks), whatever the number of agents.
     *
     * @return how many went Down
     */
    public int markSilentAgentsDown() {
        Duration timeout = core.settings().heartbeatTimeout();
        long readCutoff = core.clock().instant().minus(timeout).toEpochMilli();
        if (core.read(s -> s.agentsWithOverdueHeartbeat(readCutoff)).isEmpty()) {
            return 0;
        }
        // an agent goes Down and its cluster may take its work: the leases held in memory are
        // written first, so that what it was processing is moved (and counted) as processing
        core.writeHeldLeases(true);
        return core.write((s, c) -> {
            long cutoff = c.now.minus(timeout).toEpochMilli();
            List<String> down = new ArrayList<>();
            for (Map.Entry<String, Long> overdue : s.agentsWithOverdueHeartbeat(cutoff).entrySet()) {
                Optional<Agent> found = s.findAgentByName(overdue.getKey());
                if (found.isEmpty() || Agent.STATUS_DOWN.equals(found.get().status())) {
                    continue;
                }
                Agent agent = found.get();
                long silent = (c.now.toEpochMilli() - overdue.getValue()) / 1000;
                String lastHeard = agent.lastRefreshed() == null ? "never heard from"
                        : "last heard from " + AgentRecords.secondsSince(agent.lastRefreshed(), c.now) + " s ago";
                s.updateAgent(AgentRecords.withStatus(agent, Agent.STATUS_DOWN));
                c.event(s, InstanceEvent.MID_SERVER_DOWN, agent.name(), "no answer to the heartbeat sent " + silent
                        + " s ago (timeout " + timeout.toSeconds() + " s); " + lastHeard + "; was " + agent.status());
                down.add(agent.name());
            }
            // only once every silent agent is Down, so no work moves to an agent going Down with it
            if (!down.isEmpty()) {
                List<AgentCluster> clusters = s.clusters();
                if (!clusters.isEmpty()) {
                    Map<String, Agent> agents = OutputService.byName(s.agents());
                    for (String name : down) {
                        failOver(s, c, name, clusters, agents);
                    }
                }
            }
            return down.size();
        });
    }

    /**
     * Moves the waiting work of a cluster member that went Down to the members its cluster names
     * (see {@link ClusterRouter}), in the transaction that marked it Down, and writes the event:
     * {@code mid_server.failover} with how many records went from whom to whom, or
     * {@code mid_server.cluster.down} when no member can take them and they wait.
     */
    private void failOver(StoreSession s, Changes c, String down, List<AgentCluster> clusters,
            Map<String, Agent> agents) throws SQLException {
        Optional<ClusterRouter.Takeover> found = clusterRouter.takeover(down, clusters, agents);
        if (found.isEmpty()) {
            return;
        }
        ClusterRouter.Takeover takeover = found.get();
        AgentCluster cluster = takeover.cluster();
        List<WaitingOutput> waiting = s.waitingOutputs(QueueRecord.agentField(down));
        List<WaitingOutput> movable = waiting.stream()
                .filter(r -> !r.broadcast() && !ClusterRouter.isHostBound(r.topic())).toList();
        int kept = waiting.size() - movable.size();
        String keptText = kept == 0 ? "" : "; " + kept + " record" + (kept == 1 ? "" : "s")
                + " bound to its host (topics " + String.join(", ", new java.util.TreeSet<>(ClusterRouter.HOST_BOUND_TOPICS))
                + ", or its copy of mid.server.* work) " + (kept == 1 ? "stays" : "stay");
        String label = "cluster " + cluster.name() + " (" + cluster.type().label() + ")";
        if (!takeover.possible()) {
            List<String> members = new ArrayList<>();
            for (String member : cluster.members()) {
                Agent agent = agents.get(member);
                members.add(member + " (" + (agent == null ? "not registered" : agent.status()
                        + (agent.validated() ? "" : ", not validated")) + ")");
            }
            c.event(s, InstanceEvent.MID_SERVER_CLUSTER_DOWN, down, label + ": no other member is Up and validated ("
                    + String.join(", ", members) + "); " + movable.size() + " record" + (movable.size() == 1 ? "" : "s")
                    + " of " + down + (movable.size() == 1 ? " waits" : " wait") + " until it or another member is Up");
            LOG.warn("Agent {} went Down and no member of cluster {} can take its {} waiting record(s)", down,
                    cluster.name(), movable.size());
            return;
        }
        Map<String, String> moves = new LinkedHashMap<>();
        Map<String, String> notes = new LinkedHashMap<>();
        Map<String, Integer> perTarget = new java.util.TreeMap<>();
        int processing = 0;
        for (WaitingOutput record : movable) {
            String target = clusterRouter.target(takeover);
            moves.put(record.sysId(), QueueRecord.agentField(target));
            notes.put(record.sysId(), ClusterRouter.note(takeover, target));
            perTarget.merge(target, 1, Integer::sum);
            if (QueueRecord.STATE_PROCESSING.equals(record.state())) {
                processing++;
            }
        }
        int moved = s.moveOutputs(moves, notes);
        perTarget.keySet().forEach(c::wake);
        String to = perTarget.isEmpty() ? String.join(", ", takeover.targets())
                : perTarget.size() == 1 ? perTarget.keySet().iterator().next()
                : perTarget.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                        .collect(java.util.stream.Collectors.joining(", "));
        c.event(s, InstanceEvent.MID_SERVER_FAILOVER, down, label + ": " + moved + " record" + (moved == 1 ? "" : "s")
                + " of " + down + " (" + (moved - processing) + " ready, " + processing + " processing) moved to " + to
                + keptText);
    }
}
