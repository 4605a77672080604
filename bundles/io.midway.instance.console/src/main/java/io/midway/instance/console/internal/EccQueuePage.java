package io.midway.instance.console.internal;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.midway.console.support.ConsoleHtml;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.Json;

/**
 * Renders the ECC Queue page as an HTML fragment the Web Console wraps: the filter, a page of
 * records newest first with previous/next links, a record's detail with its input(s) or output, and
 * the "Enqueue a probe" form. Every value is escaped ({@link ConsoleHtml#escape}).
 */
final class EccQueuePage {

    /** Seconds between reloads of a record's detail while its output waits for an answer. */
    static final int REFRESH_SECONDS = 3;

    /**
     * The "Enqueue a probe" form as typed.
     *
     * @param agent {@code mid.server.NAME}
     * @param topic the topic
     * @param name the name
     * @param source the source
     * @param priority {@code 0}, {@code 1} or {@code 2} as text
     * @param payload the payload as JSON text
     */
    record ProbeForm(String agent, String topic, String name, String source, String priority, String payload) {
        static final ProbeForm EMPTY = new ProbeForm("", "", "", "", "2", "");
    }

    /**
     * A list page.
     *
     * @param filter the filter and page
     * @param records the page's records, or an empty list when the filter is refused
     * @param total how many records match the filter
     * @param filterError why the filter was refused, or {@code null}
     */
    record ListView(EccQueueFilter filter, List<QueueRecord> records, long total, String filterError) {
    }

    /**
     * A record's detail.
     *
     * @param record the record
     * @param inputs for an output, the inputs answering it
     * @param output for an input, the output it answers, or {@code null}
     */
    record DetailView(QueueRecord record, List<QueueRecord> inputs, QueueRecord output) {
    }

    private EccQueuePage() {
    }

    static void notice(PrintWriter out, AgentConsolePage.Notice notice) {
        if (notice != null) {
            out.println("<p id=\"midway-notice\" class=\"statline "
                    + (notice.error() ? "ui-state-error" : "ui-state-highlight") + "\">" + esc(notice.text()) + "</p>");
        }
    }

    static void renderList(PrintWriter out, String root, ListView view, List<String> agentFields) {
        EccQueueFilter f = view.filter();
        out.println(AgentConsolePage.heading("ECC Queue"));
        out.println("<form id=\"midway-ecc-filter\" method=\"get\" action=\"" + esc(root) + "\">");
        out.println("<label>Agent <select name=\"agent\">" + option("", "any", f.agent().isEmpty())
                + agentOptions(agentFields, f.agent()) + "</select></label>");
        out.println(text("topic", "Topic starts with", f.topic()));
        out.println("<label>Queue <select name=\"queue\">" + options(List.of("", "output", "input"), f.queue())
                + "</select></label>");
        out.println("<label>State <select name=\"state\">" + options(List.of("", QueueRecord.STATE_READY,
                QueueRecord.STATE_PROCESSING, QueueRecord.STATE_PROCESSED, QueueRecord.STATE_ERROR), f.state())
                + "</select></label>");
        out.println(text("created_after", "Created after (UTC)", f.createdAfter()));
        out.println(text("created_before", "Created before (UTC)", f.createdBefore()));
        out.println("<input type=\"submit\" value=\"Filter\"> <a href=\"" + esc(root) + "\">Clear</a></form>");
        if (view.filterError() != null) {
            out.println("<p id=\"midway-filter-error\" class=\"statline ui-state-error\">" + esc(view.filterError())
                    + "</p>");
            return;
        }
        int from = view.records().isEmpty() ? 0 : f.offset() + 1;
        int to = f.offset() + view.records().size();
        out.println("<p id=\"midway-ecc-count\">" + view.total() + (view.total() == 1 ? " record matches" : " records match")
                + "; showing " + from + "–" + to + ", newest first. The same query on the Table API: <code>"
                + esc("GET /api/now/table/ecc_queue?sysparm_query=" + f.encodedQuery()) + "</code></p>");
        out.println("<table class=\"nicetable\" id=\"midway-ecc-records\"><thead><tr><th>Created</th><th>Queue</th>"
                + "<th>State</th><th>Agent</th><th>Topic</th><th>Name</th><th>Source</th><th>Priority</th>"
                + "<th>Response to</th></tr></thead><tbody>");
        for (QueueRecord r : view.records()) {
            out.println("<tr data-sys-id=\"" + esc(r.sysId()) + "\"><td><a href=\"" + esc(detailLink(root, r.sysId()))
                    + "\">" + esc(r.sysCreatedOn()) + "</a></td>" + cell(r.queue()) + cell(r.state()) + cell(r.agent())
                    + cell(r.topic()) + cell(r.name()) + cell(r.source())
                    + cell(r.priority() == null ? "" : r.priority().toString()) + "<td>"
                    + (r.responseTo() == null || r.responseTo().isEmpty() ? ""
                            : "<a href=\"" + esc(detailLink(root, r.responseTo())) + "\">" + esc(r.responseTo()) + "</a>")
                    + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.print("<p id=\"midway-ecc-pages\">");
        if (f.offset() > 0) {
            out.print("<a rel=\"prev\" href=\"" + esc(pageLink(root, f, Math.max(0, f.offset() - f.limit())))
                    + "\">&larr; newer</a> ");
        }
        if (f.offset() + view.records().size() < view.total()) {
            out.print("<a rel=\"next\" href=\"" + esc(pageLink(root, f, f.offset() + f.limit())) + "\">older &rarr;</a>");
        }
        out.println("</p>");
    }

    static void renderDetail(PrintWriter out, String root, String token, DetailView view) {
        QueueRecord r = view.record();
        out.println(AgentConsolePage.heading("ECC record " + r.sysId()));
        out.println("<p><a href=\"" + esc(root) + "\">&larr; all records</a></p>");
        out.println("<table class=\"nicetable\" id=\"midway-ecc-record\">");
        row(out, "sys_id", r.sysId());
        row(out, "queue", r.queue());
        row(out, "state", r.state());
        row(out, "agent", r.agent());
        row(out, "topic", r.topic());
        row(out, "name", r.name());
        row(out, "source", r.source());
        row(out, "priority", r.priority() == null ? "" : r.priority().toString());
        out.println("<tr><th>response_to</th><td>" + (r.responseTo() == null || r.responseTo().isEmpty() ? ""
                : "<a href=\"" + esc(detailLink(root, r.responseTo())) + "\">" + esc(r.responseTo()) + "</a>")
                + "</td></tr>");
        row(out, "sys_created_on", r.sysCreatedOn());
        row(out, "processed", r.processed());
        row(out, "error_string", r.errorString());
        row(out, "application", r.application());
        row(out, "capability", r.capability());
        row(out, "selection", r.selection());
        out.println("<tr><th>payload</th><td><pre id=\"midway-ecc-payload\" style=\"white-space:pre-wrap;margin:0\">"
                + esc(prettyPayload(r.payload())) + "</pre></td></tr>");
        out.println("</table>");
        if (QueueRecord.STATE_READY.equals(r.state())) {
            out.println("<form method=\"post\" action=\"" + esc(root) + "\" style=\"display:inline\">"
                    + hidden("token", token) + hidden("action", EccQueueConsolePlugin.ACTION_CANCEL)
                    + hidden("sys_id", r.sysId()) + "<input type=\"submit\" value=\"Cancel (state processed)\"></form> "
                    + "<form method=\"post\" action=\"" + esc(root) + "\" style=\"display:inline\">"
                    + hidden("token", token) + hidden("action", EccQueueConsolePlugin.ACTION_DELETE)
                    + hidden("sys_id", r.sysId()) + "<input type=\"submit\" value=\"Delete\"></form>");
        }
        if (QueueRecord.QUEUE_OUTPUT.equals(r.queue())) {
            out.println(AgentConsolePage.heading("Input"));
            if (view.inputs().isEmpty()) {
                out.println("<p id=\"midway-ecc-inputs\">No input answers this record yet.</p>");
            } else {
                out.println("<ul id=\"midway-ecc-inputs\">");
                for (QueueRecord input : view.inputs()) {
                    out.println("<li><a href=\"" + esc(detailLink(root, input.sysId())) + "\">" + esc(input.sysId())
                            + "</a> " + esc(input.state()) + ", " + esc(input.sysCreatedOn())
                            + (input.errorString() == null || input.errorString().isEmpty() ? ""
                                    : ": " + esc(input.errorString()))
                            + "<pre style=\"white-space:pre-wrap\">" + esc(prettyPayload(input.payload())) + "</pre></li>");
                }
                out.println("</ul>");
            }
            if (view.inputs().isEmpty() && (QueueRecord.STATE_READY.equals(r.state())
                    || QueueRecord.STATE_PROCESSING.equals(r.state()))) {
                out.println("<p id=\"midway-ecc-refresh\">This page reloads every " + REFRESH_SECONDS
                        + " seconds until an input arrives.</p><script>setTimeout(function(){location.reload();},"
                        + REFRESH_SECONDS * 1000 + ");</script>");
            }
        } else if (view.output() != null) {
            out.println(AgentConsolePage.heading("Output"));
            QueueRecord o = view.output();
            out.println("<p id=\"midway-ecc-output\"><a href=\"" + esc(detailLink(root, o.sysId())) + "\">"
                    + esc(o.sysId()) + "</a> " + esc(o.topic()) + " to " + esc(o.agent()) + ", " + esc(o.state()) + "</p>");
        }
    }

    static void renderEnqueue(PrintWriter out, String root, String token, ProbeForm form, List<String> agentFields) {
        out.println(AgentConsolePage.heading("Enqueue a probe"));
        out.println("<form id=\"midway-ecc-enqueue\" method=\"post\" action=\"" + esc(root) + "\">"
                + hidden("token", token) + hidden("action", EccQueueConsolePlugin.ACTION_ENQUEUE));
        out.println("<p>Inserts an output record as <code>POST /api/now/table/ecc_queue</code> does, with the same checks.</p>");
        out.println("<label>Agent <select name=\"agent\">" + agentOptions(agentFields, form.agent())
                + option(QueueRecord.AGENT_ALL, "every agent (" + QueueRecord.AGENT_ALL + ")",
                        QueueRecord.AGENT_ALL.equals(form.agent()))
                + "</select></label><br>");
        out.println(text("topic", "Topic", form.topic()) + "<br>");
        out.println(text("name", "Name", form.name()) + "<br>");
        out.println(text("source", "Source", form.source()) + "<br>");
        out.println("<label>Priority <select name=\"priority\">"
                + option("0", "0 interactive", "0".equals(form.priority()))
                + option("1", "1 expedited", "1".equals(form.priority()))
                + option("2", "2 standard", "2".equals(form.priority())) + "</select></label><br>");
        out.println("<label>Payload (JSON)<br><textarea name=\"payload\" rows=\"6\" cols=\"80\">" + esc(form.payload())
                + "</textarea></label><br>");
        out.println("<input type=\"submit\" value=\"Enqueue\"></form>");
    }

    /** @return the payload as indented JSON, a text payload (e.g. XML) as its text */
    static String prettyPayload(JsonNode payload) {
        if (payload == null || payload.isNull()) {
            return "";
        }
        if (payload.isTextual()) {
            return payload.textValue();
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            return payload.toString();
        }
    }

    static String detailLink(String root, String sysId) {
        return root + "?sys_id=" + URLEncoder.encode(sysId, StandardCharsets.UTF_8);
    }

    private static String pageLink(String root, EccQueueFilter filter, int offset) {
        String query = filter.queryString(offset);
        return query.isEmpty() ? root : root + "?" + query;
    }

    private static String agentOptions(List<String> agentFields, String selected) {
        StringBuilder options = new StringBuilder();
        boolean found = selected.isEmpty() || QueueRecord.AGENT_ALL.equals(selected);
        for (String field : agentFields) {
            found |= field.equals(selected);
            options.append(option(field, field, field.equals(selected)));
        }
        if (!found) {
            options.append(option(selected, selected, true));
        }
        return options.toString();
    }

    private static String options(List<String> values, String selected) {
        StringBuilder options = new StringBuilder();
        for (String value : values) {
            options.append(option(value, value.isEmpty() ? "any" : value, value.equals(selected)));
        }
        return options.toString();
    }

    private static String option(String value, String label, boolean selected) {
        return "<option value=\"" + esc(value) + "\"" + (selected ? " selected" : "") + ">" + esc(label) + "</option>";
    }

    private static String text(String name, String label, String value) {
        return "<label>" + esc(label) + " <input type=\"text\" name=\"" + esc(name) + "\" value=\"" + esc(value)
                + "\"></label>";
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println("<tr><th>" + esc(label) + "</th><td>" + esc(value) + "</td></tr>");
    }

    private static String cell(String value) {
        return "<td>" + esc(value) + "</td>";
    }

    private static String esc(String text) {
        return ConsoleHtml.escape(text);
    }
}
