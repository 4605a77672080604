package io.midway.instance.store;

import io.midway.instance.api.TableSchema;
import io.midway.instance.api.TableQuery;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;

import org.junit.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.InstanceException;
import io.midway.wire.Json;

public class TableQueryTest {

    private static TableQuery queue(String query) {
        return TableQuery.parse(TableSchema.ECC_QUEUE, query, null, null, null);
    }

    private static InstanceException rejected(Runnable parse) {
        try {
            parse.run();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.INVALID, e.reason());
            return e;
        }
        fail("expected a 400");
        return null;
    }

    @Test
    public void emptyQueryHasDefaultsAndDefaultOrder() {
        TableQuery q = TableQuery.parse(TableSchema.ECC_QUEUE, null, null, null, null);
        assertTrue(q.groups().isEmpty());
        assertEquals("", QuerySql.where(q).text());
        assertEquals(" ORDER BY created_ms, seq", QuerySql.orderBy(q));
        assertEquals(TableQuery.DEFAULT_LIMIT, q.limit());
        assertEquals(0, q.offset());
        assertEquals(List.of(), q.fields());
    }

    @Test
    public void termsJoinedByCaretBecomeParameterisedConditions() {
        TableQuery q = queue("agent=mid.server.m1^state=ready^priority=0");
        QuerySql.Sql where = QuerySql.where(q);
        assertEquals(" WHERE agent = ? AND state = ? AND priority = ?", where.text());
        assertEquals(List.of("mid.server.m1", "ready", 0L), where.parameters());
    }

    @Test
    public void notEqualsAndEmptyValues() {
        QuerySql.Sql where = QuerySql.where(queue("state!=ready^error_string="));
        assertEquals(" WHERE (state IS NULL OR state <> ?) AND (error_string IS NULL OR error_string = '')",
                where.text());
        assertEquals(List.of("ready"), where.parameters());
    }

    @Test
    public void inAndNotInListParameters() {
        QuerySql.Sql where = QuerySql.where(queue("sys_idINa1,b2,c3^priorityNOT IN0,1"));
        assertEquals(" WHERE sys_id IN (?, ?, ?) AND NOT COALESCE(priority IN (?, ?), FALSE)", where.text());
        assertEquals(List.of("a1", "b2", "c3", 0L, 1L), where.parameters());
        assertEquals(" WHERE (name IN (?) OR (name IS NULL OR name = ''))", QuerySql.where(queue("nameINx,")).text());
        try {
            queue("priorityINhigh");
            fail("a bad number");
        } catch (InstanceException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("takes a whole number"));
        }
        try {
            queue("sys_idIN" + "x,".repeat(TableQuery.MAX_IN_VALUES + 1));
            fail("too many values");
        } catch (InstanceException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("at most 1000 values"));
        }
    }

    @Test
    public void orderByTermsInOrderWithSeqTieBreaker() {
        TableQuery q = queue("ORDERBYpriority^ORDERBYDESCsys_created_on^topic=TCPScan");
        assertEquals(" ORDER BY priority, created_ms DESC, seq", QuerySql.orderBy(q));
        assertEquals(1, q.groups().get(0).allOf().size());
    }

    @Test
    public void doubleCaretIsALiteralCaret() {
        TableQuery q = queue("name=a^^b^topic=x");
        assertEquals(List.of("a^b", "x"), QuerySql.where(q).parameters());
        assertEquals(List.of("name=a^b", "topic=x"), TableQuery.splitTerms("name=a^^b^topic=x"));
        assertEquals(List.of("topic=x"), TableQuery.splitTerms("^topic=x^"));
    }

    @Test
    public void valueMayContainEqualsSigns() {
        assertEquals(List.of("a=b=c"), QuerySql.where(queue("name=a=b=c")).parameters());
    }

    @Test
    public void agentListFieldsMeanContains() {
        TableQuery q = TableQuery.parse(TableSchema.ECC_AGENT, "capabilities=ht_p^validated=TRUE", null, null, null);
        QuerySql.Sql where = QuerySql.where(q);
        assertEquals(" WHERE capabilities LIKE ? ESCAPE '\\' AND validated = ?", where.text());
        assertEquals(List.of("%\"ht\\_p\"%", Boolean.TRUE), where.parameters());
        assertEquals(" ORDER BY name, seq", QuerySql.orderBy(TableQuery.all(TableSchema.ECC_AGENT)));
    }

    @Test
    public void unknownFieldIsRejectedByName() {
        InstanceException e = rejected(() -> queue("state=ready^bogus=1"));
        assertTrue(e.getMessage(), e.getMessage().contains("'bogus'"));
        assertTrue(e.detail(), e.detail().contains("sys_id"));
        rejected(() -> queue("ORDERBYbogus"));
        rejected(() -> queue("ORDERBYDESC"));
    }

    @Test
    public void sqlInjectionInFieldNamesIsRejected() {
        InstanceException e = rejected(() -> queue("sta) OR 1=1 --=x"));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown field 'sta'"));
        e = rejected(() -> queue("state) OR 1=1 --=x"));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown operator ')' after field 'state'"));
        // ... while in values it is just a value
        assertEquals(List.of("x' OR '1'='1"), QuerySql.where(queue("name=x' OR '1'='1")).parameters());
    }

    @Test
    public void unknownOperatorIsRejectedWithTheOperators() {
        InstanceException e = rejected(() -> queue("nameCONTAINSfoo"));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown operator 'CONTAINS' after field 'name'"));
        assertTrue(e.detail(), e.detail().contains("STARTSWITH") && e.detail().contains("BETWEEN"));
        rejected(() -> queue("=ready"));
        rejected(() -> queue("^ORstate=error"));
        rejected(() -> queue("NQstate=error"));
    }

    @Test
    public void everyOperatorBecomesParameterisedSql() {
        assertSql(" WHERE topic LIKE ? ESCAPE '\\'", List.of("TCP%"), queue("topicSTARTSWITHTCP"));
        assertSql(" WHERE topic LIKE ? ESCAPE '\\'", List.of("%Scan"), queue("topicENDSWITHScan"));
        assertSql(" WHERE name LIKE ? ESCAPE '\\'", List.of("%50\\%\\_a\\\\b%"), queue("nameLIKE50%_a\\b"));
        assertSql(" WHERE (name IS NULL OR name NOT LIKE ? ESCAPE '\\')", List.of("%x%"), queue("nameNOTLIKEx"));
        assertSql(" WHERE (error_string IS NULL OR error_string = '')", List.of(), queue("error_stringISEMPTY"));
        assertSql(" WHERE (error_string IS NOT NULL AND error_string <> '')", List.of(),
                queue("error_stringISNOTEMPTY"));
        assertSql(" WHERE priority < ? AND priority <= ? AND priority > ? AND priority >= ?",
                List.of(2L, 2L, 0L, 0L), queue("priority<2^priority<=2^priority>0^priority>=0"));
        assertSql(" WHERE sys_created_on BETWEEN ? AND ?", List.of("2026-01-01 00:00:00", "2026-01-31 23:59:59"),
                queue("sys_created_onBETWEEN2026-01-01 00:00:00@2026-01-31 23:59:59"));
        assertSql(" WHERE priority IS NULL", List.of(), queue("priorityISEMPTY"));
        TableQuery agents = TableQuery.parse(TableSchema.ECC_AGENT,
                "capabilitiesLIKEsn^capabilitiesNOTLIKEx^ip_rangesISNOTEMPTY^validatedISEMPTY", null, null, null);
        assertSql(" WHERE capabilities LIKE ? ESCAPE '\\' AND (capabilities IS NULL OR capabilities NOT LIKE ? "
                + "ESCAPE '\\') AND (ip_ranges IS NOT NULL AND ip_ranges <> '[]') AND validated IS NULL",
                List.of("%sn%", "%x%"), agents);
    }

    @Test
    public void longestFieldThenLongestOperatorWins() {
        // "name" is a prefix of no field here, but "sys_created_on" ... the operators: <= before <, NOT IN before ...
        assertSql(" WHERE priority <= ?", List.of(1L), queue("priority<=1"));
        assertSql(" WHERE NOT COALESCE(state IN (?, ?), FALSE)", List.of("ready", "error"),
                queue("stateNOT INready,error"));
        assertSql(" WHERE (state IS NULL OR state <> ?)", List.of("ready"), queue("state!=ready"));
        // capabilities vs manual_capabilities / advertised_capabilities: whole names, longest first
        assertSql(" WHERE manual_capabilities LIKE ? ESCAPE '\\'", List.of("%\"x\"%"),
                TableQuery.parse(TableSchema.ECC_AGENT, "manual_capabilities=x", null, null, null));
        // a field named like an operator's value: "name" then "=", value "STARTSWITHx"
        assertSql(" WHERE name = ?", List.of("STARTSWITHx"), queue("name=STARTSWITHx"));
    }

    @Test
    public void orBindsTighterThanAndAndNqSeparatesQueries() {
        assertSql(" WHERE (state = ? OR state = ?) AND topic = ?", List.of("ready", "error", "T"),
                queue("state=ready^ORstate=error^topic=T"));
        assertSql(" WHERE topic = ? AND (state = ? OR priority < ?)", List.of("T", "ready", 1L),
                queue("topic=T^state=ready^ORpriority<1"));
        assertSql(" WHERE (topic = ? AND state = ?) OR name LIKE ? ESCAPE '\\'", List.of("T", "ready", "x%"),
                queue("topic=T^state=ready^NQnameSTARTSWITHx"));
        TableQuery q = queue("topic=A^NQtopic=B^ORtopic=C^ORDERBYname^EQ");
        assertEquals(2, q.groups().size());
        assertEquals(2, q.groups().get(1).allOf().get(0).anyOf().size());
        assertEquals(" ORDER BY name, seq", QuerySql.orderBy(q));
    }

    @Test
    public void operatorsAreCheckedPerType() {
        InstanceException e = rejected(() -> queue("prioritySTARTSWITH1"));
        assertTrue(e.getMessage(), e.getMessage().contains("STARTSWITH") && e.getMessage().contains("'priority'"));
        assertTrue(rejected(() -> queue("priority>high")).getMessage().contains("whole number"));
        assertTrue(rejected(() -> queue("priorityBETWEEN1")).getMessage().contains("low@high"));
        rejected(() -> TableQuery.parse(TableSchema.ECC_AGENT, "validated>true", null, null, null));
        rejected(() -> TableQuery.parse(TableSchema.ECC_AGENT, "capabilitiesINa,b", null, null, null));
        rejected(() -> TableQuery.parse(TableSchema.ECC_AGENT, "capabilitiesSTARTSWITHa", null, null, null));
        rejected(() -> queue("payloadISEMPTY"));
    }

    @Test
    public void nameValueParametersAreEqualsTermsAndUnknownOnesAreRefused() {
        TableQuery q = TableQuery.parse(TableSchema.ECC_QUEUE, "state=ready^NQstate=error", null, null, null,
                java.util.Map.of("topic", "TCPScan", "sysparm_display_value", "true"));
        assertSql(" WHERE (state = ? AND topic = ?) OR (state = ? AND topic = ?)",
                List.of("ready", "TCPScan", "error", "TCPScan"), q);
        InstanceException e = rejected(() -> TableQuery.parse(TableSchema.ECC_QUEUE, null, null, null, null,
                java.util.Map.of("topc", "x")));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown query parameter 'topc'"));
        assertTrue(e.detail(), e.detail().contains("topic"));
    }

    @Test
    public void matchesInMemoryAsTheSqlDoes() {
        java.util.Map<String, Object> r = new java.util.HashMap<>();
        r.put("topic", "TCPScan");
        r.put("name", "50%_x");
        r.put("state", "processing");
        r.put("priority", 1);
        r.put("sys_created_on", "2026-01-15 10:00:00");
        assertTrue(queue("topicSTARTSWITHTCP^topicENDSWITHScan^nameLIKE%_^error_stringISEMPTY").matches(r));
        assertFalse(queue("nameNOTLIKE%").matches(r));
        assertTrue(queue("priority>=1^priority<2^priorityBETWEEN0@1^priorityIN1,2").matches(r));
        assertFalse(queue("priority>1").matches(r));
        assertTrue(queue("state=ready^ORstate=processing^topic=TCPScan").matches(r));
        assertFalse(queue("state=ready^topic=TCPScan").matches(r));
        assertTrue(queue("state=ready^NQstate!=ready^sys_created_on>2026-01-01 00:00:00").matches(r));
        assertFalse(queue("stateNOT INprocessing,ready").matches(r));
        assertTrue(queue("sys_created_onBETWEEN2026-01-15 00:00:00@2026-01-15 10:00:00").matches(r));
        assertTrue(queue("error_string=^response_toNOT INa,b").matches(r));
        java.util.Map<String, Object> agent = java.util.Map.of("capabilities", List.of("snmp", "http"));
        assertTrue(TableQuery.parse(TableSchema.ECC_AGENT, "capabilities=snmp^capabilitiesLIKEtt", null, null, null)
                .matches(agent));
        assertFalse(TableQuery.parse(TableSchema.ECC_AGENT, "capabilities=sn", null, null, null).matches(agent));
        assertTrue(TableQuery.parse(TableSchema.ECC_AGENT, "ip_rangesISEMPTY", null, null, null).matches(agent));
    }

    @Test
    public void ignoringAFieldWidensTheQuery() {
        assertSql(" WHERE topic = ?", List.of("T"), queue("state=ready^ORname=x^topic=T").ignoring("state"));
        assertSql("", List.of(), queue("topic=T^NQstate=ready").ignoring("state"));
    }

    private static void assertSql(String text, List<Object> parameters, TableQuery q) {
        QuerySql.Sql where = QuerySql.where(q);
        assertEquals(text, where.text());
        assertEquals(parameters, where.parameters());
    }

    @Test
    public void wrongValueTypesAreRejected() {
        assertTrue(rejected(() -> queue("priority=high")).getMessage().contains("whole number"));
        assertTrue(rejected(() -> TableQuery.parse(TableSchema.ECC_AGENT, "validated=yes", null, null, null))
                .getMessage().contains("true or false"));
    }

    @Test
    public void payloadCannotBeQueriedOrOrderedAndListsCannotBeOrdered() {
        rejected(() -> queue("payload=x"));
        rejected(() -> queue("ORDERBYpayload"));
        rejected(() -> TableQuery.parse(TableSchema.ECC_AGENT, "ORDERBYcapabilities", null, null, null));
    }

    @Test
    public void limitAndOffset() {
        TableQuery q = TableQuery.parse(TableSchema.ECC_QUEUE, "", null, "5", " 10 ");
        assertEquals(5, q.limit());
        assertEquals(10, q.offset());
        assertTrue(rejected(() -> TableQuery.parse(TableSchema.ECC_QUEUE, "", null, "ten", null)).getMessage()
                .contains("sysparm_limit"));
        assertTrue(rejected(() -> TableQuery.parse(TableSchema.ECC_QUEUE, "", null, null, "-1")).getMessage()
                .contains("sysparm_offset"));
        rejected(() -> TableQuery.parse(TableSchema.ECC_QUEUE, "", null, "99999999999", null));
    }

    @Test
    public void fieldsAreValidatedAndProjected() {
        TableQuery q = TableQuery.parse(TableSchema.ECC_QUEUE, null, " sys_id, state,,sys_id ", null, null);
        assertEquals(List.of("sys_id", "state"), q.fields());
        ObjectNode row = Json.mapper().createObjectNode().put("sys_id", "a").put("state", "ready").put("topic", "t");
        ObjectNode projected = q.project(row);
        assertEquals(2, projected.size());
        assertFalse(projected.has("topic"));
        InstanceException e = rejected(() -> TableQuery.parse(TableSchema.ECC_QUEUE, null, "sys_id,nope", null, null));
        assertTrue(e.getMessage(), e.getMessage().contains("'nope'"));
    }

    @Test
    public void tablesByName() {
        assertEquals(TableSchema.ECC_QUEUE, TableSchema.forName("ecc_queue").orElseThrow());
        assertEquals(TableSchema.ECC_AGENT, TableSchema.forName("ecc_agent").orElseThrow());
        assertTrue(TableSchema.forName("sys_user").isEmpty());
    }
}
