package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.midway.instance.api.AgentRegistration;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;

/**
 * Every operator of the encoded query language against the real store (the embedded H2 here,
 * PostgreSQL in {@code PostgresQueryOperatorsTest}), checking the records returned, and the
 * in-memory evaluation of queries on state for records leased in memory.
 */
public class QueryOperatorsTest extends ServiceFixture {

    private QueueRecord output(String topic, String name, int priority, String source) {
        QueueRecord r = service.outputs().insertOutput(new OutputRequest(QueueRecord.agentField("m1"), topic, name,
                source, null, QueueRecord.STATE_READY, priority, null, null));
        clock.advance(Duration.ofHours(1));
        return r;
    }

    private List<String> query(String sysparmQuery) {
        return ids(service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, sysparmQuery, null, null, null)));
    }

    private List<String> agents(String sysparmQuery) {
        return service.agents().agents(TableQuery.parse(TableSchema.ECC_AGENT, sysparmQuery, null, null, null))
                .stream().map(a -> a.name()).toList();
    }

    @Test
    public void everyOperatorReturnsTheRightRecords() {
        register("m1");
        String a = output("TCPScan", "scan 50%_a", 0, null).sysId(); // 10:00:00
        String b = output("TCPPing", "ping a", 1, null).sysId(); // 11:00:00
        String c = output("HTTPScan", "web\\x", 2, "10.0.0.9").sysId(); // 12:00:00
        String d = output("SNMPWalk", "walk", 2, "").sysId(); // 13:00:00

        assertEquals(List.of(a, b), query("topicSTARTSWITHTCP"));
        assertEquals(List.of(a, c), query("topicENDSWITHScan"));
        assertEquals("% and _ are literal", List.of(a), query("nameLIKE50%_"));
        assertEquals("so is \\", List.of(c), query("nameLIKEb\\x"));
        assertEquals(List.of(), query("nameLIKE5_"));
        assertEquals(List.of(c, d), query("nameNOTLIKEn"));
        assertEquals(List.of(a, b, d), query("sourceISEMPTY"));
        assertEquals(List.of(c), query("sourceISNOTEMPTY"));
        assertEquals(List.of(a), query("priority<1"));
        assertEquals(List.of(a, b), query("priority<=1"));
        assertEquals(List.of(c, d), query("priority>1"));
        assertEquals(List.of(b, c, d), query("priority>=1"));
        assertEquals(List.of(b, c), query("sys_created_onBETWEEN2026-03-01 11:00:00@2026-03-01 12:00:00"));
        assertEquals(List.of(c, d), query("sys_created_on>2026-03-01 11:00:00"));
        assertEquals(List.of(a, b), query("sys_created_on<2026-03-01 11:59:59"));
        assertEquals(List.of(a, d), query("topicINTCPScan,SNMPWalk"));
        assertEquals(List.of(b, c), query("topicNOT INTCPScan,SNMPWalk"));
        assertEquals(List.of(b, c, d), query("topic!=TCPScan"));
        assertEquals(List.of(b, c), query("priorityBETWEEN1@2^topic!=SNMPWalk"));
        assertEquals("OR with the previous term, then AND", List.of(a, c),
                query("topic=TCPScan^ORtopic=HTTPScan^ORtopic=SNMPWalk^sourceISNOTEMPTY^NQpriority=0"));
        assertEquals("NQ: a new query OR'd", List.of(a, d), query("priority=0^NQtopic=SNMPWalk^name=walk"));
        assertEquals(List.of(d, c, a), query("topicLIKEa^ORDERBYDESCsys_created_on"));
        assertEquals("name-value filter AND the query", List.of(b), ids(service.outputs().records(TableQuery.parse(
                TableSchema.ECC_QUEUE, "topicSTARTSWITHTCP", null, null, null, Map.of("priority", "1")))));
        assertEquals(2, service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE, "priority>=2", null, null, null)));
    }

    @Test
    public void listFieldsTakeContainsAndEmptiness() {
        service.agents().register(new AgentRegistration("m1", "1.0.0", "h", "127.0.0.1", List.of("snmp", "http")));
        service.agents().register(new AgentRegistration("m2", "1.0.0", "h", "127.0.0.1", List.of("tcp")));
        service.agents().register(new AgentRegistration("m3", "1.0.0", "h", "127.0.0.1", List.of()));
        assertEquals(List.of("m1"), agents("capabilities=snmp"));
        assertEquals(List.of(), agents("capabilities=snm"));
        assertEquals("an element contains", List.of("m1"), agents("capabilitiesLIKEtt"));
        assertEquals(List.of("m2", "m3"), agents("capabilitiesNOTLIKEtt"));
        assertEquals(List.of("m3"), agents("capabilitiesISEMPTY"));
        assertEquals(List.of("m1", "m2"), agents("capabilitiesISNOTEMPTY"));
        assertEquals(List.of("m2", "m3"), agents("capabilities!=http"));
        assertEquals(List.of("m1", "m3"), agents("nameENDSWITH3^ORcapabilities=snmp"));
        assertEquals(List.of("m1", "m2", "m3"), agents("validated=true"));
    }

    @Test
    public void queriesOnStateSeeARecordLeasedInMemoryAsProcessing() {
        register("m1");
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(output("TCPScan", "n" + i, 2, null).sysId());
        }
        String leased = service.polls().poll("m1", 1).result().get(0).sysId();
        List<String> ready = new ArrayList<>(all);
        ready.remove(leased);
        assertEquals(List.of(leased), query("state=processing"));
        assertEquals(List.of(leased), query("stateSTARTSWITHproc^topic=TCPScan"));
        assertEquals(List.of(leased), query("stateNOT INready,error"));
        assertEquals(List.of(leased), query("state<ready"));
        assertEquals(ready, query("state=ready"));
        assertEquals(ready, query("state!=processing"));
        assertEquals(ready, query("stateLIKEead"));
        assertEquals(all, query("state=ready^ORstate=processing"));
        assertEquals(List.of(leased), query("name=nobody^NQstate=processing"));
        assertEquals(1, service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE, "state=processing", null,
                null, null)));
        assertEquals(3, service.outputs().count(TableQuery.parse(TableSchema.ECC_QUEUE, "stateISNOTEMPTY^state!=processing",
                null, null, null)));
        assertEquals("paging after the evaluation", ready.subList(1, 2), ids(service.outputs().records(
                TableQuery.parse(TableSchema.ECC_QUEUE, "state=ready", null, "1", "1"))));
        assertEquals("as shown", QueueRecord.STATE_PROCESSING,
                service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, "state=processing", null, null, null))
                        .get(0).state());
    }
}
