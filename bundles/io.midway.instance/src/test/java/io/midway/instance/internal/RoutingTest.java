package io.midway.instance.internal;

import io.midway.instance.api.AgentChange;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Test;

import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentRegistration;

/**
 * Output records that name no agent are routed by MID selection when inserted (issue 8 point 2):
 * the record keeps the agent chosen and why, the chosen agent's poll gets it, and work no agent
 * may take is stored in state error with the reason.
 */
public class RoutingTest extends ServiceFixture {

    private Agent agent(String name, String capability, String ipRange, boolean isDefault) {
        return agent(service, name, capability, ipRange, isDefault);
    }

    private QueueRecord routed(String application, String source, String capability) {
        return routed(service, application, source, capability);
    }

    /** Registers a validated agent for Discovery with one capability and one IP range. */
    static Agent agent(InstanceServices service, String name, String capability, String ipRange, boolean isDefault) {
        Agent a = service.agents().register(new AgentRegistration(name, "1.0.0", name + ".example", "127.0.0.1", List.of(capability)))
                .agent();
        return service.agents().updateAgent(a.sysId(), new AgentChange(null, true, List.of("Discovery"),
                ipRange == null ? List.of() : List.of(ipRange), null, isDefault));
    }

    /** Inserts an SSHCommand record with no agent, for the instance to route. */
    static QueueRecord routed(InstanceServices service, String application, String source, String capability) {
        return service.outputs().insertOutput(new OutputRequest(null, "SSHCommand", "uname -a", source, null, QueueRecord.STATE_READY,
                QueueRecord.PRIORITY_STANDARD, null, null, application, capability));
    }

    @Test
    public void aRecordWithNoAgentGoesToTheAgentThatFitsAndKeepsWhy() throws Exception {
        agent("dc-ssh", "ssh", "10.1.0.0/16", false);
        agent("dc-snmp", "snmp", "10.1.0.0/16", false);

        QueueRecord r = routed("Discovery", "10.1.2.3", "ssh");
        assertEquals(r.toString(), "mid.server.dc-ssh", r.agent());
        assertEquals(QueueRecord.STATE_READY, r.state());
        assertEquals("Discovery", r.application());
        assertEquals("ssh", r.capability());
        assertTrue(r.selection(), r.selection().contains("dc-ssh") && r.selection().contains("10.1.0.0/16"));
        QueueRecord stored = record(r.sysId());
        assertEquals("the choice is stored", r.selection(), stored.selection());
        assertEquals(List.of(r.sysId()),
                ids(service.polls().longPoll("dc-ssh", 10, 1000).get().result()));
        assertEquals(List.of(), service.polls().longPoll("dc-snmp", 10, 0).get().result());
    }

    @Test
    public void workNoAgentMayTakeEndsInErrorWithTheReason() {
        agent("dc-ssh", "ssh", "10.1.0.0/16", false);
        QueueRecord outside = routed("Discovery", "192.168.9.9", "ssh");
        assertEquals(QueueRecord.STATE_ERROR, outside.state());
        assertEquals("", outside.agent());
        assertTrue(outside.errorString(), outside.errorString().startsWith("No agent may take this work: ")
                && outside.errorString().contains("192.168.9.9"));
        QueueRecord otherApp = routed("ServiceMapping", "10.1.2.3", null);
        assertEquals(QueueRecord.STATE_ERROR, otherApp.state());
        assertTrue(otherApp.errorString(), otherApp.errorString().contains("ServiceMapping"));
    }

    @Test
    public void theDefaultAgentTakesWhatNoRangeHolds() {
        agent("dc-ssh", "ssh", "10.1.0.0/16", false);
        agent("main", "ssh", null, true);
        QueueRecord r = routed("Discovery", "172.16.0.1", "ssh");
        assertEquals(r.selection(), "mid.server.main", r.agent());
    }

    @Test
    public void aSourceThatIsNotAnIpAddressOrNoApplicationIsABadRequest() {
        agent("dc-ssh", "ssh", "10.1.0.0/16", false);
        InstanceException host = assertThrows(InstanceException.class, () -> routed("Discovery", "db01.example.com", "ssh"));
        assertTrue(host.getMessage(), host.getMessage().contains("db01.example.com"));
        InstanceException none = assertThrows(InstanceException.class, () -> service.outputs().insertOutput(OutputRequest.parse(
                io.midway.wire.Json.mapper().createObjectNode().put("topic", "SSHCommand").put("source", "10.1.2.3"))));
        assertTrue(none.getMessage(), none.getMessage().contains("'application'"));
    }

    @Test
    public void aBatchRoutesEachRecordOnItsOwn() {
        agent("dc-ssh", "ssh", "10.1.0.0/16", false);
        agent("dc-snmp", "snmp", "10.2.0.0/16", false);
        List<QueueRecord> stored = service.outputs().insertOutputs(List.of(
                new OutputRequest(null, "SNMP", "walk", "10.2.0.5", null, QueueRecord.STATE_READY, 2, null, null, "Discovery", "snmp"),
                new OutputRequest(QueueRecord.agentField("dc-ssh"), "TCPScan", "scan", "10.9.9.9", null, QueueRecord.STATE_READY, 2,
                        null, null),
                new OutputRequest(null, "SSHCommand", "uname", "10.1.0.5", null, QueueRecord.STATE_READY, 2, null, null, "Discovery",
                        "ssh")));
        assertEquals("mid.server.dc-snmp", stored.get(0).agent());
        assertEquals("mid.server.dc-ssh", stored.get(1).agent());
        assertNull("a record that named its agent has no selection", stored.get(1).selection());
        assertEquals("mid.server.dc-ssh", stored.get(2).agent());
    }

    /** The same with {@code mid.selection.algorithm = legacy}: the capability is not looked at. */
    public static class Legacy extends ServiceFixture {
        @Override
        protected InstanceSettings settings() {
            return new InstanceSettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(120), true,
                    Duration.ofSeconds(5), "1.2.3", "legacy");
        }

        @Test
        public void legacyIgnoresTheCapability() {
            agent(service, "dc-snmp", "snmp", "10.1.0.0/16", false);
            QueueRecord r = routed(service, "Discovery", "10.1.2.3", "ssh");
            assertEquals(r.selection(), "mid.server.dc-snmp", r.agent());
            assertTrue(r.selection(), r.selection().startsWith("legacy"));
        }
    }
}
