package io.midway.instance.internal;

import io.midway.instance.api.AgentChange;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.midway.instance.api.Selection;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;
import io.midway.instance.api.AgentRegistration;

/**
 * Capabilities set by hand on {@code ecc_agent} (issue 8 point 1): {@code manual_capabilities}
 * is kept apart from what the agent advertises; {@code capabilities} is their union everywhere.
 */
public class ManualCapabilitiesTest extends ServiceFixture {

    private Agent registerAdvertising(String name, String... capabilities) {
        return service.agents().register(new AgentRegistration(name, "1.0.0", name + ".example", "127.0.0.1",
                List.of(capabilities))).agent();
    }

    private Agent setByHand(Agent agent, List<String> manual) {
        return service.agents().updateAgent(agent.sysId(), new AgentChange(null, null, null, null, null, null, null, manual));
    }

    private static AgentChange parse(String body) throws Exception {
        return AgentChange.parse(Json.mapper().readTree(body));
    }

    private static String refusal(String body) {
        InstanceException e = assertThrows(body, InstanceException.class, () -> parse(body));
        assertEquals(body, InstanceException.Reason.INVALID, e.reason());
        return e.getMessage();
    }

    @Test
    public void handSetCapabilitiesJoinTheAdvertisedOnesInEveryRead() {
        Agent a = registerAdvertising("m1", "http", "tcp");
        assertEquals(List.of("http", "tcp"), a.advertisedCapabilities());
        assertEquals(List.of(), a.manualCapabilities());

        Agent changed = setByHand(a, List.of("powershell", "ssh", "TCP"));
        assertEquals("advertised first, then the hand-set ones not already there (ignoring case)",
                List.of("http", "tcp", "powershell", "ssh"), changed.capabilities());
        assertEquals(List.of("powershell", "ssh", "TCP"), changed.manualCapabilities());
        assertEquals(List.of("http", "tcp"), changed.advertisedCapabilities());
        assertEquals(changed, service.agents().agent(a.sysId()).orElseThrow());
        assertEquals(changed, agentNamed("m1"));

        // the Table API query sees the union, and each part on its own
        assertEquals(List.of("m1"), names("capabilities=ssh"));
        assertEquals(List.of("m1"), names("manual_capabilities=ssh"));
        assertEquals(List.of(), names("advertised_capabilities=ssh"));
        assertEquals(List.of("m1"), names("advertised_capabilities=http"));

        // the JSON of the Table API shows all three (the wire record's fields are the domain
        // record's components in snake case)
        JsonNode json = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build()
                .valueToTree(changed);
        assertEquals("[\"http\",\"tcp\",\"powershell\",\"ssh\"]", json.path("capabilities").toString());
        assertEquals("[\"powershell\",\"ssh\",\"TCP\"]", json.path("manual_capabilities").toString());
        assertEquals("[\"http\",\"tcp\"]", json.path("advertised_capabilities").toString());
    }

    @Test
    public void handSetCapabilitiesSurviveReRegistrationWithOtherAdvertisedOnes() {
        Agent a = setByHand(registerAdvertising("m1", "http"), List.of("ssh"));
        assertEquals(List.of("http", "ssh"), a.capabilities());

        // the agent's protocols changed: it registers again; the reply already holds the union
        Agent again = registerAdvertising("m1", "jdbc", "snmp");
        assertEquals(List.of("jdbc", "snmp", "ssh"), again.capabilities());
        assertEquals(List.of("jdbc", "snmp"), again.advertisedCapabilities());
        assertEquals(List.of("ssh"), again.manualCapabilities());
        assertEquals(again, agentNamed("m1"));

        // now it advertises ssh itself: listed once, where it advertises it
        Agent both = registerAdvertising("m1", "SSH", "http");
        assertEquals(List.of("SSH", "http"), both.capabilities());
        assertEquals(List.of("ssh"), both.manualCapabilities());

        // and it advertises nothing: the hand-set one stays
        Agent none = registerAdvertising("m1");
        assertEquals(List.of("ssh"), none.capabilities());
        assertEquals(List.of(), none.advertisedCapabilities());

        // other admin changes and status changes keep both parts
        service.agents().changeStatus("m1", Agent.STATUS_PAUSED);
        service.agents().updateAgent(a.sysId(), new AgentChange(Agent.STATUS_UP, true, List.of("ALL"), null, null, true));
        assertEquals(List.of("ssh"), agentNamed("m1").capabilities());
        assertEquals(List.of("ssh"), agentNamed("m1").manualCapabilities());
    }

    @Test
    public void handSetCapabilitiesSurviveARestartAndAreClearedWithAnEmptyList() {
        Agent a = setByHand(registerAdvertising("m1", "http"), List.of("powershell", "ssh"));
        restartService();
        Agent after = agentNamed("m1");
        assertEquals(List.of("http", "powershell", "ssh"), after.capabilities());
        assertEquals(List.of("powershell", "ssh"), after.manualCapabilities());
        assertEquals(List.of("http"), after.advertisedCapabilities());
        // and a registration after the restart keeps them too
        assertEquals(List.of("http", "tcp", "powershell", "ssh"),
                registerAdvertising("m1", "http", "tcp").capabilities());

        Agent cleared = setByHand(a, List.of());
        assertEquals(List.of("http", "tcp"), cleared.capabilities());
        assertEquals(List.of(), cleared.manualCapabilities());
        restartService();
        assertEquals(List.of("http", "tcp"), agentNamed("m1").capabilities());
        assertEquals(List.of(), names("capabilities=ssh"));
    }

    @Test
    public void theSelectionAndTheRoutingSeeTheHandSetCapabilities() {
        Agent a = registerAdvertising("dc-1", "http");
        service.agents().updateAgent(a.sysId(), new AgentChange(null, true, List.of("Discovery"), List.of("10.1.0.0/16"),
                null, false));
        Selection before = service.selection().select("Discovery", "10.1.2.3", "ssh", "new");
        assertEquals(before.reason(), null, before.agent());

        setByHand(a, List.of("ssh"));
        Selection after = service.selection().select("Discovery", "10.1.2.3", "ssh", "new");
        assertEquals(after.reason(), "dc-1", after.agent());
        assertTrue(after.reason(), after.reason().contains("capability ssh"));

        QueueRecord routed = RoutingTest.routed(service, "Discovery", "10.1.2.3", "ssh");
        assertEquals(routed.toString(), "mid.server.dc-1", routed.agent());
        assertEquals(QueueRecord.STATE_READY, routed.state());

        // after a re-registration that does not advertise it, the hand-set one still counts
        registerAdvertising("dc-1", "http", "tcp");
        assertEquals("dc-1", service.selection().select("Discovery", "10.1.2.3", "ssh", "new").agent());
        setByHand(a, List.of());
        assertEquals(null, service.selection().select("Discovery", "10.1.2.3", "ssh", "new").agent());
    }

    @Test
    public void aPatchBodyIsTrimmedAndDeduplicatedIgnoringCase() throws Exception {
        assertEquals(List.of("powershell", "ssh"),
                parse("{\"manual_capabilities\":[\" powershell \",\"ssh\",\"PowerShell\",\"SSH\"]}")
                        .manualCapabilities());
        assertEquals(List.of("powershell", "ssh"), parse("{\"manual_capabilities\":\"powershell, ssh\"}")
                .manualCapabilities());
        assertEquals(List.of(), parse("{\"manual_capabilities\":[]}").manualCapabilities());
        assertEquals(List.of(), parse("{\"manual_capabilities\":null}").manualCapabilities());
        assertEquals(List.of(), parse("{\"manual_capabilities\":\"\"}").manualCapabilities());
        assertEquals("absent: left as it is", null, parse("{\"validated\":true}").manualCapabilities());
        // capabilities and advertised_capabilities are read-only: ignored, so a record read can be sent back
        AgentChange readBack = parse("{\"capabilities\":[\"x\"],\"advertised_capabilities\":[\"y\"],"
                + "\"manual_capabilities\":[\"ssh\"]}");
        assertEquals(List.of("ssh"), readBack.manualCapabilities());
    }

    @Test
    public void aBadEntryIsRefusedAndNamed() {
        assertEquals("manual_capabilities[1] is number 7, not a string",
                refusal("{\"manual_capabilities\":[\"ssh\",7]}"));
        assertEquals("manual_capabilities[2] is blank", refusal("{\"manual_capabilities\":[\"ssh\",\"http\",\"  \"]}"));
        assertTrue(refusal("{\"manual_capabilities\":[\"a,b\"]}").contains("'a,b' holds a comma"));
        assertTrue(refusal("{\"manual_capabilities\":[\"x\\ty\"]}").contains("control character"));
        assertTrue(refusal("{\"manual_capabilities\":[\"" + "x".repeat(101) + "\"]}").contains("longer than 100"));
        assertTrue(refusal("{\"manual_capabilities\":{\"a\":1}}").contains("list of strings"));
        InstanceException e = assertThrows(InstanceException.class, () -> parse("{\"capabilities\":[\"ssh\"]}"));
        assertEquals("capabilities alone changes nothing", "nothing to change", e.getMessage());
        assertTrue(e.detail(), e.detail().contains("set capabilities by hand with manual_capabilities"));
    }

    private List<String> names(String query) {
        return service.agents().agents(TableQuery.parse(TableSchema.ECC_AGENT, query, null, null, null)).stream()
                .map(Agent::name).toList();
    }
}
