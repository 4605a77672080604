package io.midway.instance.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.console.support.ConsoleHtml;
import io.midway.console.support.WebConsolePlugin;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceEvents;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Events page of the instance's Web Console, at {@code /system/console/events} (menu "Midway"):
 * the instance's events ({@link InstanceEvents}), newest first, filtered by {@code kind} (an event
 * name such as {@code mid_server.down}, or its first part such as {@code mid_server}), {@code agent}
 * (a name) and {@code text} (in the name, agent or detail, any case), 50 a page ({@code limit}, at
 * most 500). Older pages are reached by {@code before} (a sequence number): the page reads the
 * events backwards in windows and stops after {@value #MAX_SCANNED} events, offering to search on.
 * {@code /system/console/events.json} answers the same as JSON.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = EventsConsolePlugin.LABEL, title = "Events", category = "Midway")
public class EventsConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "events";

    /** Events on a page unless {@code limit} says otherwise. */
    static final int PAGE_SIZE = 50;
    /** The most events one page shows. */
    static final int MAX_PAGE_SIZE = 500;
    /** The most events one request reads while looking for matches. */
    static final int MAX_SCANNED = 20_000;
    /** The event kinds the filter offers. */
    static final List<String> KINDS = List.of(InstanceEvent.MID_SERVER_UP, InstanceEvent.MID_SERVER_DOWN,
            InstanceEvent.MID_SERVER_PAUSED, InstanceEvent.MID_SERVER_UPGRADING, InstanceEvent.MID_SERVER_UPGRADE_FAILED,
            InstanceEvent.MID_SERVER_FAILOVER, InstanceEvent.MID_SERVER_CLUSTER_DOWN, InstanceEvent.FILE_SYNC_APPLIED,
            InstanceEvent.FILE_SYNC_FAILED, InstanceEvent.ECC_RECORD_UPDATED, InstanceEvent.ECC_RECORD_DELETED);

    private static final long serialVersionUID = 1L;
    private static final int WINDOW = 1000;

    /**
     * A page of events.
     *
     * @param events the matching events, newest first
     * @param nextBefore the {@code before} of the next (older) page, or 0 when there is none
     * @param scanned how many events were read
     */
    record EventPage(List<InstanceEvent> events, long nextBefore, int scanned) {
    }

    /**
     * The filter.
     *
     * @param kind an event name or its first part, empty for any
     * @param agent an agent name, empty for any
     * @param text text in the name, agent or detail, empty for any
     * @param before only events with a smaller sequence number, 0 for the newest
     * @param limit events on a page
     */
    record Filter(String kind, String agent, String text, long before, int limit) {

        static Filter of(HttpServletRequest request) {
            long before = 0;
            try {
                before = Math.max(0, Long.parseLong(orEmpty(request.getParameter("before")).trim()));
            } catch (NumberFormatException e) {
                before = 0;
            }
            int limit = PAGE_SIZE;
            try {
                limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Integer.parseInt(orEmpty(request.getParameter("limit")).trim())));
            } catch (NumberFormatException e) {
                limit = PAGE_SIZE;
            }
            return new Filter(orEmpty(request.getParameter("kind")).trim(), orEmpty(request.getParameter("agent")).trim(),
                    orEmpty(request.getParameter("text")).trim(), before, limit);
        }

        boolean matches(InstanceEvent e) {
            String name = orEmpty(e.name());
            if (!kind.isEmpty() && !name.equals(kind) && !name.startsWith(kind + ".")) {
                return false;
            }
            if (!agent.isEmpty() && !agent.equals(e.agent())) {
                return false;
            }
            if (text.isEmpty()) {
                return true;
            }
            String needle = text.toLowerCase(Locale.ROOT);
            return name.toLowerCase(Locale.ROOT).contains(needle)
                    || orEmpty(e.agent()).toLowerCase(Locale.ROOT).contains(needle)
                    || orEmpty(e.detail()).toLowerCase(Locale.ROOT).contains(needle);
        }

        Map<String, String> values() {
            Map<String, String> values = new LinkedHashMap<>();
            if (!kind.isEmpty()) {
                values.put("kind", kind);
            }
            if (!agent.isEmpty()) {
                values.put("agent", agent);
            }
            if (!text.isEmpty()) {
                values.put("text", text);
            }
            if (limit != PAGE_SIZE) {
                values.put("limit", Integer.toString(limit));
            }
            return values;
        }

        String queryString(long newBefore) {
            Map<String, String> values = values();
            if (newBefore > 0) {
                values.put("before", Long.toString(newBefore));
            }
            StringBuilder text = new StringBuilder();
            for (Map.Entry<String, String> e : values.entrySet()) {
                text.append(text.length() == 0 ? "" : "&").append(e.getKey()).append('=')
                        .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            }
            return text.toString();
        }
    }

    private final transient InstanceEvents events;

    /** @param events the instance's events */
    @Activate
    public EventsConsolePlugin(@Reference(name = "events") InstanceEvents events) {
        this.events = events;
    }

    /**
     * @param filter the filter
     * @return the newest matching events below {@code filter.before()}, at most {@code filter.limit()}
     */
    EventPage page(Filter filter) {
        List<InstanceEvent> newest = events.latestEvents(1);
        if (newest.isEmpty()) {
            return new EventPage(List.of(), 0, 0);
        }
        long upper = filter.before() > 0 ? Math.min(filter.before(), newest.get(0).seq() + 1) : newest.get(0).seq() + 1;
        List<InstanceEvent> found = new ArrayList<>();
        int scanned = 0;
        while (upper > 1 && scanned < MAX_SCANNED) {
            long since = Math.max(0, upper - 1 - WINDOW);
            List<InstanceEvent> window = events.events(since, WINDOW);
            for (int i = window.size() - 1; i >= 0; i--) {
                InstanceEvent e = window.get(i);
                if (e.seq() >= upper) {
                    continue;
                }
                scanned++;
                if (filter.matches(e)) {
                    if (found.size() == filter.limit()) {
                        // one more match exists: the next page starts below the last shown
                        return new EventPage(found, found.get(found.size() - 1).seq(), scanned);
                    }
                    found.add(e);
                }
            }
            upper = since + 1;
        }
        // stopped at the oldest event, or after MAX_SCANNED: then the search goes on below
        return new EventPage(found, upper > 1 ? upper : 0, scanned);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Filter filter = Filter.of(request);
        EventPage page = page(filter);
        if (ConsoleRequests.isJsonRequest(request)) {
            ObjectNode json = Json.mapper().createObjectNode();
            ArrayNode array = json.putArray("events");
            for (InstanceEvent e : page.events()) {
                array.addObject().put("seq", e.seq()).put("name", e.name()).put("agent", e.agent())
                        .put("time", e.time()).put("detail", e.detail());
            }
            if (page.nextBefore() > 0) {
                json.put("next_before", page.nextBefore());
            } else {
                json.putNull("next_before");
            }
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
            return;
        }
        if (response.getContentType() == null) {
            response.setContentType("text/html;charset=UTF-8");
        }
        render(response.getWriter(), ConsoleRequests.pluginRoot(request), filter, page);
    }

    private static void render(PrintWriter out, String root, Filter filter, EventPage page) {
        out.println("<div id=\"midway-events\">");
        out.println(AgentConsolePage.heading("Events"));
        out.println("<form id=\"midway-events-filter\" method=\"get\" action=\"" + esc(root) + "\">");
        StringBuilder kinds = new StringBuilder("<option value=\"\">any</option>");
        boolean known = filter.kind().isEmpty();
        for (String kind : KINDS) {
            known |= kind.equals(filter.kind());
            kinds.append(option(kind, kind.equals(filter.kind())));
        }
        if (!known) {
            kinds.append(option(filter.kind(), true));
        }
        out.println("<label>Kind <select name=\"kind\">" + kinds + "</select></label>");
        out.println("<label>Agent <input type=\"text\" name=\"agent\" value=\"" + esc(filter.agent()) + "\"></label>");
        out.println("<label>Text <input type=\"text\" name=\"text\" value=\"" + esc(filter.text()) + "\"></label>");
        out.println("<input type=\"submit\" value=\"Filter\"> <a href=\"" + esc(root) + "\">Clear</a></form>");
        out.println("<p id=\"midway-events-count\">" + page.events().size()
                + (page.events().size() == 1 ? " event" : " events") + ", newest first"
                + (filter.before() > 0 ? ", older than #" + filter.before() : "") + ".</p>");
        out.println("<table class=\"nicetable\" id=\"midway-events-list\"><thead><tr><th>#</th><th>Time (UTC)</th>"
                + "<th>Kind</th><th>Agent</th><th>Detail</th></tr></thead><tbody>");
        for (InstanceEvent e : page.events()) {
            out.println("<tr data-seq=\"" + e.seq() + "\"><td>" + e.seq() + "</td><td>" + esc(e.time()) + "</td><td>"
                    + esc(e.name()) + "</td><td>" + esc(e.agent()) + "</td><td>" + esc(e.detail()) + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.print("<p id=\"midway-events-pages\">");
        if (filter.before() > 0) {
            String first = filter.queryString(0);
            out.print("<a rel=\"first\" href=\"" + esc(first.isEmpty() ? root : root + "?" + first) + "\">&larr; newest</a> ");
        }
        if (page.nextBefore() > 0) {
            out.print("<a rel=\"next\" href=\"" + esc(root + "?" + filter.queryString(page.nextBefore()))
                    + "\">older &rarr;</a>");
        }
        out.println("</p></div>");
    }

    private static String option(String value, boolean selected) {
        return "<option value=\"" + esc(value) + "\"" + (selected ? " selected" : "") + ">" + esc(value) + "</option>";
    }

    private static String esc(String text) {
        return ConsoleHtml.escape(text);
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
