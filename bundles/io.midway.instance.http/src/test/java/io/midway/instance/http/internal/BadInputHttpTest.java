package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.FieldLimits;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

/**
 * Bad input is a 4xx with the error shape, never a 500: sent over raw sockets to the whole server
 * (every API servlet, a console-like page, the {@link io.midway.instance.http.internal.BadInputGuard}).
 */
public class BadInputHttpTest extends WholeServerFixture {

    private RawHttp.Answer send(String method, String target, String credentials, String contentType, String body)
            throws Exception {
        List<String> headers = new ArrayList<>();
        if (credentials != null) {
            headers.add("Authorization: " + RawHttp.basic(credentials));
        }
        byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        if (bytes != null) {
            headers.add("Content-Type: " + contentType);
            headers.add("Content-Length: " + bytes.length);
        }
        return RawHttp.exchange(port, RawHttp.request(method + " " + target + " HTTP/1.1", headers, bytes), 10_000);
    }

    private RawHttp.Answer raw(String requestLine, String credentials, List<String> headers, String body)
            throws Exception {
        List<String> all = new ArrayList<>(headers);
        if (credentials != null) {
            all.add("Authorization: " + RawHttp.basic(credentials));
        }
        return RawHttp.exchange(port, RawHttp.request(requestLine, all,
                body == null ? null : body.getBytes(StandardCharsets.ISO_8859_1)), 10_000);
    }

    /** Asserts the status and the error shape; returns "message | detail". */
    private static String error(RawHttp.Answer answer, int status) throws Exception {
        assertEquals(answer.text(), status, answer.status());
        JsonNode body = Json.mapper().readTree(answer.body());
        assertEquals(answer.text(), "failure", body.path("status").asText());
        assertTrue(answer.text(), body.path("error").path("message").isTextual());
        assertTrue(answer.text(), body.path("error").path("detail").isTextual());
        assertFalse("no stack trace: " + answer.text(), answer.text().contains("\tat ")
                || answer.text().contains("Exception"));
        return body.path("error").path("message").asText() + " | " + body.path("error").path("detail").asText();
    }

    private String json(String credentials, String path, String body) throws Exception {
        RawHttp.Answer a = send("POST", path, credentials, "application/json", body);
        assertTrue(a.text(), a.status() == 200 || a.status() == 201);
        return a.body();
    }

    @Test
    public void badPercentEscapesInQueryPathAndFormAre400() throws Exception {
        assertTrue(error(send("GET", "/api/now/table/ecc_queue?sysparm_query=%zz", ADMIN, null, null), 400)
                .contains("malformed query string | invalid %-escape '%zz'"));
        error(send("GET", "/api/mid/ecc/poll?agent=%zz", AGENT, null, null), 400);
        error(send("GET", "/api/mid/ecc/poll?agent=m1%", AGENT, null, null), 400);
        assertTrue(error(send("GET", "/api/now/table/ecc_queue?sysparm_query=name=%C3%28", ADMIN, null, null), 400)
                .contains("UTF-8"));
        error(send("GET", "/system/console/agents?x=%zz", ADMIN, null, null), 400);
        // without credentials too: the query is refused before anything else is looked at
        error(send("GET", "/api/now/table/ecc_queue?%zz", null, null, null), 400);
        // a bad escape in the path: Jetty refuses it before any servlet
        assertEquals(400, send("GET", "/api/now/table/%zz", ADMIN, null, null).status());
        assertEquals(400, send("GET", "/system/console/%zz", ADMIN, null, null).status());
        // a form body that does not decode, to a page that reads its parameters
        assertTrue(error(send("POST", "/system/console/agents", ADMIN, "application/x-www-form-urlencoded",
                "action=%zz"), 400).startsWith("malformed request"));
        error(send("POST", "/api/now/table/ecc_queue", ADMIN, "application/x-www-form-urlencoded", "a=%zz"), 400);
        // and a good one still works
        assertEquals("action=pause", send("POST", "/system/console/agents", ADMIN,
                "application/x-www-form-urlencoded", "action=pause").body());
        assertEquals(200, send("GET", "/api/now/table/ecc_queue?sysparm_query=name%3Dx%5Etopic%3Dy", ADMIN, null, null)
                .status());
    }

    @Test
    public void shortBodiesAndBrokenChunksAre400() throws Exception {
        for (String[] target : new String[][] {{"/api/mid/ecc/input", AGENT}, {"/api/now/table/ecc_queue", ADMIN},
                {"/api/mid/agents/register", AGENT}, {"/api/mid/admin/files?kind=probe", ADMIN},
                {"/api/mid/admin/upgrade", ADMIN}, {"/system/console/agents", ADMIN}}) {
            String type = target[0].startsWith("/system") ? "application/x-www-form-urlencoded" : "application/json";
            String shortBody = error(raw("POST " + target[0] + " HTTP/1.1", target[1],
                    List.of("Content-Type: " + type, "Content-Length: 100"), "{\"records\":["), 400);
            assertTrue(target[0] + ": " + shortBody, shortBody.contains("request body")
                    || shortBody.startsWith("malformed request"));
            error(raw("POST " + target[0] + " HTTP/1.1", target[1],
                    List.of("Content-Type: " + type, "Transfer-Encoding: chunked"), "zz\r\nabc\r\n0\r\n\r\n"), 400);
        }
        // a well-formed chunked body is read as usual
        RawHttp.Answer chunked = raw("POST /api/mid/agents/register HTTP/1.1", AGENT,
                List.of("Content-Type: application/json", "Transfer-Encoding: chunked"), "e\r\n{\"name\":\"m1\"}\r\n0\r\n\r\n");
        assertEquals(chunked.text(), 201, chunked.status());
    }

    @Test
    public void bodiesThatAreNotJsonOrOfTheWrongShapeAre400() throws Exception {
        assertTrue(error(send("POST", "/api/mid/ecc/input", AGENT, "application/json", "not json"), 400)
                .contains("malformed JSON"));
        assertTrue(error(send("POST", "/api/mid/ecc/input", AGENT, "application/json", "[1]"), 400).contains("object"));
        error(send("POST", "/api/mid/ecc/input", AGENT, "application/json", "{\"records\":[1,\"x\"]}"), 400);
        error(send("POST", "/api/now/table/ecc_queue", ADMIN, "application/json",
                "{\"agent\":\"mid.server.m1\",\"topic\":\"T\",\"priority\":99999999999999999999}"), 400);
        error(send("POST", "/api/now/table/ecc_queue", ADMIN, "application/json",
                "{\"agent\":\"mid.server.m1\",\"topic\":\"T\",\"priority\":1e400}"), 400);
        error(send("POST", "/api/now/table/ecc_queue", ADMIN, "application/json",
                "{\"agent\":[],\"topic\":{}}"), 400);
        error(send("GET", "/api/now/table/ecc_queue?sysparm_limit=99999999999999999999", ADMIN, null, null), 400);
        error(send("GET", "/api/mid/ecc/poll?agent=m1&max=99999999999999999999", AGENT, null, null), 400);
        error(send("GET", "/api/mid/events?since=1e99", ADMIN, null, null), 400);
    }

    @Test
    public void oddMethodsAre405NeverA500() throws Exception {
        for (String path : List.of("/system/console/agents.json", "/system/console/bundles", "/system/console/agents")) {
            RawHttp.Answer options = send("OPTIONS", path, ADMIN, null, null);
            assertTrue(error(options, 405).contains("pages take GET, HEAD, POST"));
            assertEquals("GET, HEAD, POST", options.header("Allow"));
            error(send("TRACE", path, ADMIN, null, null), 405);
            error(send("FOO", path, ADMIN, null, null), 405);
            error(send("OPTIONS", path, null, null, null), 405);
            assertEquals(405, send("PUT", path, ADMIN, "application/json", "{}").status());
            assertEquals(200, send("HEAD", path, ADMIN, null, null).status());
        }
        for (String path : List.of("/api/now/table/ecc_queue", "/api/mid/ecc/poll?agent=m1", "/api/mid/instance_info",
                "/api/mid/ecc/input", "/api/mid/admin/files", "/api/now/stats/ecc_queue", "/api/no/such/path")) {
            for (String method : List.of("OPTIONS", "TRACE", "PUT", "HEAD", "CONNECT", "FOO")) {
                RawHttp.Answer a = send(method, path, ADMIN, null, null);
                assertTrue(method + " " + path + ": " + a.text(), a.status() >= 400 && a.status() < 500);
                // HEAD has no body; Jetty itself refuses a CONNECT whose target is a path (400, before any filter)
                if (!"HEAD".equals(method) && !"CONNECT".equals(method)) {
                    error(a, a.status());
                }
            }
        }
        // the Web Console's components page answers a POST naming no component with a bare 500
        assertTrue(error(send("POST", "/system/console/components", ADMIN, "application/x-www-form-urlencoded",
                "action=enable"), 400).startsWith("name a component"));
        RawHttp.Answer options = send("OPTIONS", "/api/now/table/ecc_queue", ADMIN, null, null);
        assertEquals("GET, POST", options.header("Allow"));
    }

    @Test
    public void fieldsLongerThanTheirColumnAre400NamingFieldAndLimit() throws Exception {
        register("m1");
        String longTopic = "T".repeat(FieldLimits.TOPIC + 1);
        assertEquals("field 'topic' is longer than 300 characters | got 301 characters", error(send("POST",
                "/api/now/table/ecc_queue", ADMIN, "application/json",
                "{\"agent\":\"mid.server.m1\",\"topic\":\"" + longTopic + "\"}"), 400));
        assertTrue(error(send("POST", "/api/now/table/ecc_queue", ADMIN, "application/json",
                "[{\"agent\":\"mid.server.m1\",\"topic\":\"T\"},{\"agent\":\"mid.server.m1\",\"topic\":\"T\","
                        + "\"response_to\":\"" + "r".repeat(65) + "\"}]"), 400)
                .startsWith("records[1]: field 'response_to' is longer than 64 characters"));
        assertTrue(error(send("POST", "/api/now/table/ecc_agent_cluster", ADMIN, "application/json",
                "{\"name\":\"" + "c".repeat(201) + "\",\"type\":\"failover\"}"), 400).contains("name"));
        // what no check up front catches, the store's refusal names: a host name over its 300 characters
        assertEquals("field 'host_name' is longer than 300 characters | nothing was stored", error(send("POST",
                "/api/mid/agents/register", AGENT, "application/json",
                "{\"name\":\"m2\",\"host_name\":\"" + "h".repeat(301) + "\"}"), 400));
        assertTrue(service.outputs().records(io.midway.instance.api.TableQuery.parse(
                io.midway.instance.api.TableSchema.ECC_QUEUE, null, null, null, null)).isEmpty());
    }

    @Test
    public void oneBadRecordOfAnInputBatchIsRefusedAndTheOthersAreStored() throws Exception {
        register("m1");
        QueueRecord a = insert("m1", "TCPScan", 2);
        QueueRecord b = insert("m1", "TCPScan", 2);
        JsonNode reply = Json.mapper().readTree(json(AGENT, "/api/mid/ecc/input", "{\"records\":["
                + "{\"response_to\":\"" + a.sysId() + "\",\"payload\":{\"ok\":true}},"
                + "{\"response_to\":\"" + b.sysId() + "\",\"topic\":\"" + "T".repeat(301) + "\"},"
                + "{\"response_to\":\"nope\"}]}"));
        JsonNode results = reply.path("result");
        assertEquals(reply.toString(), 3, results.size());
        assertEquals("inserted", results.get(0).path("status").asText());
        assertFalse(results.get(0).has("error"));
        assertEquals("refused", results.get(1).path("status").asText());
        assertEquals(b.sysId(), results.get(1).path("response_to").asText());
        assertTrue(results.get(1).path("sys_id").isNull());
        assertEquals("field 'records[1].topic' is longer than 300 characters", results.get(1).path("error").asText());
        assertEquals("refused", results.get(2).path("status").asText());
        assertTrue(results.get(2).path("error").asText().contains("'nope' names no output record"));
        assertEquals("processed", record(a.sysId()).state());
        assertEquals("ready", record(b.sysId()).state());
        // a batch holding nothing but refused records: 400, as before
        assertTrue(error(send("POST", "/api/mid/ecc/input", AGENT, "application/json",
                "{\"records\":[{\"response_to\":\"" + b.sysId() + "\",\"topic\":\"" + "T".repeat(301) + "\"}]}"), 400)
                .contains("records[0].topic"));
    }

    @Test
    public void whileTheInstanceStartsTheApiAnswers503WithRetryAfter() throws Exception {
        Server starting = new Server();
        ServerConnector connector = new ServerConnector(starting);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        starting.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        // the InstanceServices is not there yet: the unknown-path servlet is all that is registered
        context.addServlet(new ServletHolder(new io.midway.instance.http.internal.ApiFallbackServlet(null)), "/api/*");
        starting.setHandler(context);
        starting.start();
        try {
            int startingPort = connector.getLocalPort();
            for (String target : List.of("/api/mid/ecc/poll?agent=m1", "/api/now/table/ecc_queue",
                    "/api/mid/instance_info")) {
                RawHttp.Answer a = RawHttp.exchange(startingPort, RawHttp.request("GET " + target + " HTTP/1.1",
                        List.of("Authorization: " + RawHttp.basic(AGENT)), null), 5000);
                assertTrue(error(a, 503).startsWith("the instance is starting"));
                assertEquals(String.valueOf(io.midway.instance.http.internal.ApiFallbackServlet.RETRY_AFTER_SECONDS), a.header("Retry-After"));
            }
        } finally {
            starting.stop();
        }
        // once up, an unknown path is a 404
        error(send("GET", "/api/no/such/path", ADMIN, null, null), 404);
    }
}
