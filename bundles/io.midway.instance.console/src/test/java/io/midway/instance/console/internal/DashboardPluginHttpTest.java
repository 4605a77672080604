package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.instance.api.QueueRecord;
import io.midway.instance.internal.ServiceFixture;

/**
 * The Dashboard over a real Jetty on 127.0.0.1 and the real instance services (H2): what an
 * operator reads there — agents by status, the queue's depth by state and priority, items per
 * second from the history, the oldest waiting output, the latest events — in HTML and JSON.
 */
public class DashboardPluginHttpTest extends ServiceFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Server server;
    private String base;
    private QueueHistory history;
    /** The history's clock: a minute further at each sample. */
    private final AtomicLong now = new AtomicLong(Instant.parse("2026-12-07T10:00:00Z").toEpochMilli());
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Before
    public void startServer() throws Exception {
        Clock minutes = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.getAndAdd(60_000));
            }
        };
        history = new QueueHistory(service.outputs(), minutes);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder plugin = new ServletHolder(new DashboardPlugin(service.agents(), service.outputs(), service.events(),
                history));
        context.addServlet(plugin, "/system/console/dashboard");
        context.addServlet(plugin, "/system/console/dashboard.json");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    public void showsAgentsQueueDepthRatesTheOldestWaitingOutputAndEvents() throws Exception {
        register("m1");
        register("m2");
        history.sample();
        List<QueueRecord> outputs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            outputs.add(insert("m1", i == 0 ? "<script>alert(1)</script>" : "TCPScan", i < 2 ? 0 : 2));
        }
        // m1 takes two (the interactive ones) and answers one: 1 processing, 1 answered
        List<QueueRecord> taken = service.polls().poll("m1", 2).result();
        assertEquals(2, taken.size());
        service.polls().input(answers(taken.subList(0, 1)));
        history.sample();

        HttpResponse<String> r = get("/system/console/dashboard.json");
        assertEquals(r.body(), 200, r.statusCode());
        JsonNode d = JSON.readTree(r.body());
        assertEquals(2, d.path("agents_by_status").path("Up").asInt());
        assertEquals(4, depth(d, "ready", 2));
        assertEquals(0, depth(d, "ready", 0));
        assertEquals("leased in memory, shown processing", 1, depth(d, "processing", 0));
        assertEquals(0, depth(d, "error", 2));
        // between the two samples (a minute apart): 6 outputs in, 1 input out
        assertEquals(6 / 60.0, d.path("items_per_second").path("in").asDouble(), 1e-9);
        assertEquals(1 / 60.0, d.path("items_per_second").path("out").asDouble(), 1e-9);
        assertEquals(outputs.get(2).sysId(), d.path("oldest_ready").path("sys_id").asText());
        assertEquals(2, d.path("history").size());
        assertEquals(5, d.path("history").get(1).path("ready").asInt() + d.path("history").get(1).path("processing").asInt());
        assertTrue(d.path("events").toString(), d.path("events").toString().contains("mid_server.up"));

        HttpResponse<String> page = get("/system/console/dashboard");
        assertEquals(200, page.statusCode());
        String html = page.body();
        assertTrue(html.contains("midway-agents-by-status"));
        assertTrue(html.contains("Items per second, last minute: in 0.1, out 0.0"));
        assertTrue(html, html.contains("Oldest waiting output: TCPScan for mid.server.m1"));
        assertTrue(html.contains("<svg"));
        assertTrue(html.contains("window.location.reload()"));
        assertTrue(html.contains("mid_server.up"));
        assertFalse("a topic is text, never markup", html.contains("<script>alert(1)</script>"));
    }

    @Test
    public void anEmptyInstanceSaysSoInsteadOfFailing() throws Exception {
        HttpResponse<String> page = get("/system/console/dashboard");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("No agent has registered yet."));
        assertTrue(page.body().contains("No output is waiting."));
        assertTrue(page.body().contains("The charts fill in as the minutes pass"));
        JsonNode d = JSON.readTree(get("/system/console/dashboard.json").body());
        assertTrue(d.path("oldest_ready").isNull());
        assertTrue(d.path("items_per_second").path("in").isNull());
    }

    private static long depth(JsonNode d, String state, int priority) {
        for (JsonNode row : d.path("queue_depth")) {
            if (state.equals(row.path("state").asText()) && priority == row.path("priority").asInt()) {
                return row.path("count").asLong();
            }
        }
        throw new AssertionError("no depth row " + state + "/" + priority + " in " + d);
    }
}
