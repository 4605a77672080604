package io.midway.instance.internal;

import io.midway.instance.api.InstanceNodes;
import io.midway.instance.api.NodeRow;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.store.JobLease;

import io.midway.instance.store.StoreSession;

/**
 * The singleton jobs of the instance — the {@link HeartbeatMonitor} (due heartbeats, silent agents
 * {@code Down}, cluster failover) and the {@link LeaseReaper} — run on one node of a database at a
 * time (issue 15 point 4): the node whose store holds the {@link JobLease} (on PostgreSQL a
 * session-level advisory lock on a connection of its own; on the embedded H2 the one node always
 * holds it). Every second this node takes the lease when it is free, or checks that it still holds
 * it; the jobs ask {@link #held()} before each run.
 *
 * <p>No two nodes run the jobs at once: a holder runs them only within {@link #VALID} of its last
 * good check (a broken connection, or a check stuck on the network, stops it then), and a node
 * that takes the lease over waits {@link #TAKEOVER_WAIT}, longer than that, before it runs them.
 *
 * <p>Each node also writes its row in {@code instance_node} every {@link #ROW_PERIOD} (id, host,
 * pid, version, started, last seen, whether it holds the jobs), which {@code instance:nodes} lists;
 * a row not written for {@link #GONE_AFTER} is a node gone, removed by the holder after
 * {@link #REMOVED_AFTER}.
 */
@Component(service = {SingletonJobs.class, InstanceNodes.class}, immediate = true)
public class SingletonJobs implements InstanceNodes {

    /** How often the lease is taken or checked. */
    static final Duration RENEW = Duration.ofSeconds(1);
    /** How long after its last good check a holder still runs the jobs. */
    static final Duration VALID = Duration.ofMillis(2500);
    /** How long a node that took the lease over waits before it runs the jobs (longer than {@link #VALID}). */
    static final Duration TAKEOVER_WAIT = Duration.ofSeconds(3);
    /** How often a node writes its row. */
    static final Duration ROW_PERIOD = Duration.ofSeconds(3);
    /** A gone node's row is removed after this long. */
    static final Duration REMOVED_AFTER = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(SingletonJobs.class);


    private final InstanceCore service;
    private final JobLease lease;
    private final String id;
    private final String host;
    private final long pid;
    private final long startedMs;
    private final ScheduledExecutorService scheduler;
    /** Whether the lease was held at the last check (the renewing thread writes it). */
    private volatile boolean holding;
    /** {@link System#nanoTime()} of the last good check. */
    private volatile long renewedNanos;
    /** {@link System#nanoTime()} from which a new holder runs the jobs. */
    private volatile long runFromNanos;
    /** Whether the last row write failed (logged once until one succeeds). */
    private volatile boolean rowFailing;

    /**
     * Starts taking (or checking) the lease every second and writing this node's row.
     *
     * @param service the instance
     */
    @Activate
    public SingletonJobs(@Reference(name = "service") InstanceCore service) {
        this.service = service;
        this.lease = service.jobLease();
        this.id = UUID.randomUUID().toString().substring(0, 8);
        this.host = hostName();
        this.pid = ProcessHandle.current().pid();
        this.startedMs = System.currentTimeMillis();
        // the embedded engine's one node holds the jobs from the start
        this.holding = !lease.exclusive() && lease.renew();
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "midway-singleton-jobs");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::renew, 0, RENEW.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::writeRow, 0, ROW_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops, lets go of the jobs (another node takes them at its next try) and removes this node's row. */
    @Deactivate
    public void stop() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean wasHolding = holding;
        holding = false;
        lease.release();
        if (wasHolding && lease.exclusive()) {
            LOG.info("Instance node {} stopped running the singleton jobs (heartbeat monitor, lease reaper, failover): "
                    + "it is stopping", id);
        }
        try {
            service.writeStore(s -> {
                s.deleteNode(id);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.debug("Could not remove the row of instance node {}: {}", id, e.getMessage());
        }
    }

    /**
     * @return whether this node runs the singleton jobs now: it holds the lease, checked it within
     *     {@link #VALID}, and (on a database server) took it at least {@link #TAKEOVER_WAIT} ago
     */
    @Override
    public boolean held() {
        if (!holding) {
            return false;
        }
        if (!lease.exclusive()) {
            return true;
        }
        long now = System.nanoTime();
        return now - renewedNanos < VALID.toNanos() && now - runFromNanos >= 0;
    }

    /** @return this node's id, made at its start */
    @Override
    public String nodeId() {
        return id;
    }

    /** Takes the lease when free, or checks it is still held; logs once when that changes. */
    void renew() {
        boolean now;
        try {
            now = lease.renew();
        } catch (RuntimeException e) {
            LOG.warn("Checking the singleton jobs' lease failed", e);
            now = false;
        }
        long at = System.nanoTime();
        if (now) {
            renewedNanos = at;
            if (!holding) {
                runFromNanos = lease.exclusive() ? at + TAKEOVER_WAIT.toNanos() : at;
                holding = true;
                if (lease.exclusive()) {
                    LOG.info("Instance node {} took the singleton jobs (heartbeat monitor, lease reaper, failover); "
                            + "it runs them from {} ms on", id, TAKEOVER_WAIT.toMillis());
                    scheduler.schedule(this::writeRow, TAKEOVER_WAIT.toMillis() + 100, TimeUnit.MILLISECONDS);
                }
            }
        } else if (holding) {
            holding = false;
            LOG.info("Instance node {} lost the singleton jobs (heartbeat monitor, lease reaper, failover): its database "
                    + "session holding them ended or did not answer; it stopped running them and tries again every {} s",
                    id, RENEW.toSeconds());
            writeRow();
        }
    }

    /** Writes this node's row; the holder also removes the rows of nodes gone long ago. */
    void writeRow() {
        long now = System.currentTimeMillis();
        boolean jobs = held();
        try {
            service.writeStore(s -> {
                s.putNode(self(now, jobs));
                if (jobs) {
                    s.deleteGoneNodes(now - REMOVED_AFTER.toMillis());
                }
                return null;
            });
            if (rowFailing) {
                rowFailing = false;
                LOG.info("Instance node {} writes its row in instance_node again", id);
            }
        } catch (RuntimeException e) {
            if (!rowFailing) {
                rowFailing = true;
                LOG.warn("Instance node {} could not write its row in instance_node: {}", id, e.getMessage());
            }
        }
    }

    private NodeRow self(long nowMs, boolean jobs) {
        return new NodeRow(id, host, pid, service.settings().version(), startedMs, nowMs, jobs);
    }

    /**
     * @return the nodes on this database: alive ones first (this node as of now), then those gone,
     *     each group by start time
     */
    @Override
    public List<Node> nodes() {
        long now = System.currentTimeMillis();
        List<NodeRow> rows = service.read(StoreSession::nodes);
        List<Node> out = new ArrayList<>();
        out.add(new Node(self(now, held()), true, true));
        for (NodeRow row : rows) {
            if (!row.id().equals(id)) {
                out.add(new Node(row, now - row.lastSeenMs() <= GONE_AFTER.toMillis(), false));
            }
        }
        out.sort(Comparator.comparing((Node n) -> !n.alive()).thenComparingLong(n -> n.row().startedMs())
                .thenComparing(n -> n.row().id()));
        return out;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }
}
