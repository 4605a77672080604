package io.midway.instance.internal;

import io.midway.instance.api.FieldLimits;
import io.midway.instance.api.InputResult;
import io.midway.instance.api.ClusterChange;
import io.midway.instance.api.AgentChange;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.wire.Json;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.AgentRegistration;

public class EccServiceTest extends ServiceFixture {

    private static InstanceException fails(InstanceException.Reason kind, Runnable action) {
        try {
            action.run();
        } catch (InstanceException e) {
            assertEquals(e.getMessage(), kind, e.reason());
            return e;
        }
        fail("expected " + kind);
        return null;
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }


    private List<String> eventNames() {
        return service.events().events(0, 1000).stream().map(e -> e.name() + ":" + e.agent()).toList();
    }

    // --- registration ----------------------------------------------------------------------

    @Test
    public void newAgentRegistersUpWithEvent() {
        AgentService.Registered r = service.agents().register(new AgentRegistration("m1", "1.0.0", "h", "10.0.0.1",
                List.of("tcp", " http ")));
        assertTrue(r.created());
        Agent a = r.agent();
        assertEquals(32, a.sysId().length());
        assertEquals("Up", a.status());
        assertTrue("auto_validate is on in this fixture", a.validated());
        assertEquals(List.of("tcp", "http"), a.capabilities());
        assertEquals("2026-03-01 10:00:00", a.lastRefreshed());
        assertEquals(List.of("mid_server.up:m1"), eventNames());
    }

    @Test
    public void knownAgentIsUpdatedAndKeepsItsIdAndPause() {
        Agent first = register("m1");
        service.agents().changeStatus("m1", "Paused");
        clock.advance(Duration.ofSeconds(5));
        AgentService.Registered again = service.agents().register(new AgentRegistration("m1", "2.0.0", "h2", "10.0.0.2", null));
        assertFalse(again.created());
        assertEquals(first.sysId(), again.agent().sysId());
        assertEquals("Paused", again.agent().status());
        assertEquals("2.0.0", again.agent().version());
        assertEquals(List.of(), again.agent().capabilities());
        assertEquals("2026-03-01 10:00:05", again.agent().lastRefreshed());
        assertEquals(List.of("mid_server.up:m1", "mid_server.paused:m1"), eventNames());
    }

    @Test
    public void invalidRegistrationsAreRejected() {
        fails(InstanceException.Reason.INVALID, () -> service.agents().register(new AgentRegistration(null, "1", null, null, null)));
        fails(InstanceException.Reason.INVALID, () -> service.agents().register(new AgentRegistration("*", "1", null, null, null)));
        fails(InstanceException.Reason.INVALID, () -> service.agents().register(new AgentRegistration("a b", "1", null, null, null)));
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        fails(InstanceException.Reason.INVALID, () -> service.agents().register(new AgentRegistration("ok", "1", null, null, withNull)));
        assertTrue(service.agents().agents(TableQuery.all(TableSchema.ECC_AGENT)).isEmpty());
    }

    @Test
    public void notValidatedAgentStartsInvalidWithoutAutoValidation() throws Exception {
        service.close();
        service = new InstanceServices(io.midway.instance.store.h2.H2Engine.open(
                tmp.getRoot().toPath().resolve("db2")),
                new InstanceSettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(120), false,
                        Duration.ofSeconds(5), "1.2.3"), clock);
        assertFalse(register("m1").validated());
    }

    // --- poll and lease --------------------------------------------------------------------

    @Test
    public void pollOfUnknownAgentIs404WithItsName() {
        InstanceException e = fails(InstanceException.Reason.NOT_FOUND, () -> service.polls().poll("ghost", 10));
        assertEquals("agent ghost is not registered", e.getMessage());
        register("m1");
        fails(InstanceException.Reason.INVALID, () -> service.polls().poll("m1", 0));
        fails(InstanceException.Reason.INVALID, () -> service.polls().poll("m1", PollService.MAX_POLL_RECORDS + 1));
    }

    @Test
    public void pollLeasesByPriorityThenCreationAndOnlyItsOwnRecords() {
        register("m1");
        register("m2");
        QueueRecord standard = insert("m1", "TCPScan", 2);
        clock.advance(Duration.ofMillis(10));
        QueueRecord expedited = insert("m1", "TCPScan", 1);
        clock.advance(Duration.ofMillis(10));
        QueueRecord interactive = insert("m1", "Command", 0);
        QueueRecord other = insert("m2", "TCPScan", 0);

        clock.advance(Duration.ofSeconds(1));
        PollResult reply = service.polls().poll("m1", 2);
        assertEquals(List.of(interactive.sysId(), expedited.sysId()), ids(reply.result()));
        assertTrue(reply.result().stream().allMatch(r -> "processing".equals(r.state())));
        assertEquals("0", reply.syncRevision());
        assertEquals("1.2.3", reply.instanceVersion());
        assertEquals("Up", reply.agentStatus());
        assertTrue(reply.validated());
        assertEquals("processing", record(interactive.sysId()).state());
        assertEquals("2026-03-01 10:00:01", agentNamed("m1").lastRefreshed());

        assertEquals(List.of(standard.sysId()), ids(service.polls().poll("m1", 10).result()));
        assertEquals(List.of(), service.polls().poll("m1", 10).result());
        assertEquals("ready", record(other.sysId()).state());
    }

    @Test
    public void expiredLeaseIsHandedOutAgain() {
        register("m1");
        QueueRecord r = insert("m1", "TCPScan", 2);
        assertEquals(1, service.polls().poll("m1", 10).result().size());
        clock.advance(Duration.ofSeconds(119));
        assertEquals(0, service.leases().reapExpiredLeases());
        assertEquals(List.of(), service.polls().poll("m1", 10).result());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(1, service.leases().reapExpiredLeases());
        assertEquals("ready", record(r.sysId()).state());
        assertEquals(List.of(r.sysId()), ids(service.polls().poll("m1", 10).result()));
    }

    @Test
    public void notValidatedAgentGetsOnlyHeartbeats() {
        register("m1");
        QueueRecord work = insert("m1", "TCPScan", 0);
        Agent a = agentNamed("m1");
        service.agents().updateAgent(a.sysId(), new AgentChange(null, false, null, null, null, null));
        QueueRecord heartbeat = insert("m1", QueueRecord.TOPIC_HEARTBEAT, 2);
        PollResult reply = service.polls().poll("m1", 10);
        assertFalse(reply.validated());
        assertEquals(List.of(heartbeat.sysId()), ids(reply.result()));
        service.agents().updateAgent(a.sysId(), new AgentChange(null, true, null, null, null, null));
        assertEquals(List.of(work.sysId()), ids(service.polls().poll("m1", 10).result()));
    }

    @Test
    public void pausedAgentGetsOnlyPriorityZeroUntilResumed() {
        register("m1");
        QueueRecord standard = insert("m1", "TCPScan", 2);
        QueueRecord interactive = insert("m1", "SystemCommand", 0);
        Agent paused = service.agents().changeStatus("m1", "Paused");
        assertEquals("Paused", paused.status());
        PollResult reply = service.polls().poll("m1", 10);
        assertEquals("Paused", reply.agentStatus());
        assertEquals(List.of(interactive.sysId()), ids(reply.result()));
        assertEquals(List.of(), service.polls().poll("m1", 10).result());
        service.agents().updateAgent(paused.sysId(), new AgentChange("Up", null, null, null, null, null));
        assertEquals(List.of(standard.sysId()), ids(service.polls().poll("m1", 10).result()));
        assertEquals(List.of("mid_server.up:m1", "mid_server.paused:m1", "mid_server.up:m1"), eventNames());
    }

    @Test
    public void statusChangesAreValidated() {
        Agent a = register("m1");
        // an agent may report Down (a stop asked by a SystemCommand), not a status of its own making
        InstanceException e = fails(InstanceException.Reason.INVALID, () -> service.agents().changeStatus("m1", "Sleeping"));
        assertTrue(e.getMessage(), e.getMessage().contains("Paused, Up"));
        assertTrue(e.getMessage(), e.getMessage().contains("Down"));
        fails(InstanceException.Reason.INVALID, () -> service.agents().updateAgent(a.sysId(),
                new AgentChange("Sleeping", null, null, null, null, null)));
        fails(InstanceException.Reason.NOT_FOUND, () -> service.agents().changeStatus("ghost", "Paused"));
        fails(InstanceException.Reason.NOT_FOUND, () -> service.agents().updateAgent("nope",
                new AgentChange("Paused", null, null, null, null, null)));
        // no change, no event
        service.agents().changeStatus("m1", "Up");
        assertEquals(List.of("mid_server.up:m1"), eventNames());
    }

    @Test
    public void adminChangesSelectionFields() {
        Agent a = register("m1");
        service.clusters().createCluster(new ClusterChange("c1", io.midway.instance.api.ClusterType.FAILOVER, List.of()));
        Agent changed = service.agents().updateAgent(a.sysId(), new AgentChange(null, null, List.of("ALL"),
                List.of("10.0.0.0/8"), "c1", true));
        assertEquals(List.of("ALL"), changed.applications());
        assertEquals(List.of("10.0.0.0/8"), changed.ipRanges());
        assertEquals("c1", changed.cluster());
        assertTrue(changed.isDefault());
        assertEquals(changed, service.agents().agent(a.sysId()).orElseThrow());
        // a later registration keeps what the admin set
        assertEquals("c1", register("m1").cluster());
    }

    // --- input -----------------------------------------------------------------------------

    @Test
    public void firstInputIsStoredAndRepeatsAreDuplicates() {
        register("m1");
        QueueRecord out = insert("m1", "TCPScan", 2);
        service.polls().poll("m1", 10);
        clock.advance(Duration.ofSeconds(3));
        List<InputResult> first = service.polls().input(new AgentResults(List.of(answer(out.sysId()))));
        assertEquals(1, first.size());
        assertEquals(InputResult.INSERTED, first.get(0).status());
        QueueRecord output = record(out.sysId());
        assertEquals("processed", output.state());
        assertEquals("2026-03-01 10:00:03", output.processed());
        QueueRecord input = record(first.get(0).sysId());
        assertEquals("input", input.queue());
        assertEquals("mid.server.m1", input.agent());
        assertEquals(out.sysId(), input.responseTo());
        assertEquals("TCPScan", input.topic());
        assertEquals("ok", input.payload().textValue());

        AgentResult failing = new AgentResult(out.sysId(), null, null, null, null, "error", "late repeat");
        List<InputResult> again = service.polls().input(new AgentResults(List.of(failing, answer(out.sysId()))));
        assertEquals(List.of(InputResult.DUPLICATE, InputResult.DUPLICATE),
                again.stream().map(InputResult::status).toList());
        assertEquals(first.get(0).sysId(), again.get(0).sysId());
        assertEquals("processed", record(out.sysId()).state());
        List<QueueRecord> inputs = service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=input^response_to=" + out.sysId(), null, null, null));
        assertEquals(1, inputs.size());
    }

    @Test
    public void duplicateWithinOneBatchAndErrorState() {
        register("m1");
        QueueRecord out = insert("m1", "TCPScan", 2);
        AgentResult failed = new AgentResult(out.sysId(), null, null, null, null, "error", "connection refused");
        List<InputResult> results = service.polls().input(new AgentResults(List.of(failed, answer(out.sysId()))));
        assertEquals(List.of(InputResult.INSERTED, InputResult.DUPLICATE),
                results.stream().map(InputResult::status).toList());
        QueueRecord output = record(out.sysId());
        assertEquals("error", output.state());
        assertEquals("connection refused", output.errorString());
        assertEquals("error", record(results.get(0).sysId()).state());
    }

    @Test
    public void recordNamingAnUnknownOutputIsRefusedAloneAndTheOthersAreStored() {
        register("m1");
        QueueRecord out = insert("m1", "TCPScan", 2);
        List<InputResult> results = service.polls().input(new AgentResults(List.of(answer("does-not-exist"), answer(out.sysId()))));
        assertEquals(List.of(InputResult.REFUSED, InputResult.INSERTED), results.stream().map(InputResult::status).toList());
        assertTrue(results.get(0).error(), results.get(0).error().contains("records[0].response_to 'does-not-exist'"));
        assertEquals(null, results.get(0).sysId());
        assertEquals("processed", record(out.sysId()).state());
        assertEquals(1, service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, "queue=input", null, null, null)).size());

        // a batch of nothing but refused records is a 400: there is nothing to store
        InstanceException e = fails(InstanceException.Reason.INVALID, () -> service.polls().input(new AgentResults(
                List.of(answer("does-not-exist")))));
        assertTrue(e.getMessage(), e.getMessage().contains("does-not-exist"));
        // an input record is not an output record
        fails(InstanceException.Reason.INVALID, () -> service.polls().input(new AgentResults(List.of(answer(results.get(1).sysId())))));
    }

    @Test
    public void aFieldLongerThanItsColumnRefusesThatRecordOnly() {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        QueueRecord b = insert("m1", "TCPScan", 2);
        QueueRecord c = insert("m1", "TCPScan", 2);
        String longTopic = "T".repeat(FieldLimits.TOPIC + 1);
        List<InputResult> results = service.polls().input(new AgentResults(List.of(answer(a.sysId()),
                new AgentResult(b.sysId(), longTopic, null, null, null, "processed", null),
                new AgentResult(c.sysId(), null, null, null, null, "finished", null))));
        assertEquals(List.of(InputResult.INSERTED, InputResult.REFUSED, InputResult.REFUSED),
                results.stream().map(InputResult::status).toList());
        assertEquals("field 'records[1].topic' is longer than 300 characters", results.get(1).error());
        assertEquals(b.sysId(), results.get(1).responseTo());
        assertTrue(results.get(2).error(), results.get(2).error().contains("records[2].state must be processed or error"));
        assertEquals("processed", record(a.sysId()).state());
        assertEquals("ready", record(b.sysId()).state());
        assertEquals("ready", record(c.sysId()).state());
        // the refused result can be sent again, corrected
        assertEquals(InputResult.INSERTED, service.polls().input(new AgentResults(List.of(answer(b.sysId())))).get(0).status());
    }

    @Test
    public void malformedBatchesAreRejected() {
        fails(InstanceException.Reason.INVALID, () -> service.polls().input(null));
        fails(InstanceException.Reason.INVALID, () -> service.polls().input(new AgentResults(null)));
        fails(InstanceException.Reason.INVALID, () -> service.polls().input(new AgentResults(List.of(
                new AgentResult(null, null, null, null, null, null, null)))));
        fails(InstanceException.Reason.INVALID, () -> service.polls().input(new AgentResults(List.of(
                new AgentResult("x", null, null, null, null, "done", null)))));
        assertEquals(List.of(), service.polls().input(new AgentResults(List.of())));
    }

    // --- insert and fan-out ----------------------------------------------------------------

    @Test
    public void insertValidatesTheRequest() throws Exception {
        InstanceException e = fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json(
                "{\"agent\":\"mid.server.m1\"}")));
        assertTrue(e.getMessage(), e.getMessage().contains("topic"));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json("{\"topic\":\"T\"}")));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json(
                "{\"topic\":\"T\",\"agent\":\"m1\"}")));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json(
                "{\"topic\":\"T\",\"agent\":\"mid.server.m1\",\"queue\":\"input\"}")));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json(
                "{\"topic\":\"T\",\"agent\":\"mid.server.m1\",\"priority\":3}")));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json(
                "{\"topic\":\"T\",\"agent\":\"mid.server.m1\",\"priority\":\"high\"}")));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json(
                "{\"topic\":42,\"agent\":\"mid.server.m1\"}")));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json(
                "{\"topic\":\"T\",\"agent\":\"mid.server.m1\",\"state\":\"processing\"}")));
        fails(InstanceException.Reason.INVALID, () -> OutputRequest.parse(json("[1]")));

        OutputRequest ok = OutputRequest.parse(json(
                "{\"topic\":\"T\",\"agent\":\"mid.server.m1\",\"priority\":\"1\",\"payload\":{\"a\":[1,2]},"
                        + "\"sys_id\":\"ignored\"}"));
        QueueRecord r = service.outputs().insertOutput(ok);
        assertNotEquals("ignored", r.sysId());
        assertEquals("output", r.queue());
        assertEquals("ready", r.state());
        assertEquals(Integer.valueOf(1), r.priority());
        assertEquals("2026-03-01 10:00:00", r.sysCreatedOn());
        assertNull(r.processed());
        assertEquals(r, record(r.sysId()));
        assertEquals(2, r.payload().get("a").size());
    }

    @Test
    public void outputForAllAgentsFansOut() {
        register("m1");
        register("m2");
        QueueRecord all = service.outputs().insertOutput(new OutputRequest(QueueRecord.AGENT_ALL, "Refresh", null, null, null,
                "ready", 1, null, null));
        assertEquals("mid.server.*", all.agent());
        assertEquals("processed", all.state());
        assertEquals("2026-03-01 10:00:00", all.processed());
        PollResult m1 = service.polls().poll("m1", 10);
        PollResult m2 = service.polls().poll("m2", 10);
        assertEquals(1, m1.result().size());
        assertEquals(1, m2.result().size());
        assertEquals("mid.server.m1", m1.result().get(0).agent());
        assertEquals("mid.server.m2", m2.result().get(0).agent());
        assertEquals("Refresh", m2.result().get(0).topic());
        assertNotEquals(m1.result().get(0).sysId(), m2.result().get(0).sysId());
        assertEquals(3, service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, "topic=Refresh", null, null, null))
                .size());
    }

    // --- heartbeat, Down, Up ---------------------------------------------------------------

    @Test
    public void heartbeatIsWrittenEachIntervalUnlessOneIsPending() {
        register("m1");
        assertEquals("not due right after registration", 0, service.heartbeats().sendDueHeartbeats());
        clock.advance(Duration.ofSeconds(60));
        assertEquals(1, service.heartbeats().sendDueHeartbeats());
        List<QueueRecord> hb = service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "topic=HeartbeatProbe", null, null, null));
        assertEquals(1, hb.size());
        assertEquals("mid.server.m1", hb.get(0).agent());
        assertEquals("HeartbeatProbe", hb.get(0).name());
        assertEquals(Integer.valueOf(0), hb.get(0).priority());
        clock.advance(Duration.ofSeconds(60));
        assertEquals("one is still pending", 0, service.heartbeats().sendDueHeartbeats());
        service.polls().input(new AgentResults(List.of(answer(hb.get(0).sysId()))));
        assertEquals(1, service.heartbeats().sendDueHeartbeats());
    }

    @Test
    public void unansweredHeartbeatMakesAgentDownThenAnswerBringsItUp() {
        register("m1");
        clock.advance(Duration.ofSeconds(60));
        service.heartbeats().sendDueHeartbeats();
        clock.advance(Duration.ofSeconds(30));
        assertEquals("exactly the timeout is not older than it", 0, service.heartbeats().markSilentAgentsDown());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, service.heartbeats().markSilentAgentsDown());
        assertEquals("Down", agentNamed("m1").status());
        assertEquals(0, service.heartbeats().markSilentAgentsDown());
        InstanceEvent down = service.events().events(0, 100).get(1);
        assertEquals("mid_server.down", down.name());
        assertEquals("m1", down.agent());
        assertTrue(down.detail(), down.detail().contains("31 s ago"));
        assertTrue(down.detail(), down.detail().contains("last heard from 91 s ago"));

        // the agent polls again: it gets the pending heartbeat, answers it, and is Up
        PollResult reply = service.polls().poll("m1", 10);
        assertEquals("Down", reply.agentStatus());
        assertEquals(1, reply.result().size());
        assertEquals("HeartbeatProbe", reply.result().get(0).topic());
        service.polls().input(new AgentResults(List.of(answer(reply.result().get(0).sysId()))));
        assertEquals("Up", agentNamed("m1").status());
        assertEquals(List.of("mid_server.up:m1", "mid_server.down:m1", "mid_server.up:m1"), eventNames());
        assertTrue(service.events().events(2, 10).get(0).detail().contains("heartbeat"));
    }

    /** Makes m1 Down: a heartbeat is written and left unanswered past the timeout. */
    private QueueRecord makeDown() {
        clock.advance(Duration.ofSeconds(60));
        assertEquals(1, service.heartbeats().sendDueHeartbeats());
        QueueRecord hb = service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "topic=HeartbeatProbe^state!=processed", null, null, null)).get(0);
        clock.advance(Duration.ofSeconds(31));
        assertEquals(1, service.heartbeats().markSilentAgentsDown());
        assertEquals("Down", agentNamed("m1").status());
        return hb;
    }

    @Test
    public void downAgentThatPollsGetsTheHeartbeatLeasedToItsPredecessorAtOnce() {
        register("m1");
        clock.advance(Duration.ofSeconds(60));
        service.heartbeats().sendDueHeartbeats();
        QueueRecord leased = service.polls().poll("m1", 10).result().get(0);
        clock.advance(Duration.ofSeconds(31));
        service.heartbeats().markSilentAgentsDown();
        assertEquals("Down", agentNamed("m1").status());
        // without waiting for the 120 s lease to expire
        assertEquals(List.of(leased.sysId()), ids(service.polls().poll("m1", 10).result()));
    }

    @Test
    public void downAgentThatPollsWithNoHeartbeatPendingGetsAFreshOne() {
        register("m1");
        QueueRecord old = makeDown();
        // the pending heartbeat is closed behind the agent's back (no input): nothing pending now
        store.transaction(s -> {
            s.completeOutput(old.sysId(), "error", "cleaned up", "2026-03-01 10:01:31");
            return null;
        });
        List<QueueRecord> result = service.polls().poll("m1", 10).result();
        assertEquals(1, result.size());
        assertEquals("HeartbeatProbe", result.get(0).topic());
        assertNotEquals(old.sysId(), result.get(0).sysId());
        service.polls().input(new AgentResults(List.of(answer(result.get(0).sysId()))));
        assertEquals("Up", agentNamed("m1").status());
    }

    @Test
    public void pausedAgentGetsHeartbeatsCanGoDownAndComesBackUp() {
        register("m1");
        service.agents().changeStatus("m1", "Paused");
        QueueRecord hb = makeDown();
        assertEquals(List.of(hb.sysId()), ids(service.polls().poll("m1", 10).result()));
        // an error answer still proves the agent is alive
        service.polls().input(new AgentResults(List.of(new AgentResult(hb.sysId(), null, null, null, null, "error", "x"))));
        assertEquals("comes back Up, not Paused (documented)", "Up", agentNamed("m1").status());
        assertEquals(List.of("mid_server.up:m1", "mid_server.paused:m1", "mid_server.down:m1", "mid_server.up:m1"),
                eventNames());
    }

    @Test
    public void registeringADownAgentBringsItUp() {
        register("m1");
        makeDown();
        register("m1");
        assertEquals("Up", agentNamed("m1").status());
        assertTrue(service.events().events(0, 100).get(2).detail().contains("again"));
    }

    // --- persistence -----------------------------------------------------------------------

    @Test
    public void stateSurvivesARestart() {
        Agent a = register("m1");
        QueueRecord leased = insert("m1", "TCPScan", 2);
        QueueRecord waiting = insert("m1", "TCPScan", 2);
        assertEquals(List.of(leased.sysId()), ids(service.polls().poll("m1", 1).result()));
        service.agents().changeStatus("m1", "Paused");
        service.agents().changeStatus("m1", "Up");
        restartService();
        assertEquals(a.sysId(), agentNamed("m1").sysId());
        assertEquals("processing", record(leased.sysId()).state());
        assertEquals("ready", record(waiting.sysId()).state());
        assertEquals(3, service.events().events(0, 100).size());
        // the lease outlives the restart and expires as before: same agent gets it again
        clock.advance(Duration.ofSeconds(121));
        service.leases().reapExpiredLeases();
        assertEquals(List.of(leased.sysId(), waiting.sysId()), ids(service.polls().poll("m1", 10).result()));
        // idempotency survives a restart too
        service.polls().input(new AgentResults(List.of(answer(leased.sysId()))));
        restartService();
        assertEquals(InputResult.DUPLICATE, service.polls().input(new AgentResults(List.of(answer(leased.sysId())))).get(0)
                .status());
    }

    @Test
    public void eventListenersGetEventsAfterCommit() {
        List<InstanceEvent> seen = new ArrayList<>();
        service.events().addEventListener(seen::add);
        register("m1");
        service.agents().changeStatus("m1", "Paused");
        assertEquals(List.of("mid_server.up", "mid_server.paused"), seen.stream().map(InstanceEvent::name).toList());
        assertEquals(service.events().events(0, 10), seen);
        service.events().removeEventListener(seen::add);
    }

    @Test
    public void closedServiceAnswers503() {
        service.close();
        InstanceException e = fails(InstanceException.Reason.UNAVAILABLE, () -> register("m1"));
        assertTrue(e.getMessage().contains("stopping"));
        service = null;
    }
}
