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
        assertTrue(q.conditions().isEmpty());
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
        assertEquals(1, q.conditions().size());
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
        InstanceException e = rejected(() -> queue("state) OR 1=1 --=x"));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown field"));
        // ... while in values it is just a value
        assertEquals(List.of("x' OR '1'='1"), QuerySql.where(queue("name=x' OR '1'='1")).parameters());
    }

    @Test
    public void termWithoutOperatorIsRejectedWithHelp() {
        InstanceException e = rejected(() -> queue("nameLIKEfoo"));
        assertTrue(e.detail(), e.detail().contains("field=value"));
        rejected(() -> queue("=ready"));
    }

    @Test
    public void orAndNqTermsAreExplained() {
        InstanceException e = rejected(() -> queue("state=ready^ORstate=error"));
        assertTrue(e.getMessage(), e.getMessage().contains("OR and NQ"));
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
