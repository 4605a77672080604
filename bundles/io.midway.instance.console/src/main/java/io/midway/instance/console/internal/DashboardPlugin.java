package io.midway.instance.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.console.support.ConsoleHtml;
import io.midway.console.support.WebConsolePlugin;
import io.midway.instance.api.Agent;
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.EccQueue;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceEvents;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Dashboard of the instance's Web Console ({@code /system/console/dashboard}, menu "Midway"):
 * the agents by status, the queue's depth by state and priority, items per second in and out
 * over the last minute, the oldest waiting output, charts of the last hour (queue depth, items out
 * per second; {@link QueueHistory}) and the latest events. It reloads itself every
 * {@value #REFRESH_SECONDS} s. {@code /system/console/dashboard.json} answers the same as JSON.
 * It reads through the instance API only and changes nothing.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = DashboardPlugin.LABEL, title = "Dashboard", category = "Midway")
public class DashboardPlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "dashboard";
    /** The page reloads itself this often. */
    static final int REFRESH_SECONDS = 10;
    /** Events shown. */
    static final int EVENTS = 10;

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STORED_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final List<String> STATES = List.of(QueueRecord.STATE_READY, QueueRecord.STATE_PROCESSING,
            QueueRecord.STATE_ERROR);
    private static final List<Integer> PRIORITIES = List.of(0, 1, 2);

    private final transient AgentRegistry agents;
    private final transient EccQueue queue;
    private final transient InstanceEvents events;
    private final transient QueueHistory history;
    private final transient Clock clock;

    /**
     * @param agents the agents
     * @param queue the ECC queue
     * @param events the instance events
     * @param history the queue's last hour
     */
    @Activate
    public DashboardPlugin(@Reference(name = "agents") AgentRegistry agents, @Reference(name = "queue") EccQueue queue,
            @Reference(name = "events") InstanceEvents events, @Reference(name = "history") QueueHistory history) {
        this(agents, queue, events, history, Clock.systemUTC());
    }

    DashboardPlugin(AgentRegistry agents, EccQueue queue, InstanceEvents events, QueueHistory history, Clock clock) {
        this.agents = agents;
        this.queue = queue;
        this.events = events;
        this.history = history;
        this.clock = clock;
    }

    /** What the page shows, also its JSON. */
    record View(Map<String, Long> agentsByStatus, List<Depth> queueDepth, Double itemsInPerSecond,
            Double itemsOutPerSecond, Oldest oldestReady, List<Point> history, List<InstanceEvent> events) {
    }

    /** Outputs in one state at one priority. */
    record Depth(String state, int priority, long count) {
    }

    /** The oldest output waiting for its agent. */
    record Oldest(String sysId, String agent, String topic, String sysCreatedOn, long ageSeconds) {
    }

    /** One minute of the last hour. */
    record Point(String time, long ready, long processing, Double inPerSecond, Double outPerSecond) {
    }

    View view() {
        Map<String, Long> byStatus = new TreeMap<>();
        for (Agent a : agents.agents(TableQuery.all(TableSchema.ECC_AGENT))) {
            byStatus.merge(a.status() == null ? "unknown" : a.status(), 1L, Long::sum);
        }
        List<Depth> depth = new ArrayList<>();
        for (String state : STATES) {
            for (int priority : PRIORITIES) {
                depth.add(new Depth(state, priority,
                        count("queue=output^state=" + state + "^priority=" + priority)));
            }
        }
        List<QueueRecord> oldest = queue.records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=output^state=ready^ORDERBYsys_created_on", null, "1", "0"));
        Oldest oldestReady = oldest.isEmpty() ? null : oldest(oldest.get(0));
        List<Point> points = points(history.samples());
        Point last = points.isEmpty() ? null : points.get(points.size() - 1);
        return new View(byStatus, depth, last == null ? null : last.inPerSecond(), last == null ? null : last.outPerSecond(),
                oldestReady, points, events.latestEvents(EVENTS));
    }

    private long count(String query) {
        return queue.count(TableQuery.parse(TableSchema.ECC_QUEUE, query, null, null, null));
    }

    private Oldest oldest(QueueRecord r) {
        long age = 0;
        try {
            Instant created = LocalDateTime.parse(r.sysCreatedOn(), STORED_TIME).toInstant(ZoneOffset.UTC);
            age = Math.max(0, clock.instant().getEpochSecond() - created.getEpochSecond());
        } catch (DateTimeParseException | NullPointerException e) {
            age = 0;
        }
        return new Oldest(r.sysId(), r.agent(), r.topic(), r.sysCreatedOn(), age);
    }

    /** The samples as points: the rates are the differences to the sample before. */
    static List<Point> points(List<QueueHistory.Sample> samples) {
        List<Point> points = new ArrayList<>();
        QueueHistory.Sample before = null;
        for (QueueHistory.Sample s : samples) {
            Double in = null;
            Double out = null;
            if (before != null && s.epochMs() > before.epochMs()) {
                double seconds = (s.epochMs() - before.epochMs()) / 1000.0;
                in = Math.max(0, s.outputs() - before.outputs()) / seconds;
                out = Math.max(0, s.inputs() - before.inputs()) / seconds;
            }
            points.add(new Point(STORED_TIME.format(Instant.ofEpochMilli(s.epochMs()).atOffset(ZoneOffset.UTC)),
                    s.ready(), s.processing(), in, out));
            before = s;
        }
        return points;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        View view = view();
        String uri = request.getRequestURI();
        if (uri != null && uri.endsWith(".json")) {
            response.setContentType("application/json;charset=UTF-8");
            response.setHeader("Cache-Control", "no-store");
            JSON.writeValue(response.getOutputStream(), json(view));
            return;
        }
        if (response.getContentType() == null) {
            response.setContentType("text/html;charset=UTF-8");
        }
        render(response.getWriter(), view);
    }

    private static Map<String, Object> json(View v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agents_by_status", v.agentsByStatus());
        List<Map<String, Object>> depth = new ArrayList<>();
        for (Depth d : v.queueDepth()) {
            depth.add(Map.of("state", d.state(), "priority", d.priority(), "count", d.count()));
        }
        out.put("queue_depth", depth);
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("in", v.itemsInPerSecond());
        rates.put("out", v.itemsOutPerSecond());
        out.put("items_per_second", rates);
        if (v.oldestReady() == null) {
            out.put("oldest_ready", null);
        } else {
            Oldest o = v.oldestReady();
            out.put("oldest_ready", Map.of("sys_id", o.sysId(), "agent", o.agent(), "topic", o.topic(),
                    "sys_created_on", o.sysCreatedOn(), "age_seconds", o.ageSeconds()));
        }
        List<Map<String, Object>> points = new ArrayList<>();
        for (Point p : v.history()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("time", p.time());
            point.put("ready", p.ready());
            point.put("processing", p.processing());
            point.put("in_per_second", p.inPerSecond());
            point.put("out_per_second", p.outPerSecond());
            points.add(point);
        }
        out.put("history", points);
        List<Map<String, Object>> recent = new ArrayList<>();
        for (InstanceEvent e : v.events()) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("time", e.time());
            event.put("name", e.name());
            event.put("agent", e.agent());
            event.put("detail", e.detail());
            recent.add(event);
        }
        out.put("events", recent);
        return out;
    }

    static void render(PrintWriter w, View v) {
        w.println("<div class=\"midway-dashboard\">");
        w.println("<p>This page reloads itself every " + REFRESH_SECONDS + " s. The same data: <a href=\"" + LABEL
                + ".json\">" + LABEL + ".json</a>.</p>");
        w.println(AgentConsolePage.heading("Agents"));
        if (v.agentsByStatus().isEmpty()) {
            w.println("<p>No agent has registered yet.</p>");
        } else {
            w.println("<table class=\"nicetable midway-agents-by-status\"><tr><th>Status</th><th>Agents</th></tr>");
            v.agentsByStatus().forEach((status, n) -> w.println("<tr><td>" + ConsoleHtml.statusBadge(status, null)
                    + "</td><td>" + n + "</td></tr>"));
            w.println("</table><p><a href=\"agents\">Agents page</a></p>");
        }
        w.println(AgentConsolePage.heading("ECC queue"));
        w.println("<table class=\"nicetable midway-queue-depth\"><tr><th>Outputs</th><th>interactive (0)</th>"
                + "<th>expedited (1)</th><th>standard (2)</th></tr>");
        for (String state : STATES) {
            w.print("<tr><td>" + ConsoleHtml.escape(state) + "</td>");
            for (Depth d : v.queueDepth()) {
                if (d.state().equals(state)) {
                    w.print("<td>" + d.count() + "</td>");
                }
            }
            w.println("</tr>");
        }
        w.println("</table>");
        w.println("<p class=\"midway-rates\">Items per second, last minute: in "
                + rate(v.itemsInPerSecond()) + ", out " + rate(v.itemsOutPerSecond()) + ".</p>");
        if (v.oldestReady() == null) {
            w.println("<p class=\"midway-oldest\">No output is waiting.</p>");
        } else {
            Oldest o = v.oldestReady();
            w.println("<p class=\"midway-oldest\">Oldest waiting output: " + ConsoleHtml.escape(o.topic()) + " for "
                    + ConsoleHtml.escape(o.agent()) + ", created " + ConsoleHtml.escape(o.sysCreatedOn()) + " UTC ("
                    + o.ageSeconds() + " s ago), sys_id " + ConsoleHtml.escape(o.sysId()) + ".</p>");
        }
        w.println(AgentConsolePage.heading("Last hour"));
        if (v.history().size() < 2) {
            w.println("<p>The charts fill in as the minutes pass (one sample a minute since the instance started).</p>");
        }
        chart(w, "Outputs waiting and held (ready + processing)", v.history(), p -> (double) (p.ready() + p.processing()));
        chart(w, "Items out per second (inputs)", v.history(), Point::outPerSecond);
        w.println(AgentConsolePage.heading("Latest events"));
        if (v.events().isEmpty()) {
            w.println("<p>No events yet.</p>");
        } else {
            w.println("<table class=\"nicetable midway-events\"><tr><th>Time</th><th>Event</th><th>Agent</th><th>Detail</th></tr>");
            for (InstanceEvent event : v.events()) {
                w.println("<tr><td>" + ConsoleHtml.escape(event.time()) + "</td><td>" + ConsoleHtml.escape(event.name())
                        + "</td><td>" + ConsoleHtml.escape(event.agent()) + "</td><td>"
                        + ConsoleHtml.escape(event.detail()) + "</td></tr>");
            }
            w.println("</table>");
        }
        w.println("</div>");
        w.println("<script>setTimeout(function () { window.location.reload(); }, " + (REFRESH_SECONDS * 1000) + ");</script>");
    }

    private static String rate(Double perSecond) {
        return perSecond == null ? "not measured yet" : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    /** A line chart as inline SVG: no script, no library. */
    private static void chart(PrintWriter w, String title, List<Point> points,
            java.util.function.Function<Point, Double> value) {
        int width = 600;
        int height = 120;
        double max = 1;
        for (Point p : points) {
            Double y = value.apply(p);
            if (y != null) {
                max = Math.max(max, y);
            }
        }
        StringBuilder line = new StringBuilder();
        int n = points.size();
        for (int i = 0; i < n; i++) {
            Double y = value.apply(points.get(i));
            if (y == null) {
                continue;
            }
            double x = n == 1 ? 0 : (double) i * width / (n - 1);
            double top = height - y / max * (height - 10);
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, top));
        }
        w.println("<figure class=\"midway-chart\"><figcaption>" + ConsoleHtml.escape(title) + " (max "
                + String.format(Locale.ROOT, "%.1f", max) + ")</figcaption>");
        w.println("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                + "\" style=\"border:1px solid #ccc;background:#fafafa\" role=\"img\" aria-label=\"" + ConsoleHtml.escape(title)
                + "\"><polyline fill=\"none\" stroke=\"#31708f\" stroke-width=\"2\" points=\"" + line.toString().trim()
                + "\"/></svg></figure>");
    }
}
