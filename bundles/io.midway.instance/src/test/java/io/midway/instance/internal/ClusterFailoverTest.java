package io.midway.instance.internal;

import io.midway.instance.api.InputResult;
import io.midway.instance.api.ClusterChange;
import io.midway.instance.api.AgentChange;
import io.midway.instance.api.OutputRequest;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.Test;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.ClusterType;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;

/**
 * Agent clusters on the instance (issue 8 point 4): failover moves the waiting work of a member
 * that goes Down to the next Up member in order, in the transaction that marks it Down, and sends
 * new work for it there while it is Down; load balance spreads work over the Up members; work
 * bound to an agent's host never moves; every output is answered once.
 */
public class ClusterFailoverTest extends ServiceFixture {

    private AgentCluster cluster(String name, ClusterType type, String... members) {
        return service.clusters().createCluster(new ClusterChange(name, type, List.of(members)));
    }

    private void registerAll(String... names) {
        for (String name : names) {
            register(name);
        }
    }

    private List<QueueRecord> query(String sysparmQuery) {
        return service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, sysparmQuery, null, null, null));
    }


    /** Answers every heartbeat waiting for these agents, as live agents do. */
    private void answerHeartbeats(String... agents) {
        List<AgentResult> answers = new ArrayList<>();
        for (String agent : agents) {
            for (QueueRecord hb : query("agent=mid.server." + agent + "^topic=HeartbeatProbe^state=ready")) {
                answers.add(answer(hb.sysId()));
            }
            for (QueueRecord hb : query("agent=mid.server." + agent + "^topic=HeartbeatProbe^state=processing")) {
                answers.add(answer(hb.sysId()));
            }
        }
        if (!answers.isEmpty()) {
            service.polls().input(new AgentResults(answers));
        }
    }

    /** A heartbeat round in which {@code silent} do not answer and so go Down; {@code alive} answer. */
    private void heartbeatRound(List<String> silent, String... alive) {
        clock.advance(Duration.ofSeconds(61));
        service.heartbeats().sendDueHeartbeats();
        answerHeartbeats(alive);
        clock.advance(Duration.ofSeconds(31));
        assertEquals(silent.size(), service.heartbeats().markSilentAgentsDown());
        for (String name : silent) {
            assertEquals(name, Agent.STATUS_DOWN, agentNamed(name).status());
        }
        for (String name : alive) {
            assertTrue(name, !Agent.STATUS_DOWN.equals(agentNamed(name).status()));
        }
    }

    private List<InstanceEvent> events(String name) {
        return service.events().events(0, 1000).stream().filter(e -> e.name().equals(name)).toList();
    }

    private void validated(String agent, boolean validated) {
        service.agents().updateAgent(agentNamed(agent).sysId(), new AgentChange(null, validated, null, null, null, null));
    }

    private QueueRecord insertTo(String agent, String topic) {
        return insert(agent, topic, QueueRecord.PRIORITY_STANDARD);
    }

    @Test
    public void aMemberThatGoesDownHandsItsReadyAndProcessingWorkToTheNextUpMemberInOrder() throws Exception {
        registerAll("dc-1", "dc-2", "dc-3", "dc-4");
        // work waiting for dc-1 before it is a cluster member: two it holds (processing), two ready
        QueueRecord held1 = insertTo("dc-1", "TCPScan");
        QueueRecord held2 = insertTo("dc-1", "SSHCommand");
        assertEquals(List.of(held1.sysId(), held2.sysId()), ids(service.polls().poll("dc-1", 2).result()));
        QueueRecord ready1 = insertTo("dc-1", "JDBCProbe");
        QueueRecord ready2 = insertTo("dc-1", "TCPScan");
        // and work bound to its host, which never moves
        QueueRecord command = insertTo("dc-1", "Command");
        QueueRecord system = insertTo("dc-1", "SystemCommand");
        QueueRecord broadcast = service.outputs().insertOutput(new OutputRequest(QueueRecord.AGENT_ALL, "Refresh", "all", null,
                null, QueueRecord.STATE_READY, 2, null, null));
        QueueRecord dc1Copy = query("agent=mid.server.dc-1^topic=Refresh").get(0);
        QueueRecord done = insertTo("dc-1", "TCPScan");
        service.polls().input(new AgentResults(List.of(answer(done.sysId()))));

        cluster("dc", ClusterType.FAILOVER, "dc-1", "dc-2", "dc-3", "dc-4");
        service.agents().changeStatus("dc-2", Agent.STATUS_PAUSED);
        validated("dc-3", false);

        heartbeatRound(List.of("dc-1"), "dc-2", "dc-3", "dc-4");

        for (QueueRecord moved : List.of(held1, held2, ready1, ready2)) {
            QueueRecord now = record(moved.sysId());
            assertEquals(moved.topic() + ": Paused dc-2 and unvalidated dc-3 are passed over", "mid.server.dc-4",
                    now.agent());
            assertEquals("processing becomes ready", QueueRecord.STATE_READY, now.state());
            assertEquals("failover: dc-1 went Down, cluster dc → dc-4", now.selection());
        }
        for (QueueRecord kept : List.of(command, system, dc1Copy)) {
            assertEquals(kept.topic() + " stays with dc-1", "mid.server.dc-1", record(kept.sysId()).agent());
            assertEquals(QueueRecord.STATE_READY, record(kept.sysId()).state());
        }
        assertEquals("the pending heartbeat stays with dc-1", 1,
                query("agent=mid.server.dc-1^topic=HeartbeatProbe^state=ready").size());
        assertEquals("answered work is not touched", "mid.server.dc-1", record(done.sysId()).agent());
        assertEquals(QueueRecord.STATE_PROCESSED, record(broadcast.sysId()).state());

        List<InstanceEvent> failovers = events(InstanceEvent.MID_SERVER_FAILOVER);
        assertEquals(1, failovers.size());
        assertEquals("dc-1", failovers.get(0).agent());
        String detail = failovers.get(0).detail();
        assertTrue(detail, detail.startsWith("cluster dc (failover): 4 records of dc-1 (2 ready, 2 processing) moved "
                + "to dc-4; 4 records bound to its host"));
        // the event comes after mid_server.down, in the same write
        List<String> names = service.events().events(0, 1000).stream().map(InstanceEvent::name).toList();
        assertEquals(names.indexOf(InstanceEvent.MID_SERVER_DOWN) + 1, names.indexOf(InstanceEvent.MID_SERVER_FAILOVER));

        // dc-4 takes them at once (besides its own copy of the broadcast)
        List<QueueRecord> polled = service.polls().poll("dc-4", 10).result().stream()
                .filter(r -> !"Refresh".equals(r.topic())).toList();
        assertEquals(Set.of(held1.sysId(), held2.sysId(), ready1.sysId(), ready2.sysId()), new HashSet<>(ids(polled)));
    }

    @Test
    public void withNoMemberUpTheWorkWaitsAndTheEventSaysSo() {
        registerAll("dc-1", "dc-2");
        cluster("dc", ClusterType.FAILOVER, "dc-1", "dc-2", "dc-9");
        QueueRecord work = insertTo("dc-1", "TCPScan");
        service.agents().changeStatus("dc-2", Agent.STATUS_PAUSED);

        heartbeatRound(List.of("dc-1"), "dc-2");

        assertEquals("mid.server.dc-1", record(work.sysId()).agent());
        assertEquals(QueueRecord.STATE_READY, record(work.sysId()).state());
        assertNull(record(work.sysId()).selection());
        assertEquals(List.of(), events(InstanceEvent.MID_SERVER_FAILOVER));
        List<InstanceEvent> down = events(InstanceEvent.MID_SERVER_CLUSTER_DOWN);
        assertEquals(1, down.size());
        assertEquals("cluster dc (failover): no other member is Up and validated (dc-1 (Down), dc-2 (Paused), "
                + "dc-9 (not registered)); 1 record of dc-1 waits until it or another member is Up", down.get(0).detail());

        // new work for the Down member waits too, without an error
        QueueRecord later = insertTo("dc-1", "TCPScan");
        assertEquals("mid.server.dc-1", later.agent());
        assertEquals(QueueRecord.STATE_READY, later.state());
    }

    @Test
    public void agentsGoingDownTogetherHandTheirWorkToAMemberThatStaysUp() {
        registerAll("dc-1", "dc-2", "dc-3");
        QueueRecord a = insertTo("dc-1", "TCPScan");
        QueueRecord b = insertTo("dc-2", "TCPScan");
        cluster("dc", ClusterType.FAILOVER, "dc-1", "dc-2", "dc-3");

        heartbeatRound(List.of("dc-1", "dc-2"), "dc-3");

        assertEquals("not to dc-2, Down in the same round", "mid.server.dc-3", record(a.sysId()).agent());
        assertEquals("mid.server.dc-3", record(b.sysId()).agent());
        assertEquals(2, events(InstanceEvent.MID_SERVER_FAILOVER).size());
    }

    @Test
    public void newWorkForADownMemberGoesToTheNextAndToTheMemberAgainOnceItIsBack() {
        registerAll("dc-1", "dc-2", "dc-3");
        cluster("dc", ClusterType.FAILOVER, "dc-1", "dc-2", "dc-3");
        QueueRecord before = insertTo("dc-1", "TCPScan");
        assertEquals("Up: the member keeps its work", "mid.server.dc-1", before.agent());
        assertNull(before.selection());

        heartbeatRound(List.of("dc-1"), "dc-2", "dc-3");
        assertEquals("mid.server.dc-2", record(before.sysId()).agent());

        QueueRecord whileDown = insertTo("dc-1", "TCPScan");
        assertEquals("mid.server.dc-2", whileDown.agent());
        assertEquals("failover: dc-1 is Down, cluster dc → dc-2", whileDown.selection());
        assertEquals("stored so", whileDown, record(whileDown.sysId()));
        QueueRecord command = insertTo("dc-1", "Command");
        assertEquals("a Command waits for its own host", "mid.server.dc-1", command.agent());

        // a batch is redirected record by record
        List<QueueRecord> batch = service.outputs().insertOutputs(List.of(
                new OutputRequest(QueueRecord.agentField("dc-1"), "TCPScan", "x", null, null, QueueRecord.STATE_READY, 2,
                        null, null),
                new OutputRequest(QueueRecord.agentField("dc-3"), "TCPScan", "y", null, null, QueueRecord.STATE_READY, 2,
                        null, null)));
        assertEquals("mid.server.dc-2", batch.get(0).agent());
        assertEquals("mid.server.dc-3", batch.get(1).agent());

        // dc-1 answers its heartbeat: Up again
        answerHeartbeats("dc-1");
        assertEquals(Agent.STATUS_UP, agentNamed("dc-1").status());
        QueueRecord after = insertTo("dc-1", "TCPScan");
        assertEquals("new work goes to it again", "mid.server.dc-1", after.agent());
        assertNull(after.selection());
        assertEquals("moved work stays where it went", "mid.server.dc-2", record(before.sysId()).agent());
        assertEquals("mid.server.dc-2", record(whileDown.sysId()).agent());
    }

    @Test
    public void loadBalanceSpreadsWorkOverTheUpMembers() {
        registerAll("lb-1", "lb-2", "lb-3", "lb-4");
        cluster("lb", ClusterType.LOAD_BALANCE, "lb-1", "lb-2", "lb-3", "lb-4");
        service.agents().changeStatus("lb-3", Agent.STATUS_PAUSED);
        validated("lb-4", false);
        Map<String, Integer> perAgent = new TreeMap<>();
        for (int i = 0; i < 50; i++) {
            QueueRecord r = insertTo("lb-1", "TCPScan");
            perAgent.merge(r.agent(), 1, Integer::sum);
            assertTrue(r.selection(), r.selection().equals("load_balance: cluster lb → "
                    + r.agent().substring(QueueRecord.AGENT_PREFIX.length())));
        }
        assertEquals("only the Up, validated members, both used: " + perAgent,
                Set.of("mid.server.lb-1", "mid.server.lb-2"), perAgent.keySet());
        assertEquals("the record that is stored is the one answered", 50, query("topic=TCPScan").size());
        QueueRecord command = insertTo("lb-1", "Command");
        assertEquals("mid.server.lb-1", command.agent());
        assertNull(command.selection());
    }

    @Test
    public void loadBalanceSpreadsTheWorkOfAMemberThatGoesDown() {
        registerAll("lb-1", "lb-2", "lb-3");
        List<String> work = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            work.add(insertTo("lb-1", "TCPScan").sysId());
        }
        service.polls().poll("lb-1", 15);
        cluster("lb", ClusterType.LOAD_BALANCE, "lb-1", "lb-2", "lb-3");

        heartbeatRound(List.of("lb-1"), "lb-2", "lb-3");

        Map<String, Long> perAgent = work.stream().map(this::record)
                .peek(r -> assertEquals(QueueRecord.STATE_READY, r.state()))
                .collect(Collectors.groupingBy(QueueRecord::agent, TreeMap::new, Collectors.counting()));
        assertEquals(perAgent.toString(), Set.of("mid.server.lb-2", "mid.server.lb-3"), perAgent.keySet());
        String detail = events(InstanceEvent.MID_SERVER_FAILOVER).get(0).detail();
        assertEquals("cluster lb (load_balance): 40 records of lb-1 (25 ready, 15 processing) moved to lb-2 ("
                + perAgent.get("mid.server.lb-2") + "), lb-3 (" + perAgent.get("mid.server.lb-3") + "); 1 record bound "
                + "to its host (topics Command, HeartbeatProbe, SystemCommand, or its copy of mid.server.* work) stays",
                detail);
    }

    @Test
    public void workRoutedByMidSelectionToAClusterMemberFollowsItsCluster() {
        RoutingTest.agent(service, "lb-1", "ssh", "10.1.0.0/16", false);
        registerAll("lb-2", "lb-3");
        cluster("lb", ClusterType.LOAD_BALANCE, "lb-1", "lb-2", "lb-3");
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            QueueRecord r = RoutingTest.routed(service, "Discovery", "10.1.2.3", "ssh");
            used.add(r.agent());
            assertTrue(r.selection(), r.selection().startsWith("new: application Discovery, capability ssh, ip 10.1.2.3 "
                    + "in 10.1.0.0/16 of lb-1; Up; load_balance: cluster lb → "));
            assertEquals("Discovery", r.application());
        }
        assertTrue(used.toString(), used.size() > 1);
        assertTrue(used.toString(), Set.of("mid.server.lb-1", "mid.server.lb-2", "mid.server.lb-3").containsAll(used));
    }

    @Test
    public void aMovedRecordIsAnsweredOnceWhenBothAgentsAnswerIt() {
        registerAll("dc-1", "dc-2");
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            outputs.add(insertTo("dc-1", "TCPScan").sysId());
        }
        List<String> heldByDc1 = ids(service.polls().poll("dc-1", 10).result());
        assertEquals(10, heldByDc1.size());
        cluster("dc", ClusterType.FAILOVER, "dc-1", "dc-2");

        heartbeatRound(List.of("dc-1"), "dc-2");
        List<String> takenByDc2 = ids(service.polls().poll("dc-2", 100).result()).stream()
                .filter(outputs::contains).toList();
        assertEquals("dc-2 takes all of them", new HashSet<>(outputs), new HashSet<>(takenByDc2));

        // dc-1 was only cut off: it answers what it held, late; dc-2 answers everything
        List<InputResult> late = service.polls().input(new AgentResults(heldByDc1.stream().map(ClusterFailoverTest::answer)
                .toList()));
        assertTrue(late.stream().allMatch(r -> InputResult.INSERTED.equals(r.status())));
        List<InputResult> second = service.polls().input(new AgentResults(takenByDc2.stream().map(ClusterFailoverTest::answer)
                .toList()));
        assertEquals(10, second.stream().filter(r -> InputResult.DUPLICATE.equals(r.status())).count());
        for (String output : outputs) {
            assertEquals(output, 1, query("queue=input^response_to=" + output).size());
            assertEquals(QueueRecord.STATE_PROCESSED, record(output).state());
        }
        assertEquals(20, query("queue=input^topic=TCPScan").size());
    }

    @Test
    public void registeringAMemberDefinedBeforeShowsItsCluster() {
        cluster("dc", ClusterType.FAILOVER, "dc-1", "dc-2");
        assertEquals("dc", register("dc-1").cluster());
        assertEquals("", register("other").cluster());
        assertEquals(Arrays.asList("dc-1", "dc-2"), service.clusters().clusters(TableQuery.all(TableSchema.ECC_AGENT_CLUSTER))
                .get(0).members());
    }
}
