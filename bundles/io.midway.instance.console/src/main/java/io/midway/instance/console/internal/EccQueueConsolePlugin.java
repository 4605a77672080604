package io.midway.instance.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.console.support.WebConsolePlugin;
import io.midway.instance.api.Agent;
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.EccChange;
import io.midway.instance.api.EccQueue;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.OutputRequest;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.wire.EccRecord;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The ECC Queue page of the instance's Web Console, at {@code /system/console/ecc-queue} (menu
 * "Midway").
 *
 * <ul>
 * <li>{@code GET /system/console/ecc-queue} with {@code agent}, {@code topic} (a prefix),
 * {@code queue}, {@code state}, {@code created_after}, {@code created_before}, {@code offset} and
 * {@code limit} (50 unless given, at most 500) — the matching records, newest first, a page at a
 * time; the filter is the encoded query of {@code GET /api/now/table/ecc_queue} (shown on the page),
 * so both agree. With {@code sys_id}: that record's every field, its payload pretty-printed, and its
 * input(s), or for an input its output.</li>
 * <li>{@code GET /system/console/ecc-queue.json} — the same, as JSON (the Table API's field names).</li>
 * <li>{@code POST} with {@code action=enqueue} ({@code agent}, {@code topic}, {@code name},
 * {@code source}, {@code priority}, {@code payload} as JSON text) — inserts an output through
 * {@link EccQueue#insertOutput} after {@link OutputRequest#parse} of the body a
 * {@code POST /api/now/table/ecc_queue} would carry, then shows the new record; a refused one is
 * shown with its message and the values as typed. {@code action=cancel} ({@code state=processed})
 * and {@code action=delete} with a {@code sys_id} go through {@link EccQueue#updateRecord} and
 * {@link EccQueue#deleteRecord}; a refusal (409) is shown as the message.</li>
 * </ul>
 *
 * <p>Every POST carries the session's form token (the one the Agents page uses); without it the
 * answer is 403 and nothing changes.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = EccQueueConsolePlugin.LABEL, title = "ECC Queue", category = "Midway")
public class EccQueueConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "ecc-queue";

    /** {@value}: insert an output from the "Enqueue a probe" form (POST). */
    static final String ACTION_ENQUEUE = "enqueue";
    /** {@value}: set a ready record's state to processed (POST). */
    static final String ACTION_CANCEL = "cancel";
    /** {@value}: delete a record (POST). */
    static final String ACTION_DELETE = "delete";

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(EccQueueConsolePlugin.class);

    private static final int KEPT_OUTCOMES = 32;
    private static final int MAX_INPUTS = 100;

    /**
     * The outcome of a POST, shown once the browser follows the redirect.
     *
     * @param notice what happened
     * @param rejected the values of a refused "Enqueue a probe" form, or {@code null}
     */
    private record Outcome(AgentConsolePage.Notice notice, EccQueuePage.ProbeForm rejected) {
    }

    private final transient EccQueue queue;
    private final transient AgentRegistry agents;

    private final transient Map<String, Outcome> outcomes = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
            return size() > KEPT_OUTCOMES;
        }
    };

    /**
     * @param queue the ECC queue
     * @param agents the agent registry, for the agents the forms offer
     */
    @Activate
    public EccQueueConsolePlugin(@Reference(name = "queue") EccQueue queue,
            @Reference(name = "agents") AgentRegistry agents) {
        this.queue = queue;
        this.agents = agents;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String sysId = request.getParameter("sys_id");
        if (ConsoleRequests.isJsonRequest(request)) {
            if (sysId != null && !sysId.isBlank()) {
                writeRecordJson(response, sysId.trim());
            } else {
                writeListJson(request, response);
            }
            return;
        }
        if (response.getContentType() == null) {
            response.setContentType("text/html;charset=UTF-8");
        }
        String root = ConsoleRequests.pluginRoot(request);
        String token = ConsoleRequests.sessionToken(request);
        Outcome outcome = null;
        String outcomeId = request.getParameter(AgentConsolePlugin.OUTCOME_PARAMETER);
        if (outcomeId != null) {
            synchronized (outcomes) {
                outcome = outcomes.get(outcomeId);
            }
        }
        var out = response.getWriter();
        out.println("<div id=\"midway-ecc-queue\">");
        EccQueuePage.notice(out, outcome == null ? null : outcome.notice());
        List<String> agentFields = agentFields();
        if (sysId != null && !sysId.isBlank()) {
            Optional<EccQueuePage.DetailView> detail = detail(sysId.trim());
            if (detail.isPresent()) {
                EccQueuePage.renderDetail(out, root, token, detail.get());
            } else {
                EccQueuePage.notice(out, new AgentConsolePage.Notice(true, "No ECC record has sys_id " + sysId.trim() + "."));
            }
        } else {
            EccQueuePage.renderList(out, root, list(EccQueueFilter.of(request)), agentFields);
        }
        EccQueuePage.renderEnqueue(out, root, token,
                outcome != null && outcome.rejected() != null ? outcome.rejected() : EccQueuePage.ProbeForm.EMPTY,
                agentFields);
        out.println("</div>");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!ConsoleRequests.hasSessionToken(request)) {
            LOG.warn("Refused an ECC Queue console change without the session's form token (from {})",
                    request.getRemoteAddr());
            plainError(response, HttpServletResponse.SC_FORBIDDEN,
                    "This change must be submitted from the ECC Queue page of the Web Console; reload the page and try again.");
            return;
        }
        String action = request.getParameter(AgentConsolePlugin.ACTION_PARAMETER);
        String sysId = orEmpty(request.getParameter("sys_id")).trim();
        Outcome outcome;
        String showSysId;
        if (ACTION_ENQUEUE.equals(action)) {
            EccQueuePage.ProbeForm form = new EccQueuePage.ProbeForm(param(request, "agent"), param(request, "topic"),
                    param(request, "name"), param(request, "source"), param(request, "priority"),
                    orEmpty(request.getParameter("payload")));
            try {
                QueueRecord record = queue.insertOutput(OutputRequest.parse(body(form)));
                LOG.info("Web Console: enqueued {} for {} as {}", record.topic(), record.agent(), record.sysId());
                outcome = new Outcome(new AgentConsolePage.Notice(false, "Enqueued " + record.topic() + " for "
                        + record.agent() + " as " + record.sysId() + "."), null);
                showSysId = record.sysId();
            } catch (InstanceException e) {
                LOG.info("Web Console: a probe was not enqueued: {}", reason(e));
                outcome = new Outcome(new AgentConsolePage.Notice(true, "The probe was not enqueued: " + reason(e)), form);
                showSysId = null;
            }
        } else if (ACTION_CANCEL.equals(action) || ACTION_DELETE.equals(action)) {
            outcome = change(action, sysId);
            showSysId = ACTION_DELETE.equals(action) && !outcome.notice().error() ? null : sysId;
        } else {
            plainError(response, HttpServletResponse.SC_BAD_REQUEST, "Unknown action '" + orEmpty(action) + "': use action="
                    + ACTION_ENQUEUE + ", " + ACTION_CANCEL + " or " + ACTION_DELETE + ".");
            return;
        }
        String id = UUID.randomUUID().toString();
        synchronized (outcomes) {
            outcomes.put(id, outcome);
        }
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", ConsoleRequests.pluginRoot(request) + "?" + (showSysId == null ? ""
                : "sys_id=" + java.net.URLEncoder.encode(showSysId, StandardCharsets.UTF_8) + "&")
                + AgentConsolePlugin.OUTCOME_PARAMETER + "=" + id);
    }

    private Outcome change(String action, String sysId) {
        try {
            if (sysId.isEmpty()) {
                throw InstanceException.invalid("no record chosen", "the form carries the record's sys_id");
            }
            if (ACTION_CANCEL.equals(action)) {
                queue.updateRecord(sysId, EccChange.parse(Json.mapper().createObjectNode().put("state",
                        QueueRecord.STATE_PROCESSED)));
                LOG.info("Web Console: ECC record {} cancelled", sysId);
                return new Outcome(new AgentConsolePage.Notice(false, "Record " + sysId + " cancelled (state processed)."),
                        null);
            }
            queue.deleteRecord(sysId);
            LOG.info("Web Console: ECC record {} deleted", sysId);
            return new Outcome(new AgentConsolePage.Notice(false, "Record " + sysId + " deleted."), null);
        } catch (InstanceException e) {
            return new Outcome(new AgentConsolePage.Notice(true, "Record " + sysId + " was not "
                    + (ACTION_CANCEL.equals(action) ? "cancelled" : "deleted") + ": " + reason(e)), null);
        }
    }

    /**
     * @return the JSON a {@code POST /api/now/table/ecc_queue} would carry for this form
     * @throws InstanceException (400) when the payload is not JSON or the priority not a number
     */
    static ObjectNode body(EccQueuePage.ProbeForm form) {
        ObjectNode body = Json.mapper().createObjectNode();
        putText(body, "agent", form.agent());
        putText(body, "topic", form.topic());
        putText(body, "name", form.name());
        putText(body, "source", form.source());
        if (!form.priority().isEmpty()) {
            try {
                body.put("priority", Integer.parseInt(form.priority()));
            } catch (NumberFormatException e) {
                throw InstanceException.invalid("field 'priority' must be 0, 1 or 2", "got '" + form.priority() + "'");
            }
        }
        if (!form.payload().isBlank()) {
            try {
                body.set("payload", Json.mapper().readTree(form.payload()));
            } catch (JsonProcessingException e) {
                throw InstanceException.invalid("the payload is not JSON",
                        e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ", column "
                                + e.getLocation().getColumnNr() + ")");
            }
        }
        return body;
    }

    private EccQueuePage.ListView list(EccQueueFilter filter) {
        try {
            List<QueueRecord> records = queue.records(filter.query());
            return new EccQueuePage.ListView(filter, records, queue.count(filter.countQuery()), null);
        } catch (InstanceException e) {
            return new EccQueuePage.ListView(filter, List.of(), 0, "The filter is refused: " + reason(e));
        }
    }

    private Optional<EccQueuePage.DetailView> detail(String sysId) {
        return queue.record(sysId).map(r -> {
            if (QueueRecord.QUEUE_OUTPUT.equals(r.queue())) {
                return new EccQueuePage.DetailView(r, inputsOf(sysId), null);
            }
            QueueRecord output = r.responseTo() == null || r.responseTo().isEmpty() ? null
                    : queue.record(r.responseTo()).orElse(null);
            return new EccQueuePage.DetailView(r, List.of(), output);
        });
    }

    private List<QueueRecord> inputsOf(String sysId) {
        return queue.records(TableQuery.parse(TableSchema.ECC_QUEUE, "queue=input^response_to="
                + sysId.replace("^", "^^") + "^ORDERBYsys_created_on", null, Integer.toString(MAX_INPUTS), null));
    }

    private List<String> agentFields() {
        return agents.agents(TableQuery.all(TableSchema.ECC_AGENT)).stream().map(Agent::name)
                .map(QueueRecord::agentField).toList();
    }

    private void writeListJson(HttpServletRequest request, HttpServletResponse response) throws IOException {
        EccQueueFilter filter = EccQueueFilter.of(request);
        ObjectNode json = Json.mapper().createObjectNode();
        try {
            List<QueueRecord> records = queue.records(filter.query());
            json.put("query", filter.encodedQuery());
            json.put("total", queue.count(filter.countQuery()));
            json.put("offset", filter.offset());
            json.put("limit", filter.limit());
            ArrayNode array = json.putArray("records");
            records.forEach(r -> array.add(toJson(r)));
        } catch (InstanceException e) {
            writeJsonError(response, HttpServletResponse.SC_BAD_REQUEST, reason(e));
            return;
        }
        writeJson(response, json);
    }

    private void writeRecordJson(HttpServletResponse response, String sysId) throws IOException {
        Optional<EccQueuePage.DetailView> detail = detail(sysId);
        if (detail.isEmpty()) {
            writeJsonError(response, HttpServletResponse.SC_NOT_FOUND, "No ECC record has sys_id " + sysId);
            return;
        }
        ObjectNode json = Json.mapper().createObjectNode();
        json.set("record", toJson(detail.get().record()));
        if (QueueRecord.QUEUE_OUTPUT.equals(detail.get().record().queue())) {
            ArrayNode inputs = json.putArray("inputs");
            detail.get().inputs().forEach(r -> inputs.add(toJson(r)));
        } else {
            json.set("output", detail.get().output() == null ? null : toJson(detail.get().output()));
        }
        writeJson(response, json);
    }

    private static JsonNode toJson(QueueRecord r) {
        return Json.mapper().valueToTree(new EccRecord(r.sysId(), r.agent(), r.topic(), r.name(), r.source(),
                r.payload(), r.queue(), r.state(), r.responseTo(), r.priority(), r.errorString(), r.sysCreatedOn(),
                r.processed(), r.application(), r.capability(), r.selection()));
    }

    private static void writeJson(HttpServletResponse response, JsonNode json) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    private static void writeJsonError(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        writeJson(response, Json.mapper().createObjectNode().put("error", message));
    }

    // ---------------------------------------------------------------- the session's form token

    // ---------------------------------------------------------------- pieces

    private static void putText(ObjectNode body, String field, String value) {
        if (!value.isEmpty()) {
            body.put(field, value);
        }
    }

    private static String param(HttpServletRequest request, String name) {
        return orEmpty(request.getParameter(name)).trim();
    }

    static String reason(InstanceException e) {
        return e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }

    static void plainError(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().println(message);
    }
}
