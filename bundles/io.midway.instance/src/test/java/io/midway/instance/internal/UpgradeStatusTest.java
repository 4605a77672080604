package io.midway.instance.internal;

import io.midway.instance.api.ClusterChange;
import io.midway.instance.api.AgentChange;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceEvent;
import io.midway.wire.Json;
import io.midway.instance.api.PollResult;

/** The agent's side of an upgrade on the instance: pinned versions, upgrade statuses, their events and eligibility. */
public class UpgradeStatusTest extends ServiceFixture {

    private static AgentChange change(String json) throws Exception {
        return AgentChange.parse(Json.mapper().readTree(json));
    }

    private InstanceEvent lastEvent() {
        List<InstanceEvent> events = service.events().events(0, 10_000);
        return events.get(events.size() - 1);
    }

    @Test
    public void aPinIsSetShownOnPollRepliesAndCleared() throws Exception {
        Agent m1 = register("m1");
        assertNull(service.polls().poll("m1", 10).pinnedVersion());
        Agent pinned = service.agents().updateAgent(m1.sysId(), change("{\"pinned_version\":\"1.0\"}"));
        assertEquals("normalised", "1.0.0", pinned.pinnedVersion());
        PollResult reply = service.polls().poll("m1", 10);
        assertEquals("1.0.0", reply.pinnedVersion());
        assertEquals("the instance version is still there", "1.2.3", reply.instanceVersion());

        // other changes, registration, polls and status reports keep the pin
        service.clusters().createCluster(new ClusterChange("c1", io.midway.instance.api.ClusterType.FAILOVER, List.of()));
        service.agents().updateAgent(m1.sysId(), change("{\"cluster\":\"c1\"}"));
        register("m1");
        service.agents().changeStatus("m1", "Upgrading", null);
        service.agents().changeStatus("m1", "Up", null);
        assertEquals("1.0.0", agentNamed("m1").pinnedVersion());
        assertEquals(List.of("m1"), service.agents().agents(TableQuery.parse(TableSchema.ECC_AGENT, "pinned_version=1.0.0",
                null, null, null)).stream().map(Agent::name).toList());

        restartService();
        assertEquals("persisted", "1.0.0", service.polls().poll("m1", 10).pinnedVersion());

        assertNull(service.agents().updateAgent(m1.sysId(), change("{\"pinned_version\":null}")).pinnedVersion());
        assertNull(service.polls().poll("m1", 10).pinnedVersion());
        service.agents().updateAgent(m1.sysId(), change("{\"pinned_version\":\"2.0.0\"}"));
        assertNull("an empty string unpins too",
                service.agents().updateAgent(m1.sysId(), change("{\"pinned_version\":\"\"}")).pinnedVersion());
    }

    @Test
    public void aBadPinIsA400() throws Exception {
        for (String body : List.of("{\"pinned_version\":\"one\"}", "{\"pinned_version\":3}")) {
            try {
                change(body);
                fail(body);
            } catch (InstanceException e) {
                assertEquals(InstanceException.Reason.INVALID, e.reason());
                assertTrue(e.getMessage(), e.getMessage().contains("pinned_version"));
            }
        }
    }

    @Test
    public void aWaitingPollCompletesWhenItsPinChanges() throws Exception {
        Agent m1 = register("m1");
        register("m2");
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
        CompletableFuture<PollResult> other = service.polls().longPoll("m2", 10, 10_000);
        assertFalse(poll.isDone());
        service.agents().updateAgent(m1.sysId(), change("{\"pinned_version\":\"0.9.0\"}"));
        PollResult reply = poll.get(2000, TimeUnit.MILLISECONDS);
        assertEquals("0.9.0", reply.pinnedVersion());
        assertEquals(List.of(), reply.result());
        assertFalse("another agent's pin is no news to m2", other.isDone());
        assertEquals(1, service.polls().waitingPolls("m2"));

        CompletableFuture<PollResult> again = service.polls().longPoll("m1", 10, 10_000);
        assertFalse(again.isDone());
        service.agents().updateAgent(m1.sysId(), change("{\"pinned_version\":null}"));
        assertNull(again.get(2000, TimeUnit.MILLISECONDS).pinnedVersion());
    }

    @Test
    public void upgradeStatusesWriteTheirEventsWithTheDetail() {
        register("m1");
        Agent upgrading = service.agents().changeStatus("m1", "Upgrading", "upgrading from 1.0.0 to 1.1.0");
        assertEquals(Agent.STATUS_UPGRADING, upgrading.status());
        InstanceEvent event = lastEvent();
        assertEquals(InstanceEvent.MID_SERVER_UPGRADING, event.name());
        assertEquals("m1", event.agent());
        assertEquals("upgrading from 1.0.0 to 1.1.0", event.detail());

        service.agents().changeStatus("m1", "Upgrade Failed", "rolled back: the new core did not connect within 60 s");
        assertEquals(Agent.STATUS_UPGRADE_FAILED, agentNamed("m1").status());
        assertEquals(InstanceEvent.MID_SERVER_UPGRADE_FAILED, lastEvent().name());
        assertEquals("rolled back: the new core did not connect within 60 s", lastEvent().detail());

        long before = lastEvent().seq();
        service.agents().changeStatus("m1", "Upgrade Failed", "download failed: sha256 mismatch");
        assertEquals("another failure is another event", "download failed: sha256 mismatch", lastEvent().detail());
        assertTrue(lastEvent().seq() > before);
        before = lastEvent().seq();
        service.agents().changeStatus("m1", "Upgrade Failed", null);
        assertEquals("the same status without a detail changes nothing", before, lastEvent().seq());

        service.agents().changeStatus("m1", "Up", "upgraded from 1.0.0 to 1.1.0");
        assertEquals(Agent.STATUS_UP, agentNamed("m1").status());
        assertEquals(InstanceEvent.MID_SERVER_UP, lastEvent().name());
        assertEquals("upgraded from 1.0.0 to 1.1.0", lastEvent().detail());

        service.agents().changeStatus("m1", "Upgrading", null);
        assertTrue(lastEvent().detail(), lastEvent().detail().startsWith("upgrading its core from 1.0.0"));
    }

    @Test
    public void aDownAgentReportingUpComesBackUp() {
        register("m1");
        clock.advance(java.time.Duration.ofSeconds(61));
        assertEquals(1, service.heartbeats().sendDueHeartbeats());
        clock.advance(java.time.Duration.ofSeconds(31));
        assertEquals(1, service.heartbeats().markSilentAgentsDown());
        assertEquals(Agent.STATUS_DOWN, agentNamed("m1").status());
        service.agents().changeStatus("m1", "Up", "upgraded from 1.0.0 to 1.1.0");
        assertEquals(Agent.STATUS_UP, agentNamed("m1").status());
        assertEquals(InstanceEvent.MID_SERVER_UP, lastEvent().name());
        assertEquals("upgraded from 1.0.0 to 1.1.0", lastEvent().detail());
    }

    @Test
    public void unknownStatusesAreRefusedAndAdminsCannotSetUpgradeStatuses() throws Exception {
        Agent m1 = register("m1");
        try {
            service.agents().changeStatus("m1", "Sleeping", null);
            fail();
        } catch (InstanceException e) {
            assertEquals("status must be one of: Paused, Up, Upgrading, Upgrade Failed, Down", e.getMessage());
        }
        try {
            service.agents().updateAgent(m1.sysId(), change("{\"status\":\"Upgrading\"}"));
            fail();
        } catch (InstanceException e) {
            assertEquals("status must be one of: Paused, Up", e.getMessage());
        }
        assertEquals(Agent.STATUS_UP, agentNamed("m1").status());
    }

    @Test
    public void anUpgradingAgentGetsOnlyPriorityZeroWork() {
        register("m1");
        QueueRecord standard = insert("m1", "TCPScan", QueueRecord.PRIORITY_STANDARD);
        QueueRecord expedited = insert("m1", "TCPScan", 1);
        QueueRecord system = insert("m1", "SystemCommand", QueueRecord.PRIORITY_INTERACTIVE);
        service.agents().changeStatus("m1", "Upgrading", "upgrading");
        PollResult reply = service.polls().poll("m1", 10);
        assertEquals(List.of(system.sysId()), ids(reply.result()));
        assertEquals(Agent.STATUS_UPGRADING, reply.agentStatus());
        assertEquals(List.of(), service.polls().poll("m1", 10).result());

        service.agents().changeStatus("m1", "Upgrade Failed", "no upgrader");
        assertEquals("a failed upgrade resumes normal work", List.of(expedited.sysId(), standard.sysId()),
                ids(service.polls().poll("m1", 10).result()));
    }
}
