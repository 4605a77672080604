package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.AgentResult;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import jakarta.servlet.Filter;

/**
 * The ECC Queue console page over a real Jetty 12 on 127.0.0.1 with HTTP sessions, the real
 * instance services on H2, and a filter that sets the plugin root as the Web Console does. The
 * client keeps cookies like a browser; agents answer through the real poll service.
 */
public class EccQueueConsolePluginHttpTest extends ServiceFixture {

    private static final String ROOT = "/system/console/ecc-queue";
    private static final Pattern TOKEN = Pattern.compile("name=\"token\" value=\"([0-9a-f]{32})\"");
    private static final Pattern ROW = Pattern.compile("<tr data-sys-id=\"([^\"]+)\">");

    private Server server;
    private String base;
    private HttpClient browser;

    @Before
    public void startServer() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        Filter pluginRoot = (request, response, chain) -> {
            request.setAttribute(AgentConsolePlugin.PLUGIN_ROOT_ATTRIBUTE, ROOT);
            chain.doFilter(request, response);
        };
        context.addFilter(pluginRoot, "/*", null);
        ServletHolder plugin = new ServletHolder(new EccQueueConsolePlugin(service.outputs(), service.agents()));
        context.addServlet(plugin, ROOT);
        context.addServlet(plugin, ROOT + ".json");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
        browser = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).build();
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
    }

    // ---------------------------------------------------------------- helpers

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return browser.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String page(String query) throws Exception {
        HttpResponse<String> r = get(ROOT + (query.isEmpty() ? "" : "?" + query));
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        return r.body();
    }

    private JsonNode json(String query, int status) throws Exception {
        HttpResponse<String> r = get(ROOT + ".json" + (query.isEmpty() ? "" : "?" + query));
        assertEquals(r.body(), status, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return Json.mapper().readTree(r.body());
    }

    private static String token(String html) {
        Matcher m = TOKEN.matcher(html);
        assertTrue("the page carries a form token: " + html, m.find());
        return m.group(1);
    }

    private static List<String> rows(String html) {
        List<String> ids = new ArrayList<>();
        Matcher m = ROW.matcher(html);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> post(Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> q(e.getKey()) + "=" + q(e.getValue()))
                .collect(Collectors.joining("&"));
        return browser.send(HttpRequest.newBuilder(URI.create(base + ROOT)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Follows the POST's redirect as a browser does; returns the page it lands on. */
    private String follow(HttpResponse<String> response) throws Exception {
        assertEquals(response.body(), 303, response.statusCode());
        URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
        assertEquals(ROOT, location.getRawPath());
        HttpResponse<String> page = get(location.getRawPath() + "?" + location.getRawQuery());
        assertEquals(200, page.statusCode());
        return page.body();
    }

    private static Map<String, String> probe(String token, String agent, String topic, String payload) {
        Map<String, String> form = new LinkedHashMap<>();
        if (token != null) {
            form.put("token", token);
        }
        form.put("action", "enqueue");
        form.put("agent", agent);
        form.put("topic", topic);
        form.put("name", "probe name");
        form.put("source", "10.0.0.9");
        form.put("priority", "1");
        form.put("payload", payload);
        return form;
    }

    private long recordCount() {
        return service.outputs().count(TableQuery.all(TableSchema.ECC_QUEUE));
    }

    /** One insert a second, so that "newest first" is well defined. */
    private QueueRecord insertLater(String agent, String topic) {
        clock.advance(Duration.ofSeconds(1));
        return insert(agent, topic, 2);
    }

    // ---------------------------------------------------------------- list, filters, paging

    @Test
    public void filtersNarrowTheListNewestFirst() throws Exception {
        register("dc-1");
        register("dc-2");
        QueueRecord scan1 = insertLater("dc-1", "TCPScan");
        QueueRecord snmp1 = insertLater("dc-1", "SNMP");
        QueueRecord scan2 = insertLater("dc-2", "TCPScanDeep");
        clock.advance(Duration.ofHours(1));
        QueueRecord late = insertLater("dc-2", "SNMP");
        service.polls().poll("dc-2", 10); // leases scan2 and late: processing

        String all = page("");
        assertEquals(List.of(late.sysId(), scan2.sysId(), snmp1.sysId(), scan1.sysId()), rows(all));
        assertTrue(all, all.contains("4 records match"));
        assertTrue("the agent select offers every agent",
                all.contains("<option value=\"mid.server.dc-1\">") && all.contains("<option value=\"mid.server.dc-2\">"));

        assertEquals(List.of(snmp1.sysId(), scan1.sysId()), rows(page("agent=" + q("mid.server.dc-1"))));
        assertEquals(List.of(scan2.sysId(), scan1.sysId()), rows(page("topic=TCPScan")));
        assertEquals(List.of(late.sysId(), scan2.sysId()), rows(page("state=processing")));
        assertEquals(List.of(snmp1.sysId(), scan1.sysId()), rows(page("state=ready")));
        assertEquals(List.of(scan2.sysId()), rows(page("agent=" + q("mid.server.dc-2") + "&topic=TCP")));
        assertEquals(List.of(late.sysId()), rows(page("created_after=" + q(late.sysCreatedOn()))));
        assertEquals(List.of(scan2.sysId(), snmp1.sysId()),
                rows(page("created_after=" + q(snmp1.sysCreatedOn()) + "&created_before=" + q(scan2.sysCreatedOn()))));
        assertEquals(List.of(), rows(page("queue=input")));
        String filtered = page("agent=" + q("mid.server.dc-1") + "&topic=SN");
        assertTrue(filtered, filtered.contains("1 record matches"));
        assertTrue("the filter stays in the form", filtered.contains("<option value=\"mid.server.dc-1\" selected>")
                && filtered.contains("name=\"topic\" value=\"SN\""));
        assertTrue("the page shows the Table API query that agrees",
                filtered.contains("sysparm_query=agent=mid.server.dc-1^topicSTARTSWITHSN^ORDERBYDESCsys_created_on"));

        // the same query on the Table API's own parser and the same service gives the same records
        List<QueueRecord> api = service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "agent=mid.server.dc-1^topicSTARTSWITHSN^ORDERBYDESCsys_created_on", null, null, null));
        assertEquals(List.of(snmp1.sysId()), api.stream().map(QueueRecord::sysId).toList());

        String bad = page("created_after=yesterday");
        assertTrue(bad, bad.contains("The filter is refused: &#39;created_after&#39; must be a time"));
        assertEquals(List.of(), rows(bad));
        JsonNode badJson = json("created_after=yesterday", 400);
        assertTrue(badJson.toString(), badJson.path("error").asText().contains("created_after"));
    }

    @Test
    public void pagesFiftyAtATimeWithNextAndPrevious() throws Exception {
        register("dc-1");
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            newestFirst.add(0, insertLater("dc-1", "Page").sysId());
        }
        String first = page("topic=Page");
        assertEquals(newestFirst.subList(0, 50), rows(first));
        assertTrue(first, first.contains("120 records match; showing 1–50"));
        assertFalse(first, first.contains("rel=\"prev\""));
        assertTrue(first, first.contains("<a rel=\"next\" href=\"" + ROOT + "?topic=Page&amp;offset=50\">"));

        String second = page("topic=Page&offset=50");
        assertEquals(newestFirst.subList(50, 100), rows(second));
        assertTrue(second, second.contains("<a rel=\"prev\" href=\"" + ROOT + "?topic=Page\">"));
        assertTrue(second, second.contains("<a rel=\"next\" href=\"" + ROOT + "?topic=Page&amp;offset=100\">"));

        String last = page("topic=Page&offset=100");
        assertEquals(newestFirst.subList(100, 120), rows(last));
        assertFalse(last, last.contains("rel=\"next\""));

        JsonNode json = json("topic=Page&offset=100&limit=10", 200);
        assertEquals(120, json.path("total").asInt());
        assertEquals(10, json.path("records").size());
        assertEquals(newestFirst.get(100), json.path("records").get(0).path("sys_id").asText());
        assertEquals("topicSTARTSWITHPage^ORDERBYDESCsys_created_on", json.path("query").asText());
    }

    // ---------------------------------------------------------------- detail

    @Test
    public void detailShowsTheInputOfAnAnsweredOutputAndBack() throws Exception {
        register("dc-1");
        QueueRecord output = insert("dc-1", "TCPScan", 1,
                Json.mapper().readTree("{\"ports\":[22,443],\"note\":\"first\"}"));
        String waiting = page("sys_id=" + output.sysId());
        assertTrue(waiting, waiting.contains("No input answers this record yet."));
        assertTrue("it reloads itself while waiting", waiting.contains("location.reload()"));
        assertTrue(waiting, waiting.contains("&quot;ports&quot; : [ 22, 443 ]"));

        // the agent polls and answers, as it would over /api/mid
        assertEquals(1, service.polls().poll("dc-1", 10).result().size());
        service.polls().input(new AgentResults(List.of(new AgentResult(output.sysId(), null, null, null,
                Json.mapper().readTree("{\"open\":[22]}"), QueueRecord.STATE_PROCESSED, null))));
        QueueRecord input = service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=input^response_to=" + output.sysId(), null, null, null)).get(0);

        String answered = page("sys_id=" + output.sysId());
        assertTrue(answered, answered.contains("<tr><th>state</th><td>processed</td></tr>"));
        assertTrue(answered, answered.contains("<ul id=\"midway-ecc-inputs\">"));
        assertTrue(answered, answered.contains("<a href=\"" + ROOT + "?sys_id=" + input.sysId() + "\">" + input.sysId()
                + "</a> processed"));
        assertTrue(answered, answered.contains("&quot;open&quot; : [ 22 ]"));
        assertFalse("no reload once answered", answered.contains("location.reload()"));
        assertFalse("no cancel on a processed record", answered.contains("value=\"cancel\""));

        String inputPage = page("sys_id=" + input.sysId());
        assertTrue(inputPage, inputPage.contains("<p id=\"midway-ecc-output\"><a href=\"" + ROOT + "?sys_id="
                + output.sysId() + "\">" + output.sysId() + "</a> TCPScan to mid.server.dc-1, processed</p>"));

        JsonNode json = json("sys_id=" + output.sysId(), 200);
        assertEquals("processed", json.path("record").path("state").asText());
        assertEquals(2, json.path("record").path("payload").path("ports").size());
        assertEquals(input.sysId(), json.path("inputs").get(0).path("sys_id").asText());
        assertEquals(output.sysId(), json("sys_id=" + input.sysId(), 200).path("output").path("sys_id").asText());
        json("sys_id=no-such-record", 404);
        assertTrue(page("sys_id=no-such-record").contains("No ECC record has sys_id no-such-record."));
    }

    // ---------------------------------------------------------------- enqueue, cancel, delete

    @Test
    public void theEnqueueFormInsertsAndShowsTheNewRecord() throws Exception {
        register("dc-1");
        String token = token(page(""));
        String shown = follow(post(probe(token, "mid.server.dc-1", "TCPScan", "{\"ports\": [22]}")));

        List<QueueRecord> records = service.outputs().records(TableQuery.all(TableSchema.ECC_QUEUE));
        assertEquals(1, records.size());
        QueueRecord inserted = records.get(0);
        assertEquals("mid.server.dc-1", inserted.agent());
        assertEquals("TCPScan", inserted.topic());
        assertEquals("probe name", inserted.name());
        assertEquals("10.0.0.9", inserted.source());
        assertEquals(Integer.valueOf(1), inserted.priority());
        assertEquals(QueueRecord.STATE_READY, inserted.state());
        assertEquals(22, inserted.payload().path("ports").get(0).asInt());
        assertTrue(shown, shown.contains("Enqueued TCPScan for mid.server.dc-1 as " + inserted.sysId() + "."));
        assertTrue(shown, shown.contains("<tr><th>sys_id</th><td>" + inserted.sysId() + "</td></tr>"));
        assertTrue(shown, shown.contains("No input answers this record yet."));
    }

    @Test
    public void aRefusedProbeIsShownWithItsMessageAndTheValuesAsTyped() throws Exception {
        register("dc-1");
        String token = token(page(""));
        String noTopic = follow(post(probe(token, "mid.server.dc-1", "", "{\"keep\": \"me\"}")));
        assertTrue(noTopic, noTopic.contains("The probe was not enqueued: field &#39;topic&#39; is required"));
        assertTrue(noTopic, noTopic.contains("{&quot;keep&quot;: &quot;me&quot;}</textarea>"));
        assertTrue(noTopic, noTopic.contains("name=\"source\" value=\"10.0.0.9\""));
        assertTrue(noTopic, noTopic.contains("<option value=\"1\" selected>"));

        String badJson = follow(post(probe(token, "mid.server.dc-1", "TCPScan", "{ports: 22")));
        assertTrue(badJson, badJson.contains("The probe was not enqueued: the payload is not JSON"));
        assertTrue(badJson, badJson.contains("{ports: 22</textarea>"));
        assertEquals(0, recordCount());
    }

    @Test
    public void aPostWithoutTheSessionTokenIsForbiddenAndInsertsNothing() throws Exception {
        register("dc-1");
        String token = token(page(""));
        HttpResponse<String> none = post(probe(null, "mid.server.dc-1", "TCPScan", ""));
        assertEquals(403, none.statusCode());
        HttpResponse<String> wrong = post(probe("0".repeat(32), "mid.server.dc-1", "TCPScan", ""));
        assertEquals(403, wrong.statusCode());
        HttpClient stranger = HttpClient.newHttpClient(); // no session cookie, even with a stolen token
        String body = probe(token, "mid.server.dc-1", "TCPScan", "").entrySet().stream()
                .map(e -> q(e.getKey()) + "=" + q(e.getValue())).collect(Collectors.joining("&"));
        HttpResponse<String> foreign = stranger.send(HttpRequest.newBuilder(URI.create(base + ROOT))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, foreign.statusCode());
        assertEquals(0, recordCount());
    }

    @Test
    public void cancelAndDeleteAReadyRecordAndA409IsShown() throws Exception {
        register("dc-1");
        QueueRecord toCancel = insertLater("dc-1", "Cancel");
        QueueRecord toDelete = insertLater("dc-1", "Delete");
        String token = token(page(""));

        String detail = page("sys_id=" + toCancel.sysId());
        assertTrue(detail, detail.contains("name=\"action\" value=\"cancel\""));
        String cancelled = follow(post(Map.of("token", token, "action", "cancel", "sys_id", toCancel.sysId())));
        assertTrue(cancelled, cancelled.contains("Record " + toCancel.sysId() + " cancelled (state processed)."));
        assertEquals(QueueRecord.STATE_PROCESSED, record(toCancel.sysId()).state());

        String deleted = follow(post(Map.of("token", token, "action", "delete", "sys_id", toDelete.sysId())));
        assertTrue(deleted, deleted.contains("Record " + toDelete.sysId() + " deleted."));
        assertTrue(service.outputs().record(toDelete.sysId()).isEmpty());

        // a record an agent holds cannot be cancelled: the 409 is the message
        QueueRecord leased = insertLater("dc-1", "Leased");
        service.polls().poll("dc-1", 10);
        String refused = follow(post(Map.of("token", token, "action", "cancel", "sys_id", leased.sysId())));
        assertTrue(refused, refused.contains("Record " + leased.sysId() + " was not cancelled: "));
        assertTrue(refused, refused.contains("dc-1"));
        assertEquals(QueueRecord.STATE_PROCESSING, record(leased.sysId()).state());
        assertEquals(403, post(Map.of("action", "delete", "sys_id", leased.sysId())).statusCode());
        assertTrue(service.outputs().record(leased.sysId()).isPresent());
    }

    // ---------------------------------------------------------------- escaping

    @Test
    public void scriptInATopicOrPayloadComesBackAsText() throws Exception {
        register("dc-1");
        QueueRecord evil = insert("dc-1", "<script>alert(1)</script>", 2,
                Json.mapper().readTree("{\"x\":\"</pre><script>alert(2)</script>\"}"));
        String list = page("");
        assertFalse(list, list.contains("<script>alert"));
        assertTrue(list, list.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
        String detail = page("sys_id=" + evil.sysId());
        assertFalse(detail, detail.contains("<script>alert"));
        assertFalse(detail, detail.contains("</pre><script>"));
        assertTrue(detail, detail.contains("&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
        String filtered = page("topic=" + q("<script>"));
        assertEquals(List.of(evil.sysId()), rows(filtered));
        assertTrue(filtered, filtered.contains("name=\"topic\" value=\"&lt;script&gt;\""));
        assertEquals("<script>alert(1)</script>", json("", 200).path("records").get(0).path("topic").asText());
    }
}
