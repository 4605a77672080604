package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.InstanceEvent;
import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import jakarta.servlet.Filter;

/**
 * The Events console page over a real Jetty 12 on 127.0.0.1 and the real instance services on H2;
 * events are made by the services (registrations, an ECC record deleted) and stored as the core
 * stores them.
 */
public class EventsConsolePluginHttpTest extends ServiceFixture {

    private static final String ROOT = "/system/console/events";
    private static final Pattern ROW = Pattern.compile("<tr data-seq=\"(\\d+)\">");

    private Server server;
    private String base;
    private final HttpClient client = HttpClient.newHttpClient();

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
        ServletHolder plugin = new ServletHolder(new EventsConsolePlugin(service.events()));
        context.addServlet(plugin, ROOT);
        context.addServlet(plugin, ROOT + ".json");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String page(String query) throws Exception {
        HttpResponse<String> r = get(ROOT + (query.isEmpty() ? "" : "?" + query));
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        return r.body();
    }

    private static List<Long> rows(String html) {
        List<Long> seqs = new ArrayList<>();
        Matcher m = ROW.matcher(html);
        while (m.find()) {
            seqs.add(Long.parseLong(m.group(1)));
        }
        return seqs;
    }

    private InstanceEvent event(String name, String agent, String detail) {
        return service.core().writeStore(s -> s.insertEvent(name, agent, "2026-03-01 10:00:00", detail));
    }

    private static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    public void newestFirstAndFilteredByKindAgentAndText() throws Exception {
        register("dc-1"); // mid_server.up, by the registry
        register("dc-2");
        InstanceEvent down = event(InstanceEvent.MID_SERVER_DOWN, "dc-1", "silent since 10:00");
        InstanceEvent applied = event(InstanceEvent.FILE_SYNC_APPLIED, "dc-2", "revision 7 applied");
        InstanceEvent failed = event(InstanceEvent.FILE_SYNC_FAILED, "dc-1", "Revision 8: disk full");

        List<Long> all = rows(page(""));
        assertEquals(5, all.size());
        assertEquals(List.of(failed.seq(), applied.seq(), down.seq()), all.subList(0, 3));

        assertEquals(List.of(down.seq()), rows(page("kind=" + InstanceEvent.MID_SERVER_DOWN)));
        assertEquals(List.of(failed.seq(), applied.seq()), rows(page("kind=file_sync")));
        List<Long> dc1 = rows(page("agent=dc-1"));
        assertEquals(3, dc1.size());
        assertEquals(List.of(failed.seq(), down.seq()), dc1.subList(0, 2));
        assertEquals(List.of(failed.seq(), applied.seq()), rows(page("text=REVISION")));
        assertEquals(List.of(failed.seq()), rows(page("agent=dc-1&text=revision")));
        String shown = page("kind=file_sync&agent=dc-2");
        assertTrue(shown, shown.contains("<td>file_sync.applied</td><td>dc-2</td><td>revision 7 applied</td>"));
        assertTrue(shown, shown.contains("name=\"agent\" value=\"dc-2\""));

        JsonNode json = Json.mapper().readTree(get(ROOT + ".json?kind=file_sync").body());
        assertEquals(2, json.path("events").size());
        assertEquals(failed.seq(), json.path("events").get(0).path("seq").asLong());
        assertEquals("Revision 8: disk full", json.path("events").get(0).path("detail").asText());
        assertTrue(json.path("next_before").isNull());
    }

    @Test
    public void pagesOlderEventsAcrossReadWindows() throws Exception {
        List<Long> newestFirst = new ArrayList<>();
        for (int i = 0; i < 2600; i++) {
            newestFirst.add(0, event(i % 2 == 0 ? InstanceEvent.MID_SERVER_UP : InstanceEvent.MID_SERVER_DOWN,
                    "a" + (i % 3), "event " + i).seq());
        }
        String first = page("");
        assertEquals(newestFirst.subList(0, 50), rows(first));
        long cursor = newestFirst.get(49);
        assertTrue(first, first.contains("<a rel=\"next\" href=\"" + ROOT + "?before=" + cursor + "\">"));
        String second = page("before=" + cursor);
        assertEquals(newestFirst.subList(50, 100), rows(second));
        assertTrue(second, second.contains("<a rel=\"first\" href=\"" + ROOT + "\">"));

        // only the down events of agent a1 (one in six), past the first read window of 1000
        List<Long> expected = new ArrayList<>();
        for (int i = 2599; i >= 0; i--) {
            if (i % 2 == 1 && i % 3 == 1) {
                expected.add(newestFirst.get(2599 - i));
            }
        }
        JsonNode page1 = Json.mapper().readTree(get(ROOT + ".json?kind=mid_server.down&agent=a1&limit=300").body());
        assertEquals(300, page1.path("events").size());
        List<Long> got = new ArrayList<>();
        page1.path("events").forEach(e -> got.add(e.path("seq").asLong()));
        long next = page1.path("next_before").asLong();
        JsonNode page2 = Json.mapper().readTree(get(ROOT + ".json?kind=mid_server.down&agent=a1&limit=300&before=" + next)
                .body());
        page2.path("events").forEach(e -> got.add(e.path("seq").asLong()));
        assertEquals(expected, got);
        assertTrue(page2.toString(), page2.path("next_before").isNull());
        assertFalse(page("kind=mid_server.down&agent=a1&limit=300&before=" + next).contains("rel=\"next\""));
    }

    @Test
    public void scriptInAnEventIsShownAsText() throws Exception {
        event(InstanceEvent.ECC_RECORD_DELETED, "<b>x</b>", "output 1 (<script>alert(1)</script>) deleted");
        String html = page("text=" + q("<script>"));
        assertEquals(1, rows(html).size());
        assertFalse(html, html.contains("<script>alert"));
        assertTrue(html, html.contains("<td>&lt;b&gt;x&lt;/b&gt;</td><td>output 1 (&lt;script&gt;alert(1)&lt;/script&gt;) deleted</td>"));
        assertTrue(html, html.contains("name=\"text\" value=\"&lt;script&gt;\""));
    }
}
