package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

/**
 * {@code PATCH}, {@code PUT} and {@code DELETE /api/now/table/ecc_queue/{sys_id}} over a real Jetty
 * on 127.0.0.1: the status codes and messages of each rule.
 */
public class EccRecordEditHttpTest extends WholeServerFixture {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(ADMIN.getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static JsonNode result(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        return Json.mapper().readTree(response.body()).path("result");
    }

    /** Asserts the error shape and status; returns "message | detail". */
    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(response.body(), status, response.statusCode());
        JsonNode body = Json.mapper().readTree(response.body());
        assertEquals(response.body(), "failure", body.path("status").asText());
        assertFalse(response.body(), response.body().contains("Exception"));
        return body.path("error").path("message").asText() + " | " + body.path("error").path("detail").asText();
    }

    private String post(String agent, String topic) throws Exception {
        return result(send("POST", "/api/now/table/ecc_queue", "{\"agent\":\"mid.server." + agent + "\",\"topic\":\""
                + topic + "\",\"source\":\"10.0.0.1\",\"payload\":{\"a\":1}}"), 201).path("sys_id").asText();
    }

    private static final String Q = "/api/now/table/ecc_queue/";

    @Test
    public void patchAndPutChangeAReadyOutput() throws Exception {
        register("m1");
        register("m2");
        String sysId = post("m1", "TCPScan");
        JsonNode patched = result(send("PATCH", Q + sysId, "{\"priority\":\"0\",\"name\":\"renamed\",\"payload\":[1,2]}"), 200);
        assertEquals(sysId, patched.path("sys_id").asText());
        assertEquals(0, patched.path("priority").asInt());
        assertEquals("renamed", patched.path("name").asText());
        assertEquals("[1,2]", patched.path("payload").toString());
        assertEquals("the whole record", "TCPScan", patched.path("topic").asText());
        assertEquals("ready", patched.path("state").asText());
        JsonNode put = result(send("PUT", "/api/now/v2/table/ecc_queue/" + sysId, "{\"agent\":\"mid.server.m2\"}"), 200);
        assertEquals("mid.server.m2", put.path("agent").asText());
        assertEquals("renamed", put.path("name").asText());
        assertEquals(put, result(send("GET", Q + sysId, null), 200));
        assertEquals(List.of(sysId), ids(service.polls().poll("m2", 5).result()));
    }

    @Test
    public void cancelAndDeleteAnswer200And204() throws Exception {
        register("m1");
        String cancel = post("m1", "TCPScan");
        JsonNode cancelled = result(send("PATCH", Q + cancel, "{\"state\":\"processed\"}"), 200);
        assertEquals("processed", cancelled.path("state").asText());
        assertFalse(cancelled.path("processed").asText().isEmpty());
        String gone = post("m1", "TCPScan");
        HttpResponse<String> deleted = send("DELETE", Q + gone, null);
        assertEquals(deleted.body(), 204, deleted.statusCode());
        assertEquals("", deleted.body());
        assertTrue(error(send("GET", Q + gone, null), 404).startsWith("No Record found"));
        assertTrue("nothing delivered", service.polls().poll("m1", 5).result().isEmpty());
        assertEquals(204, send("DELETE", Q + cancel, null).statusCode());
        List<String> names = service.events().events(0, 100).stream().map(e -> e.name()).toList();
        assertTrue(names.toString(), names.contains(InstanceEvent.ECC_RECORD_UPDATED));
        assertTrue(names.toString(), names.contains(InstanceEvent.ECC_RECORD_DELETED));
    }

    @Test
    public void badChangesAre400NamingTheReason() throws Exception {
        register("m1");
        String sysId = post("m1", "TCPScan");
        assertTrue(error(send("PATCH", Q + sysId, "{\"response_to\":\"x\"}"), 400)
                .startsWith("field 'response_to' cannot be changed"));
        assertTrue(error(send("PATCH", Q + sysId, "{\"selection\":\"x\"}"), 400)
                .startsWith("field 'selection' cannot be changed"));
        assertTrue(error(send("PATCH", Q + sysId, "{\"colour\":\"red\"}"), 400).contains("'colour'"));
        assertTrue(error(send("PATCH", Q + sysId, "{\"priority\":5}"), 400).startsWith("field 'priority' must be 0, 1 or 2"));
        assertTrue(error(send("PATCH", Q + sysId, "{\"state\":\"processing\"}"), 400).contains("'state'"));
        assertTrue(error(send("PATCH", Q + sysId, "{\"agent\":\"somebody\"}"), 400).contains("'agent'"));
        assertTrue(error(send("PATCH", Q + sysId, "[1]"), 400).contains("JSON object"));
        assertEquals("unchanged by refused changes", QueueRecord.STATE_READY, record(sysId).state());
        assertEquals(Integer.valueOf(2), record(sysId).priority());
    }

    @Test
    public void leasedAndProcessedRecordsAre409AndUnknownOnes404() throws Exception {
        register("m1");
        String sysId = post("m1", "TCPScan");
        assertEquals(1, service.polls().poll("m1", 5).result().size());
        String leased = error(send("PATCH", Q + sysId, "{\"state\":\"processed\"}"), 409);
        assertTrue(leased, leased.contains("mid.server.m1") && leased.contains("once the agent answers or the lease ends"));
        assertTrue(error(send("DELETE", Q + sysId, null), 409).contains("mid.server.m1"));
        service.polls().input(answers(List.of(record(sysId))));
        assertTrue(error(send("PATCH", Q + sysId, "{\"priority\":1}"), 409).startsWith("the record is already processed"));
        String input = service.outputs().record(sysId).map(r -> service.core().read(s -> s.findInputFor(r.sysId())))
                .orElseThrow().orElseThrow().sysId();
        assertTrue(error(send("PATCH", Q + input, "{\"name\":\"x\"}"), 400)
                .startsWith("field 'name' of an input cannot be changed"));
        assertEquals(204, send("DELETE", Q + input, null).statusCode());
        assertTrue(error(send("PATCH", Q + "0123456789abcdef0123456789abcdef", "{\"priority\":1}"), 404)
                .startsWith("No Record found"));
        assertTrue(error(send("DELETE", Q + "0123456789abcdef0123456789abcdef", null), 404)
                .startsWith("No Record found"));
        HttpResponse<String> post = send("POST", Q + sysId, "{}");
        error(post, 405);
        assertEquals("GET, PATCH, PUT, DELETE", post.headers().firstValue("Allow").orElse(""));
    }
}
