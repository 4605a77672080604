package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import javax.sql.ConnectionEvent;
import javax.sql.ConnectionEventListener;
import javax.sql.ConnectionPoolDataSource;
import javax.sql.PooledConnection;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.store.EngineSetup;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.JobLease;
import io.midway.instance.store.NodeSignals;
import io.midway.instance.store.sql.Statements;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentRegistration;

/**
 * What the singleton jobs cost when nothing is due: every statement the store prepares is
 * counted (a wrapped connection), and a heartbeat check or a lease reaping costs the same with
 * {@value #MANY} agents as with {@value #FEW} — not one query per agent. The heartbeats that fall
 * due together are written with the same few statements however many they are.
 */
public class IdleCostTest {

    private static final int FEW = 2;
    private static final int MANY = 80;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<InstanceServices> services = new ArrayList<>();

    /**
     * @param dir a folder for an embedded database
     * @return the engine under test: the embedded H2
     */
    protected EngineSetup setup(Path dir) {
        return io.midway.instance.store.h2.H2Engine.setup(dir);
    }

    @After
    public void close() {
        services.forEach(InstanceServices::close);
    }

    /** An instance with {@code agents} registered agents on a counted store, its clock at hand. */
    private final class Counted {
        final CountingSetup setup;
        final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        final InstanceServices service;
        final HeartbeatMonitor monitor;
        final LeaseReaper reaper;

        Counted(int agents, String dir) {
            setup = new CountingSetup(setup(tmp.getRoot().toPath().resolve(dir)));
            service = new InstanceServices(InstanceStore.open(setup), new InstanceSettings(Duration.ofSeconds(60),
                    Duration.ofSeconds(30), Duration.ofSeconds(120), true, Duration.ofSeconds(5), "1.2.3"), clock);
            services.add(service);
            monitor = service.heartbeats();
            reaper = service.leases();
            register(0, agents);
        }

        /** Registers agent-{from} to agent-{to - 1}. */
        void register(int from, int to) {
            for (int i = from; i < to; i++) {
                service.agents().register(new AgentRegistration("agent-" + i, "1.0.0", "h" + i, "127.0.0.1", List.of("tcp")));
            }
        }

        /** @return the statements one run of the singleton jobs prepares: heartbeats, then leases */
        List<String> jobs() {
            setup.prepared.clear();
            monitor.check();
            reaper.reapExpiredLeases();
            return List.copyOf(setup.prepared);
        }

        List<QueueRecord> heartbeats(String state) {
            return service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                    "topic=HeartbeatProbe^state=" + state, null, null, null));
        }
    }

    @Test
    public void anIdleCheckCostsTheSameWithManyAgentsAsWithFew() {
        Counted c = new Counted(FEW, "idle");
        // the first agents have a heartbeat pending (sent a second ago, not yet overdue)
        c.clock.advance(Duration.ofSeconds(61));
        assertEquals(FEW, c.monitor.sendDueHeartbeats());
        c.clock.advance(Duration.ofSeconds(1));
        List<String> idleFew = c.jobs();
        c.register(FEW, MANY);
        List<String> idleMany = c.jobs();
        assertEquals("an idle check and reaping with " + MANY + " agents prepare what they prepare with " + FEW
                + ": " + idleMany, idleFew.size(), idleMany.size());
        assertTrue("an idle check and reaping are three reads: " + idleMany, idleMany.size() <= 3);
        assertTrue("nothing written when nothing is due: " + idleMany,
                idleMany.stream().noneMatch(sql -> sql.strip().toUpperCase().matches("(?s)^(INSERT|UPDATE|DELETE).*")));
        // and nothing changed: the heartbeats still pending, every agent Up
        assertEquals(FEW, c.heartbeats(QueueRecord.STATE_READY).size());
        for (int i = 0; i < MANY; i++) {
            assertEquals(Agent.STATUS_UP, c.service.agents().agentByName("agent-" + i).orElseThrow().status());
        }
    }

    @Test
    public void dueHeartbeatsAreWrittenTogether() {
        Counted c = new Counted(FEW, "due");
        c.clock.advance(Duration.ofSeconds(61));
        c.setup.prepared.clear();
        assertEquals(FEW, c.monitor.sendDueHeartbeats());
        List<String> writeFew = List.copyOf(c.setup.prepared);
        assertEquals("one heartbeat each", FEW, c.heartbeats(QueueRecord.STATE_READY).size());
        c.register(FEW, MANY);
        c.clock.advance(Duration.ofSeconds(61));
        c.setup.prepared.clear();
        assertEquals("the new agents are due; the first ones still have theirs pending", MANY - FEW,
                c.monitor.sendDueHeartbeats());
        List<String> writeMany = List.copyOf(c.setup.prepared);
        assertEquals(MANY, c.heartbeats(QueueRecord.STATE_READY).size());
        assertEquals("writing " + (MANY - FEW) + " due heartbeats prepares what writing " + FEW + " does: " + writeMany,
                writeFew.size(), writeMany.size());
        assertEquals("a heartbeat is pending for every agent: nothing more", 0, c.monitor.sendDueHeartbeats());
    }

    /**
     * Idle agents' polls are reads: when each was heard from ({@code last_refreshed}) is kept in
     * memory, shown at once, and written for all of them in one batch (a second apart), not by a
     * write of each poll.
     */
    @Test
    public void idlePollsAreReadsAndTheirRefreshTimesAreWrittenInBatches() {
        Counted c = new Counted(MANY, "polls");
        c.service.core().writeRefreshTimes();
        c.setup.prepared.clear();
        int polls = 0;
        for (int round = 0; round < 3; round++) {
            c.clock.advance(Duration.ofSeconds(1));
            for (int i = 0; i < MANY; i++) {
                assertEquals(List.of(), c.service.polls().poll("agent-" + i, 10).result());
                polls++;
            }
        }
        List<String> byPolls = List.copyOf(c.setup.prepared);
        List<String> writes = byPolls.stream()
                .filter(sql -> sql.strip().toUpperCase().matches("(?s)^(INSERT|UPDATE|DELETE).*")).toList();
        assertTrue("the polls wrote nothing but refresh times: " + writes,
                writes.stream().allMatch(sql -> sql.contains("SET last_refreshed = ?")));
        assertTrue(polls + " polls, " + writes.size() + " batch writes of their times (one a second at most)",
                writes.size() < 10);
        // shown at once, before it is written
        assertEquals("2026-03-01 10:00:03", c.service.agents().agentByName("agent-7").orElseThrow().lastRefreshed());
        c.service.core().writeRefreshTimes();
        assertEquals("written", "2026-03-01 10:00:03",
                c.service.core().read(s -> s.findAgentByName("agent-7")).orElseThrow().lastRefreshed());
        c.setup.prepared.clear();
        c.service.core().writeRefreshTimes();
        assertEquals("nothing left to write", List.of(), c.setup.prepared);
    }

    /** A long poll that times out with nothing signalled for its agent answers without asking the store again. */
    @Test
    public void aLongPollThatTimesOutQuietlyAsksTheStoreNothingMore() throws Exception {
        Counted c = new Counted(FEW, "expiry");
        java.util.concurrent.CompletableFuture<io.midway.instance.api.PollResult> waiting =
                c.service.polls().longPoll("agent-0", 10, 300);
        c.setup.prepared.clear();
        io.midway.instance.api.PollResult reply = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(List.of(), reply.result());
        List<String> asked = c.setup.prepared.stream().filter(sql -> !sql.contains("SET last_refreshed = ?")).toList();
        assertEquals("nothing asked while waiting or at the timeout", List.of(), asked);
    }

    @Test
    public void silentAgentsStillGoDownAndOnlyThey() {
        Counted c = new Counted(MANY, "down");
        c.clock.advance(Duration.ofSeconds(61));
        assertEquals(MANY, c.monitor.sendDueHeartbeats());
        // agent-0 answers through its poll and input; the others stay silent past the timeout
        assertTrue(new Deliveries().pollAndAnswer(c.service, "agent-0", 10));
        c.clock.advance(Duration.ofSeconds(31));
        assertEquals(MANY - 1, c.monitor.markSilentAgentsDown());
        Optional<Agent> answered = c.service.agents().agentByName("agent-0");
        assertEquals(Agent.STATUS_UP, answered.orElseThrow().status());
        assertEquals(Agent.STATUS_DOWN, c.service.agents().agentByName("agent-1").orElseThrow().status());
        assertEquals("already Down: nothing more", 0, c.monitor.markSilentAgentsDown());
    }

    @Test
    public void theChecksAreAnsweredFromIndexes() throws Exception {
        Counted c = new Counted(MANY, "plans");
        long now = c.clock.instant().toEpochMilli();
        String overdue = plan(c, "agent.heartbeat.overdue", QueueRecord.AGENT_PREFIX, QueueRecord.QUEUE_OUTPUT,
                QueueRecord.STATE_READY, QueueRecord.STATE_PROCESSING, QueueRecord.TOPIC_HEARTBEAT, now, Agent.STATUS_DOWN, now);
        assertTrue("overdue heartbeats: agents from the heartbeat index: " + overdue, overdue.contains("ecc_agent_heartbeat"));
        assertTrue("overdue heartbeats: their heartbeats from the delivery index: " + overdue, overdue.contains("ecc_queue_ready"));
        String due = plan(c, "agent.heartbeat.due", now, QueueRecord.AGENT_PREFIX, QueueRecord.QUEUE_OUTPUT,
                QueueRecord.TOPIC_HEARTBEAT, QueueRecord.STATE_READY, QueueRecord.STATE_PROCESSING);
        assertTrue("due heartbeats: agents from the heartbeat index: " + due, due.contains("ecc_agent_heartbeat"));
        assertTrue("due heartbeats: their pending ones from the delivery index: " + due, due.contains("ecc_queue_ready"));
        String leases = plan(c, "queue.leases.any", QueueRecord.QUEUE_OUTPUT, QueueRecord.STATE_PROCESSING, now);
        assertTrue("expired leases from the lease index: " + leases, leases.contains("ecc_queue_lease"));
    }

    /**
     * @return the plan of one of the store's statements with these parameters, in lower case. On
     *     PostgreSQL sequential scans are discouraged first: a table of a few dozen rows is read
     *     whole whatever its indexes, and this asks whether the statement can use them.
     */
    private static String plan(Counted c, String key, Object... parameters) throws Exception {
        try (Connection connection = c.setup.engine.dataSource().getPooledConnection().getConnection()) {
            if (c.setup.name().equals("postgresql")) {
                try (var st = connection.createStatement()) {
                    st.execute("SET enable_seqscan = off");
                }
            }
            try (var ps = connection.prepareStatement("EXPLAIN " + c.setup.statements().get(key))) {
                for (int i = 0; i < parameters.length; i++) {
                    ps.setObject(i + 1, parameters[i]);
                }
                StringBuilder plan = new StringBuilder();
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
                return plan.toString().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /** An engine whose connections count the statements they prepare. */
    static final class CountingSetup implements EngineSetup {
        final EngineSetup engine;
        final List<String> prepared = Collections.synchronizedList(new ArrayList<>());
        /** The thread whose statements are counted: the test's. */
        private final Thread owner = Thread.currentThread();

        CountingSetup(EngineSetup engine) {
            this.engine = engine;
        }

        @Override
        public String name() {
            return engine.name();
        }

        @Override
        public String location() {
            return engine.location();
        }

        @Override
        public Path directory() {
            return engine.directory();
        }

        @Override
        public Statements statements() {
            return engine.statements();
        }

        @Override
        public Optional<NodeSignals> signals(JdbcConnectionPool pool) {
            return engine.signals(pool);
        }

        @Override
        public JobLease jobLease() {
            return engine.jobLease();
        }

        @Override
        public ConnectionPoolDataSource dataSource() {
            ConnectionPoolDataSource real = engine.dataSource();
            return proxy(ConnectionPoolDataSource.class, real, (p, m, a) -> {
                Object result = invoke(real, m, a);
                if (result instanceof PooledConnection pc) {
                    return counting(pc);
                }
                return result;
            });
        }

        /**
         * The pool recycles the pooled connection named by a close event's source: events are
         * re-sourced to the wrapper, so a recycled connection is still counted.
         */
        private PooledConnection counting(PooledConnection pc) {
            java.util.Map<ConnectionEventListener, ConnectionEventListener> listeners = new java.util.concurrent.ConcurrentHashMap<>();
            PooledConnection[] self = new PooledConnection[1];
            self[0] = proxy(PooledConnection.class, pc, (p, m, a) -> {
                if (m.getName().equals("addConnectionEventListener")) {
                    ConnectionEventListener l = (ConnectionEventListener) a[0];
                    ConnectionEventListener resourced = new ConnectionEventListener() {
                        @Override
                        public void connectionClosed(ConnectionEvent event) {
                            l.connectionClosed(new ConnectionEvent(self[0], event.getSQLException()));
                        }

                        @Override
                        public void connectionErrorOccurred(ConnectionEvent event) {
                            l.connectionErrorOccurred(new ConnectionEvent(self[0], event.getSQLException()));
                        }
                    };
                    listeners.put(l, resourced);
                    pc.addConnectionEventListener(resourced);
                    return null;
                }
                if (m.getName().equals("removeConnectionEventListener")) {
                    ConnectionEventListener resourced = listeners.remove(a[0]);
                    pc.removeConnectionEventListener(resourced != null ? resourced : (ConnectionEventListener) a[0]);
                    return null;
                }
                Object r = invoke(pc, m, a);
                return r instanceof Connection connection ? counting(connection) : r;
            });
            return self[0];
        }

        private Connection counting(Connection connection) {
            return proxy(Connection.class, connection, (p, m, a) -> {
                // only the test's own thread: the jobs run their reads and writes on the calling
                // thread, while other threads of the engine (PostgreSQL's node signals) do their own
                if (Thread.currentThread() == owner) {
                    if (m.getName().equals("prepareStatement") || m.getName().equals("prepareCall")) {
                        prepared.add((String) a[0]);
                    } else if (m.getName().equals("createStatement")) {
                        prepared.add("(statement)");
                    }
                }
                return invoke(connection, m, a);
            });
        }

        private static Object invoke(Object target, java.lang.reflect.Method m, Object[] a) throws Throwable {
            try {
                return m.invoke(target, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> T proxy(Class<T> type, Object target, InvocationHandler handler) {
            return (T) Proxy.newProxyInstance(IdleCostTest.class.getClassLoader(), new Class<?>[] {type}, handler);
        }
    }
}
