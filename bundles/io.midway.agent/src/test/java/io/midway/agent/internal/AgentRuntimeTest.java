package io.midway.agent.internal;

import io.midway.agent.internal.lifecycle.AgentLifecycle;
import io.midway.agent.internal.results.ResultSpool;
import static io.midway.agent.internal.FakeInstance.record;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.PoolDTO;
import io.midway.api.probe.Probe;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeResult;
import io.midway.api.protocol.Protocol;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.InputRecord;
import io.midway.wire.Json;

public class AgentRuntimeTest {

    public static final AgentTimings FAST = new AgentTimings(Duration.ofMillis(50), Duration.ofMillis(200),
            Duration.ofMillis(20), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(500));

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeInstance instance;
    private AgentRuntime agent;
    private Path spoolDir;

    @Before
    public void setUp() throws IOException {
        instance = FakeInstance.start();
        spoolDir = tmp.getRoot().toPath().resolve("spool");
    }

    @After
    public void tearDown() {
        if (agent != null) {
            agent.stop();
        }
        if (instance != null) {
            instance.close();
        }
    }

    private AgentSettings settings(String url, int interactive, int expedited, int standard) {
        return new AgentSettings(url, "test", "mid", "secret", interactive, expedited, standard, 200, 100, spoolDir,
                null, spoolDir.resolveSibling("sync"));
    }

    private AgentRuntime startAgent(AgentSettings settings) throws IOException {
        agent = new AgentRuntime(settings, "9.9.9", FAST);
        agent.start();
        return agent;
    }

    private AgentRuntime startAgent() throws IOException {
        return startAgent(settings(instance.url(), 2, 2, 2));
    }

    private InputRecord awaitInput(String sysId) {
        Await.until("the instance has a result for " + sysId, () -> instance.inputs.containsKey(sysId),
                () -> "status: " + agent.status());
        return instance.inputs.get(sysId);
    }

    /** A probe that answers with its own label and the thread it ran on. */
    static Probe labelled(String label) {
        return request -> ProbeResult.of(Map.of("by", label, "thread", Thread.currentThread().getName(),
                "payload", request.payload(), "name", request.name()));
    }

    @Test
    public void eachPollTellsTheInstanceTheSyncRevisionOfThePreviousReply() throws Exception {
        startAgent();
        Await.until("two polls", () -> instance.pollRevisions.size() >= 2);
        assertEquals("the first poll knows no revision yet", "-", instance.pollRevisions.get(0));
        assertEquals("then it repeats what the instance said", "0", instance.pollRevisions.get(1));
    }

    @Test
    public void registersWithItsVersionAndAnswersTheHeartbeat() throws Exception {
        startAgent();
        agent.addProbe(labelled("echo"), Map.of(Probe.TOPIC_PROPERTY, "Echo"));
        Await.until("registered", () -> !instance.registrations.isEmpty());
        assertEquals("test", instance.registrations.get(0).name());
        assertEquals("9.9.9", instance.registrations.get(0).version());
        assertEquals(List.of(), instance.registrations.get(0).capabilities());

        instance.offer(record("hb1", EccRecord.TOPIC_HEARTBEAT, 0, null));
        InputRecord answer = awaitInput("hb1");
        assertEquals(EccRecord.STATE_PROCESSED, answer.state());
        assertEquals(EccRecord.TOPIC_HEARTBEAT, answer.topic());
        assertEquals("alive", answer.payload().path("status").asText());
        assertEquals("9.9.9", answer.payload().path("version").asText());
        assertTrue(answer.payload().path("uptime_seconds").isIntegralNumber());
        assertEquals("[\"Echo\"]", answer.payload().path("probes").toString());

        AgentStatusDTO status = agent.status();
        assertEquals(AgentState.CONNECTED, status.connection);
        assertEquals(AgentRecord.STATUS_UP, status.status);
        assertTrue(status.validated);
        assertTrue(status.lastContact != null);
        assertEquals(1, status.processed);
        assertEquals(0, status.failed);
    }

    @Test
    public void dispatchesByTopicToTheHighestRankedProbeOnThePoolOfItsPriority() throws Exception {
        startAgent();
        agent.addProbe(labelled("low"), Map.of(Probe.TOPIC_PROPERTY, "Echo", "service.ranking", 1, "service.id", 5L));
        agent.addProbe(labelled("high"), Map.of(Probe.TOPIC_PROPERTY, "Echo", "service.ranking", 10, "service.id", 6L));
        agent.addProbe(labelled("other"), Map.of(Probe.TOPIC_PROPERTY, "Other"));

        instance.offer(record("r0", "Echo", 0, Json.mapper().readTree("{\"port\":22}")));
        instance.offer(record("r1", "Echo", 1, null));
        instance.offer(record("r2", "Other", null, null));

        InputRecord r0 = awaitInput("r0");
        assertEquals("high", r0.payload().path("by").asText());
        assertTrue(r0.payload().path("thread").asText(), r0.payload().path("thread").asText()
                .startsWith("midway-interactive-"));
        assertEquals(22, r0.payload().path("payload").path("port").asInt());
        assertEquals("name-r0", r0.payload().path("name").asText());
        assertEquals("name-r0", r0.name());
        assertEquals("127.0.0.1", r0.source());
        assertTrue(awaitInput("r1").payload().path("thread").asText().startsWith("midway-expedited-"));
        InputRecord r2 = awaitInput("r2");
        assertEquals("other", r2.payload().path("by").asText());
        assertTrue(r2.payload().path("thread").asText().startsWith("midway-standard-"));
    }

    @Test
    public void unknownTopicEndsInErrorWithAClearMessage() throws Exception {
        startAgent();
        instance.offer(record("u1", "Foo", 2, null));
        InputRecord answer = awaitInput("u1");
        assertEquals(EccRecord.STATE_ERROR, answer.state());
        assertEquals("No probe for topic 'Foo' is installed on agent 'test'", answer.errorString());
        Await.until("counted as failed", () -> agent.status().failed == 1);
    }

    @Test
    public void probeFailuresBecomeErrorResults() throws Exception {
        startAgent();
        agent.addProbe(request -> {
            throw new ProbeException("host 10.0.0.1 refused the connection");
        }, Map.of(Probe.TOPIC_PROPERTY, "Refused"));
        agent.addProbe(request -> {
            throw new IllegalStateException("boom");
        }, Map.of(Probe.TOPIC_PROPERTY, "Crash"));
        agent.addProbe(request -> null, Map.of(Probe.TOPIC_PROPERTY, "Nothing"));

        instance.offer(record("e1", "Refused", 2, null));
        instance.offer(record("e2", "Crash", 2, null));
        instance.offer(record("e3", "Nothing", 2, null));

        InputRecord refused = awaitInput("e1");
        assertEquals(EccRecord.STATE_ERROR, refused.state());
        assertEquals("host 10.0.0.1 refused the connection", refused.errorString());
        InputRecord crash = awaitInput("e2");
        assertEquals(EccRecord.STATE_ERROR, crash.state());
        assertEquals("Probe for topic 'Crash' failed: java.lang.IllegalStateException: boom", crash.errorString());
        InputRecord nothing = awaitInput("e3");
        assertEquals(EccRecord.STATE_ERROR, nothing.state());
        assertEquals("Probe for topic 'Nothing' returned no result", nothing.errorString());
        Await.until("three failures counted", () -> agent.status().failed == 3);
    }

    @Test
    public void payloadStringsHoldingAnObjectAreParsedOtherPayloadsAreRefused() throws Exception {
        startAgent();
        agent.addProbe(labelled("echo"), Map.of(Probe.TOPIC_PROPERTY, "Echo"));
        instance.offer(record("p1", "Echo", 2, TextNode.valueOf("{\"host\":\"127.0.0.1\",\"ports\":[22,80]}")));
        instance.offer(record("p2", "Echo", 2, Json.mapper().readTree("[1,2]")));
        instance.offer(record("p3", "Echo", 2, TextNode.valueOf("<xml/>")));

        InputRecord p1 = awaitInput("p1");
        assertEquals(EccRecord.STATE_PROCESSED, p1.state());
        assertEquals("[22,80]", p1.payload().path("payload").path("ports").toString());
        InputRecord p2 = awaitInput("p2");
        assertEquals(EccRecord.STATE_ERROR, p2.state());
        assertEquals("Payload of record p2 for topic 'Echo' must be a JSON object, not an array", p2.errorString());
        InputRecord p3 = awaitInput("p3");
        assertEquals(EccRecord.STATE_ERROR, p3.state());
        assertTrue(p3.errorString(), p3.errorString().startsWith("Payload of record p3 for topic 'Echo' is a string "
                + "that is not JSON"));
    }

    @Test
    public void aProbeAddedOrRemovedAtRunTimeCountsForTheNextRecord() throws Exception {
        startAgent();
        instance.offer(record("l1", "Late", 2, null));
        assertEquals(EccRecord.STATE_ERROR, awaitInput("l1").state());

        Probe late = labelled("late");
        Map<String, Object> lateProperties = Map.of(Probe.TOPIC_PROPERTY, "Late", "service.id", 77L);
        agent.addProbe(late, lateProperties);
        assertEquals(List.of("Late"), List.of(agent.status().probes));
        instance.offer(record("l2", "Late", 2, null));
        assertEquals(EccRecord.STATE_PROCESSED, awaitInput("l2").state());

        agent.removeProbe(late, lateProperties);
        assertEquals(0, agent.status().probes.length);
        instance.offer(record("l3", "Late", 2, null));
        assertEquals("No probe for topic 'Late' is installed on agent 'test'", awaitInput("l3").errorString());
    }

    @Test
    public void pollsForNoMoreThanThePoolsCanRun() throws Exception {
        startAgent(settings(instance.url(), 2, 3, 4));
        CountDownLatch release = new CountDownLatch(1);
        List<String> started = new CopyOnWriteArrayList<>();
        agent.addProbe(request -> {
            started.add(request.sysId());
            release.await(10, TimeUnit.SECONDS);
            return ProbeResult.of(Map.of());
        }, Map.of(Probe.TOPIC_PROPERTY, "Slow"));
        Await.until("first poll", () -> !instance.pollMaxes.isEmpty());
        assertEquals("2 + 3 + 4 threads, each with room for 4 queued items", Integer.valueOf(45),
                instance.pollMaxes.get(0));

        for (int i = 0; i < 4; i++) {
            instance.offer(record("s" + i, "Slow", 2, null));
        }
        Await.until("four slow records run", () -> started.size() == 4);
        int polls = instance.pollMaxes.size();
        Await.until("a poll after the standard pool filled", () -> instance.pollMaxes.size() > polls + 1);
        assertEquals(Integer.valueOf(41), instance.pollMaxes.get(instance.pollMaxes.size() - 1));
        PoolDTO standard = agent.status().pools[2];
        assertEquals("standard", standard.name);
        assertEquals(4, standard.threads);
        assertEquals(4, standard.active);

        release.countDown();
        for (int i = 0; i < 4; i++) {
            awaitInput("s" + i);
        }
        Await.until("completed counted", () -> agent.status().pools[2].completed == 4);
    }

    @Test
    public void spoolsResultsWhileTheInstanceFailsAndSendsThemWhenItIsBack() throws Exception {
        startAgent();
        agent.addProbe(labelled("echo"), Map.of(Probe.TOPIC_PROPERTY, "Echo"));
        Await.until("registered", () -> !instance.registrations.isEmpty());
        instance.inputStatus = 503;
        for (int i = 0; i < 5; i++) {
            instance.offer(record("d" + i, "Echo", 2, null));
        }
        Await.until("five results spooled on disk", () -> spoolRecords() == 5,
                () -> "" + agent.status());
        assertEquals(5, agent.status().spooled);
        Await.until("the failure is shown", () -> agent.status().lastError != null
                && agent.status().lastError.contains("answered 503: Service unavailable"));
        assertTrue(instance.inputs.isEmpty());

        instance.inputStatus = 200;
        for (int i = 0; i < 5; i++) {
            assertEquals(EccRecord.STATE_PROCESSED, awaitInput("d" + i).state());
        }
        Await.until("the spool is empty", () -> agent.status().spooled == 0);
        assertEquals(0, listSpool().size());
    }

    @Test
    public void retriesWhileTheInstanceIsUnreachableThenConnects() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        instance.close();
        startAgent(settings("http://127.0.0.1:" + port, 1, 1, 1));
        Await.until("unreachable", () -> AgentState.UNREACHABLE.equals(agent.status().connection));
        Await.until("the error is kept", () -> agent.status().lastError != null);
        assertTrue(agent.status().lastError, agent.status().lastError.contains("cannot reach instance http://127.0.0.1:"
                + port));

        instance = FakeInstance.start(port);
        Await.until("connected", () -> AgentState.CONNECTED.equals(agent.status().connection));
        assertEquals(1, instance.registrations.size());
        instance.offer(record("hb", EccRecord.TOPIC_HEARTBEAT, 0, null));
        awaitInput("hb");
    }

    @Test
    public void resendsResultsSpooledBeforeItStarted() throws Exception {
        ResultSpool earlier = new ResultSpool(spoolDir);
        earlier.write(new InputRecord("old1", "Echo", "n", "s", FakeInstance.object(), "processed", null));
        earlier.write(new InputRecord("old2", "Echo", "n", "s", FakeInstance.object(), "error", "it failed"));
        startAgent();
        assertEquals("it failed", awaitInput("old2").errorString());
        awaitInput("old1");
        Await.until("the spool is empty", () -> agent.status().spooled == 0);
    }

    /**
     * Crash recovery: the first registration after a start names the leased records the agent still
     * holds — journaled and spooled — so the instance hands out the rest again at once; a later
     * registration (the instance forgot the agent) says nothing, since the agent then holds work in memory.
     */
    @Test
    public void theFirstRegistrationNamesTheRecordsHeldInTheJournalAndTheSpool() throws Exception {
        new ResultSpool(spoolDir).write(new InputRecord("spooled1", "Echo", "n", "s", FakeInstance.object(), "processed", null));
        new io.midway.agent.internal.upgrade.WorkJournal(spoolDir.resolveSibling("journal"))
                .write(List.of(record("journaled1", EccRecord.TOPIC_HEARTBEAT, 0, null)));
        startAgent();
        Await.until("registered", () -> instance.registrations.size() == 1);
        assertEquals(java.util.Set.of("spooled1", "journaled1"),
                new java.util.HashSet<>(instance.registrations.get(0).held()));
        awaitInput("journaled1");
        awaitInput("spooled1");

        Await.until("polling", () -> !instance.pollMaxes.isEmpty());
        instance.forgetAgents();
        Await.until("registered again", () -> instance.registrations.size() == 2);
        assertEquals("a later registration says nothing", null, instance.registrations.get(1).held());
    }

    @Test
    public void aFreshAgentHoldsNothing() throws Exception {
        startAgent();
        Await.until("registered", () -> instance.registrations.size() == 1);
        assertEquals(List.of(), instance.registrations.get(0).held());
    }

    @Test
    public void registersAgainWhenTheInstanceForgetsTheAgent() throws Exception {
        startAgent();
        Await.until("registered", () -> instance.registrations.size() == 1);
        Await.until("polling", () -> !instance.pollMaxes.isEmpty());
        instance.forgetAgents();
        Await.until("registered again", () -> instance.registrations.size() == 2);
        instance.offer(record("after", EccRecord.TOPIC_HEARTBEAT, 0, null));
        awaitInput("after");
    }

    @Test
    public void aRefusedPasswordIsReportedAndRetried() throws Exception {
        instance.password = "other";
        startAgent();
        Await.until("the refusal is shown", () -> agent.status().lastError != null
                && agent.status().lastError.contains("refused user 'mid' (401): check MIDWAY_AGENT_PASSWORD"),
                () -> "" + agent.status().lastError);
        assertEquals(AgentState.REGISTERING, agent.status().connection);
        assertFalse(agent.status().lastError.contains("secret"));
        for (String header : instance.authorizations) {
            assertTrue(header.startsWith("Basic "));
        }

        instance.password = "secret";
        Await.until("connected", () -> AgentState.CONNECTED.equals(agent.status().connection));
    }

    @Test
    public void pauseAndResumeAskTheInstance() throws Exception {
        startAgent();
        Await.until("connected", () -> AgentState.CONNECTED.equals(agent.status().connection));
        agent.pause();
        assertEquals("Paused", instance.statusChanges.get(0).status());
        assertEquals("test", instance.statusChanges.get(0).name());
        assertEquals("Paused", agent.status().status);
        agent.resume();
        assertEquals("Up", instance.statusChanges.get(1).status());
        assertEquals("Up", agent.status().status);

        instance.forgetAgents();
        try {
            agent.pause();
            fail("expected the instance's refusal");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("answered 404: Agent 'test' is not registered"));
        }
    }

    @Test
    public void stopKeepsUnsentResultsAndSaysStopped() throws Exception {
        startAgent();
        agent.addProbe(labelled("echo"), Map.of(Probe.TOPIC_PROPERTY, "Echo"));
        Await.until("registered", () -> !instance.registrations.isEmpty());
        instance.inputStatus = 503;
        instance.offer(record("k1", "Echo", 2, null));
        Await.until("spooled", () -> agent.status().spooled == 1);
        agent.stop();
        assertEquals(AgentState.STOPPED, agent.status().connection);
        assertEquals(1, listSpool().size());
        assertNull(instance.inputs.get("k1"));

        instance.inputStatus = 200;
        agent = new AgentRuntime(settings(instance.url(), 1, 1, 1), "9.9.9", FAST);
        agent.start();
        assertEquals("echo", awaitInput("k1").payload().path("by").asText());
    }

    @Test
    public void theInstalledProtocolsAreTheCapabilitiesAndAChangeRegistersAgain() throws Exception {
        agent = new AgentRuntime(settings(instance.url(), 1, 1, 1), "9.9.9", FAST);
        Protocol snmp = new Protocol() { };
        Protocol echo = new Protocol() { };
        agent.addProtocol(snmp, Map.of(Protocol.NAME_PROPERTY, "snmp", "service.id", 11L));
        agent.start();
        Await.until("registered", () -> !instance.registrations.isEmpty());
        assertEquals(List.of("snmp"), instance.registrations.get(0).capabilities());

        agent.addProtocol(echo, Map.of(Protocol.NAME_PROPERTY, new String[] {"echo", "echo2"}, "service.id", 12L));
        Await.until("registered with echo", () -> instance.registrations.size() >= 2
                && instance.registrations.get(instance.registrations.size() - 1).capabilities().contains("echo"));
        assertEquals(List.of("echo", "echo2", "snmp"),
                instance.registrations.get(instance.registrations.size() - 1).capabilities());
        assertEquals(List.of("echo", "echo2", "snmp"), List.of(agent.status().capabilities));

        int before = instance.registrations.size();
        agent.addProtocol(echo, Map.of(Protocol.NAME_PROPERTY, new String[] {"echo", "echo2"}, "service.id", 12L));
        agent.removeProtocol(snmp, Map.of(Protocol.NAME_PROPERTY, "snmp", "service.id", 11L));
        Await.until("registered without snmp", () -> instance.registrations
                .get(instance.registrations.size() - 1).capabilities().equals(List.of("echo", "echo2")));
        assertEquals("an update that changes nothing does not register again", before + 1,
                instance.registrations.size());
        assertEquals(List.of("echo", "echo2"), List.of(agent.status().capabilities));
        assertNull("no file sync without the framework", agent.status().syncRevision);
    }

    @Test
    public void withoutTheFrameworkThereIsNoFileSync() throws Exception {
        startAgent();
        try {
            agent.sync(line -> { });
            fail("no file sync");
        } catch (IOException e) {
            assertEquals("file sync is not available in this agent", e.getMessage());
        }
        assertEquals(0, agent.bundles().length);
    }

    private int spoolRecords() {
        try {
            return listSpool().stream().mapToInt(ResultSpool::records).sum();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<Path> listSpool() throws IOException {
        List<Path> files = new ArrayList<>();
        try (var stream = Files.newDirectoryStream(spoolDir, "*.json")) {
            stream.forEach(files::add);
        }
        return files;
    }

    static JsonNode json(String text) throws IOException {
        return Json.mapper().readTree(text);
    }

    /** The lifecycle of a test: records what it was asked, and whether the answer had reached the instance by then. */
    private final class RecordingLifecycle implements AgentLifecycle {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Boolean> answeredBefore = new CopyOnWriteArrayList<>();
        final CountDownLatch called = new CountDownLatch(1);
        private final String commandSysId;

        RecordingLifecycle(String commandSysId) {
            this.commandSysId = commandSysId;
        }

        @Override
        public void restartInPlace(List<Long> plugins) {
            record("restart " + plugins);
        }

        @Override
        public void stopProcess(int exitStatus) {
            record("exit " + exitStatus);
        }

        private void record(String call) {
            answeredBefore.add(instance.inputs.containsKey(commandSysId));
            calls.add(call);
            called.countDown();
        }
    }

    @Test
    public void stopIsAnsweredAndConfirmedBeforeTheProcessStopsAndReportsDown() throws Exception {
        agent = new AgentRuntime(settings(instance.url(), 2, 2, 2), "9.9.9", FAST);
        RecordingLifecycle lifecycle = new RecordingLifecycle("c1");
        agent.lifecycle(lifecycle);
        agent.start();
        instance.offer(record("c1", "SystemCommand", 0, Json.mapper().readTree("{\"command\":\"stop\"}")));
        assertTrue("the lifecycle was asked to stop", lifecycle.called.await(20, TimeUnit.SECONDS));
        assertEquals(List.of("exit 0"), lifecycle.calls);
        assertEquals("the answer reached the instance first", List.of(true), lifecycle.answeredBefore);
        InputRecord answer = instance.inputs.get("c1");
        assertEquals(EccRecord.STATE_PROCESSED, answer.state());
        assertEquals("stopping the agent: running work finishes, then the process exits with status 0",
                answer.payload().path("result").asText());
        assertTrue(instance.statusChanges.toString(), instance.statusChanges.stream()
                .anyMatch(c -> AgentRecord.STATUS_DOWN.equals(c.status())));
    }

    @Test
    public void aProcessRestartNeedsASupervisorAndThenExitsWith75() throws Exception {
        agent = new AgentRuntime(settings(instance.url(), 2, 2, 2), "9.9.9", FAST);
        RecordingLifecycle lifecycle = new RecordingLifecycle("p2");
        agent.lifecycle(lifecycle);
        Map<String, String> env = new java.util.concurrent.ConcurrentHashMap<>();
        agent.environment(env::get);
        agent.start();
        JsonNode process = Json.mapper().readTree("{\"command\":\"restart\",\"mode\":\"process\"}");
        instance.offer(record("p1", "SystemCommand", 0, process));
        InputRecord refused = awaitInput("p1");
        assertEquals(EccRecord.STATE_ERROR, refused.state());
        assertTrue(refused.errorString(), refused.errorString().startsWith("restart mode process needs a supervisor"));
        assertTrue(lifecycle.calls.isEmpty());

        env.put("INVOCATION_ID", "4f1c");
        instance.offer(record("p2", "SystemCommand", 0, process));
        assertTrue("the lifecycle was asked to exit", lifecycle.called.await(20, TimeUnit.SECONDS));
        assertEquals(List.of("exit 75"), lifecycle.calls);
        assertEquals(List.of(true), lifecycle.answeredBefore);
        assertTrue(instance.inputs.get("p2").payload().path("result").asText().endsWith("for systemd to start it again"));
    }

    @Test
    public void anAnswerTheInstanceDoesNotTakeIsSpooledBeforeTheStopAndSentLater() throws Exception {
        agent = new AgentRuntime(settings(instance.url(), 2, 2, 2), "9.9.9", FAST);
        RecordingLifecycle lifecycle = new RecordingLifecycle("c2");
        agent.lifecycle(lifecycle);
        agent.commandAnswerWait(Duration.ofMillis(1500));
        agent.start();
        Await.until("registered", () -> !instance.registrations.isEmpty());
        instance.inputStatus = 503;
        instance.offer(record("c2", "SystemCommand", 0, Json.mapper().readTree("{\"command\":\"stop\"}")));
        assertTrue("the lifecycle was asked to stop", lifecycle.called.await(20, TimeUnit.SECONDS));
        assertEquals(List.of(false), lifecycle.answeredBefore);
        assertTrue("the answer is on disk before the stop: " + agent.status().spooled, agent.status().spooled >= 1);
        instance.inputStatus = 200;
        InputRecord answer = awaitInput("c2");
        assertEquals("stopping the agent: running work finishes, then the process exits with status 0",
                answer.payload().path("result").asText());
    }
}
