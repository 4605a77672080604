package io.midway.instance.internal;

import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;
import io.midway.instance.api.PollResult;

/** {@code POST ecc_queue} with a JSON array: one transaction, all or nothing, on a real H2 store. */
public class BatchInsertTest extends ServiceFixture {

    private static ObjectNode output(String agent, String topic) {
        ObjectNode record = Json.mapper().createObjectNode();
        record.put("agent", agent);
        record.put("topic", topic);
        return record;
    }

    private static InstanceException badRequest(JsonNode body) {
        try {
            OutputRequest.parseBatch(body);
        } catch (InstanceException e) {
            assertEquals(e.getMessage(), InstanceException.Reason.INVALID, e.reason());
            return e;
        }
        fail("expected a 400 for " + body);
        return null;
    }

    private int outputCount() {
        return service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, "queue=output", null, null, null)).size();
    }

    @Test
    public void arrayIsInsertedInOrderAndEachAgentGetsItsRecords() {
        register("m1");
        register("m2");
        ArrayNode body = Json.mapper().createArrayNode();
        for (int i = 0; i < 5; i++) {
            body.add(output("mid.server.m1", "T" + i));
        }
        body.add(output("mid.server.m2", "Other"));
        body.add(output("mid.server.*", "Refresh"));

        List<QueueRecord> stored = service.outputs().insertOutputs(OutputRequest.parseBatch(body));

        assertEquals(7, stored.size());
        for (int i = 0; i < 5; i++) {
            assertEquals("T" + i, stored.get(i).topic());
            assertEquals("mid.server.m1", stored.get(i).agent());
            assertEquals(stored.get(i), record(stored.get(i).sysId()));
        }
        assertEquals("mid.server.*", stored.get(6).agent());
        assertEquals(QueueRecord.STATE_PROCESSED, stored.get(6).state());
        Set<String> ids = new HashSet<>();
        stored.forEach(r -> ids.add(r.sysId()));
        assertEquals("distinct sys_ids", 7, ids.size());
        // 7 asked for + one fan-out copy per agent
        assertEquals(9, outputCount());
        assertEquals("claimed in array order", List.of("T0", "T1", "T2", "T3", "T4", "Refresh"),
                service.polls().poll("m1", 100).result().stream().map(QueueRecord::topic).toList());
        assertEquals(List.of("Other", "Refresh"),
                service.polls().poll("m2", 100).result().stream().map(QueueRecord::topic).sorted().toList());
    }

    @Test
    public void anInvalidElementNamesItsIndexAndNothingIsInserted() {
        register("m1");
        ArrayNode body = Json.mapper().createArrayNode();
        body.add(output("mid.server.m1", "Fine"));
        body.add(output("mid.server.m1", "Fine too"));
        body.add(output("mid.server.m1", "Bad").put("priority", 7));
        InstanceException e = badRequest(body);
        assertTrue(e.getMessage(), e.getMessage().startsWith("records[2]: "));
        assertTrue(e.getMessage(), e.getMessage().contains("priority"));
        assertTrue(e.detail(), e.detail().contains("nothing was inserted"));

        ArrayNode notObject = Json.mapper().createArrayNode().add(output("mid.server.m1", "Fine")).add(42);
        assertTrue(badRequest(notObject).getMessage().startsWith("records[1]: "));
        assertTrue(badRequest(Json.mapper().createArrayNode()).getMessage().contains("empty"));
        assertEquals(0, outputCount());
    }

    @Test
    public void moreThanTenThousandIsRefusedAndLargeArraysAreInserted() {
        register("m1");
        ArrayNode body = Json.mapper().createArrayNode();
        for (int i = 0; i < OutputRequest.MAX_BATCH_RECORDS; i++) {
            body.add(output("mid.server.m1", "T"));
        }
        ArrayNode tooMany = body.deepCopy().add(output("mid.server.m1", "T"));
        InstanceException e = badRequest(tooMany);
        assertTrue(e.detail(), e.detail().contains("10000") && e.detail().contains("10001"));
        try {
            service.outputs().insertOutputs(new ArrayList<>(java.util.Collections.nCopies(10_001,
                    OutputRequest.parse(output("mid.server.m1", "T")))));
            fail("the service refuses more than 10000 too");
        } catch (InstanceException expected) {
            assertEquals(InstanceException.Reason.INVALID, expected.reason());
        }
        assertEquals(0, outputCount());
        assertEquals("10000 is allowed", 10_000, OutputRequest.parseBatch(body).size());

        // more than one JDBC batch chunk (500), without the time of 10000 inserts in the suite
        List<OutputRequest> many = OutputRequest.parseBatch(Json.mapper().createArrayNode()
                .addAll(java.util.Collections.nCopies(1_200, output("mid.server.m1", "T"))));
        List<QueueRecord> stored = service.outputs().insertOutputs(many);
        assertEquals(1_200, stored.size());
        assertEquals(1_200, outputCount());
        assertEquals(stored.get(1_199), record(stored.get(1_199).sysId()));
    }

    @Test
    public void aDatabaseFailureLateInTheBatchRollsBackTheRecordsBeforeIt() {
        register("m1");
        insert("m1", "Before", 2);
        ArrayNode body = Json.mapper().createArrayNode();
        for (int i = 0; i < 600; i++) { // more than one JDBC batch chunk is sent before the failure
            body.add(output("mid.server.m1", "T" + i));
        }
        // valid for the API (at most 300 characters), too long for a topic column narrowed behind its back:
        // the database refuses the last row only after the first JDBC batch chunks were sent
        body.add(output("mid.server.m1", "late-failure"));
        narrowTopicColumn(8);
        List<OutputRequest> batch = OutputRequest.parseBatch(body);
        try {
            service.outputs().insertOutputs(batch);
            fail("the topic column holds 300 characters");
        } catch (RuntimeException expected) {
            // the store's failure
        }
        assertEquals(1, outputCount());
        restartService();
        assertEquals("nothing of the batch was committed", 1, outputCount());
    }

    private void narrowTopicColumn(int length) {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dbDir.resolve("instance") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        ds.setUser("sa");
        ds.setPassword("");
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER TABLE ecc_queue ALTER COLUMN topic VARCHAR(" + length + ")");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void aWaitingPollIsWokenOnceWithTheWholeBatch() throws Exception {
        register("m1");
        CompletableFuture<PollResult> waiting = service.polls().longPoll("m1", 1000, 10_000);
        assertFalse(waiting.isDone());
        ArrayNode body = Json.mapper().createArrayNode();
        for (int i = 0; i < 50; i++) {
            body.add(output("mid.server.m1", "T" + i));
        }
        service.outputs().insertOutputs(OutputRequest.parseBatch(body));
        PollResult reply = waiting.get(5, TimeUnit.SECONDS);
        assertEquals("the poll is woken after the commit and sees the whole batch", 50, reply.result().size());
    }
}
