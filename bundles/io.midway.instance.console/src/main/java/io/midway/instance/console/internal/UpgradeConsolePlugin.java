package io.midway.instance.console.internal;

import static io.midway.console.support.ConsoleHtml.escape;
import static io.midway.instance.console.internal.RepositoryConsoleForms.cell;
import static io.midway.instance.console.internal.RepositoryConsoleForms.heading;
import static io.midway.instance.console.internal.RepositoryConsoleForms.tokenField;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.console.support.ConsoleHtml;
import io.midway.console.support.WebConsolePlugin;
import io.midway.instance.api.Agent;
import io.midway.instance.api.AgentChange;
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.CoreRepository;
import io.midway.instance.api.InstanceDescription;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceEvents;
import io.midway.instance.api.UploadSignatures;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.console.internal.RepositoryConsoleForms.Notice;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;

/**
 * The Upgrades page of the instance's Web Console, at {@code /system/console/upgrades} (menu
 * "Midway"): the instance version and its core, the stored cores ({@link CoreRepository}) with their
 * downloads, a publish form, each agent's running, target and pinned version and status with a
 * pin form, and the upgrade history (the agents' {@code mid_server.upgrading} and
 * {@code mid_server.upgrade_failed} events; the instance keeps no other).
 *
 * <ul>
 * <li>{@code GET /system/console/upgrades[?agents=N]} — the page; {@code .json} the same as JSON.</li>
 * <li>{@code POST} ({@code multipart/form-data}) with {@code action=publish}, the core jar as the
 * part {@code core} and the session's {@code token} — as {@code POST /api/mid/admin/upgrade}: the
 * core's version becomes the instance version.</li>
 * <li>{@code POST} with {@code action=pin}, {@code sys_id}, {@code pinned_version} (empty to unpin)
 * and the token — as {@code PATCH /api/now/table/ecc_agent/{sys_id}} with {@code pinned_version}.</li>
 * </ul>
 * A POST without the session's token is refused with 403 and changes nothing.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = UpgradeConsolePlugin.LABEL, title = "Upgrades", category = "Midway")
public class UpgradeConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "upgrades";

    static final String ACTION_PUBLISH = "publish";
    static final String ACTION_PIN = "pin";
    static final String AGENTS_OFFSET = "agents";

    /** How many recent events are searched for the upgrade history. */
    private static final int EVENTS_SEARCHED = 1000;
    /** The most history entries shown. */
    private static final int HISTORY_SHOWN = 50;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UpgradeConsolePlugin.class);

    private final transient CoreRepository cores;
    private final transient UploadSignatures signatures;
    private final transient AgentRegistry agents;
    private final transient InstanceEvents events;
    private final transient RepositoryConsoleForms forms = new RepositoryConsoleForms();

    /**
     * @param cores the stored agent cores
     * @param agents the agent registry
     * @param events the instance events (the upgrade history)
     */
    @Activate
    public UpgradeConsolePlugin(@Reference(name = "cores") CoreRepository cores,
            @Reference(name = "agents") AgentRegistry agents, @Reference(name = "events") InstanceEvents events,
            @Reference(name = "signatures") UploadSignatures signatures) {
        this.signatures = signatures;
        this.cores = cores;
        this.agents = agents;
        this.events = events;
    }

    private record View(CoreRepository.Overview overview, int agentsOffset, List<Agent> agents, boolean moreAgents,
            List<InstanceEvent> history) {
    }

    private View view(HttpServletRequest request) {
        int offset = RepositoryConsoleForms.offset(request, AGENTS_OFFSET);
        List<Agent> found = agents.agents(TableQuery.parse(TableSchema.ECC_AGENT, "ORDERBYname", null,
                String.valueOf(RepositoryConsoleForms.PAGE_SIZE + 1), String.valueOf(offset)));
        boolean more = found.size() > RepositoryConsoleForms.PAGE_SIZE;
        List<InstanceEvent> history = events.latestEvents(EVENTS_SEARCHED).stream()
                .filter(e -> InstanceEvent.MID_SERVER_UPGRADING.equals(e.name())
                        || InstanceEvent.MID_SERVER_UPGRADE_FAILED.equals(e.name()))
                .limit(HISTORY_SHOWN).toList();
        return new View(cores.overview(), offset, more ? found.subList(0, RepositoryConsoleForms.PAGE_SIZE) : found,
                more, history);
    }

    /** @return the version an agent is to run: its pinned version, else the instance version */
    private static String target(Agent agent, String instanceVersion) {
        return agent.pinnedVersion() == null || agent.pinnedVersion().isEmpty() ? instanceVersion
                : agent.pinnedVersion();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        View view = view(request);
        if (ConsoleRequests.isJsonRequest(request)) {
            RepositoryConsoleForms.writeJson(response, json(view));
            return;
        }
        RepositoryConsoleForms.startHtml(response);
        render(response.getWriter(), view, ConsoleRequests.pluginRoot(request),
                ConsoleRequests.sessionToken(request), forms.notice(request), signatures);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!ConsoleRequests.hasSessionToken(request)) {
            LOG.warn("Refused an Upgrades console change without the session's form token (from {})",
                    request.getRemoteAddr());
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_FORBIDDEN,
                    "This change must be submitted from the Upgrades page of the Web Console; reload the page and try again.");
            return;
        }
        String action = request.getParameter(AgentConsolePlugin.ACTION_PARAMETER);
        Notice notice;
        if (ACTION_PUBLISH.equals(action)) {
            notice = publish(request);
        } else if (ACTION_PIN.equals(action)) {
            notice = pin(request.getParameter("sys_id"), request.getParameter("pinned_version"));
        } else {
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_BAD_REQUEST, "Unknown action '"
                    + (action == null ? "" : action) + "': use action=" + ACTION_PUBLISH + " or action=" + ACTION_PIN
                    + ".");
            return;
        }
        forms.redirectWith(request, response, notice);
    }

    private Notice publish(HttpServletRequest request) throws IOException {
        Part core;
        try {
            core = request.getPart("core");
        } catch (ServletException | IllegalStateException e) {
            return new Notice(true, "No core was uploaded: the form must be sent as multipart/form-data ("
                    + e.getMessage() + ").");
        }
        if (core == null || core.getSize() == 0) {
            return new Notice(true, "No core was uploaded: choose an agent core jar (io.midway.agent).");
        }
        try (InputStream body = core.getInputStream()) {
            CoreRepository.Published published = cores.upload(body, core.getSize());
            LOG.info("Agent core {} published in the Web Console (the instance was at {})",
                    published.core().version(), published.previousVersion());
            return new Notice(false, "Published agent core " + published.core().version()
                    + "; the instance version was " + published.previousVersion() + " and is now "
                    + published.core().version() + ". Agents that are not pinned upgrade to it.");
        } catch (InstanceException e) {
            LOG.info("Web Console publication of an agent core refused: {}", RepositoryConsoleForms.reason(e));
            return new Notice(true, "The core was refused: " + RepositoryConsoleForms.reason(e));
        } finally {
            core.delete();
        }
    }

    private Notice pin(String sysId, String version) {
        String id = sysId == null ? "" : sysId.trim();
        String who = agents.agent(id).map(Agent::name).orElse("with sys_id " + id);
        ObjectNode patch = Json.mapper().createObjectNode();
        patch.put("pinned_version", version == null ? "" : version.trim());
        try {
            if (id.isEmpty()) {
                throw InstanceException.invalid("no agent chosen", "the form carries the agent's sys_id");
            }
            Agent changed = agents.updateAgent(id, AgentChange.parse(patch));
            String pinned = changed.pinnedVersion();
            LOG.info("Agent {} {} in the Web Console", changed.name(),
                    pinned == null || pinned.isEmpty() ? "unpinned" : "pinned to " + pinned);
            return new Notice(false, pinned == null || pinned.isEmpty()
                    ? "Agent " + changed.name() + " is no longer pinned: it follows the instance version."
                    : "Agent " + changed.name() + " is pinned to version " + pinned + ".");
        } catch (InstanceException e) {
            return new Notice(true, "Agent " + who + " was not changed: " + RepositoryConsoleForms.reason(e));
        }
    }

    private static ObjectNode coreJson(CoreRepository.Listed listed) {
        ObjectNode node = Json.mapper().createObjectNode();
        InstanceDescription.Core core = listed.core();
        node.put("symbolic_name", core.symbolicName());
        node.put("version", core.version());
        node.put("sha256", core.sha256());
        node.put("size", core.size());
        node.put("uploaded_on", listed.uploadedOn());
        node.put("downloads", listed.downloads());
        return node;
    }

    private static ObjectNode json(View view) {
        ObjectNode json = Json.mapper().createObjectNode();
        String version = view.overview().version();
        json.put("version", version);
        if (view.overview().core() == null) {
            json.putNull("core");
        } else {
            json.set("core", coreJson(view.overview().core()));
        }
        ArrayNode coreArray = json.putArray("cores");
        view.overview().cores().forEach(c -> coreArray.add(coreJson(c)));
        json.put("agents_offset", view.agentsOffset());
        json.put("agents_more", view.moreAgents());
        ArrayNode agentArray = json.putArray("agents");
        for (Agent agent : view.agents()) {
            ObjectNode node = agentArray.addObject();
            node.put("sys_id", agent.sysId());
            node.put("name", agent.name());
            node.put("status", agent.status());
            node.put("version", agent.version());
            node.put("target_version", target(agent, version));
            node.put("pinned_version", agent.pinnedVersion());
        }
        ArrayNode history = json.putArray("history");
        for (InstanceEvent e : view.history()) {
            ObjectNode node = history.addObject();
            node.put("time", e.time());
            node.put("event", e.name());
            node.put("agent", e.agent());
            node.put("detail", e.detail());
        }
        return json;
    }

    private static void render(PrintWriter out, View view, String root, String token, Notice notice,
            UploadSignatures signatures) {
        CoreRepository.Overview overview = view.overview();
        out.println("<div id=\"midway-upgrades\">");
        RepositoryConsoleForms.renderNotice(out, notice);
        out.println(heading("Instance"));
        out.println("<p>Instance version <strong id=\"midway-instance-version\">" + escape(overview.version())
                + "</strong>; " + (overview.core() == null ? "no stored core of that version"
                        : "its core " + escape(overview.core().core().symbolicName()) + " "
                                + escape(overview.core().core().version())) + ".</p>");
        out.println(heading("Stored cores"));
        out.println("<table class=\"nicetable\" id=\"midway-core-table\"><thead><tr><th>Version</th>"
                + "<th>Symbolic name</th><th>SHA-256</th><th>Size</th><th>Uploaded</th><th>Downloads</th></tr></thead>"
                + "<tbody>");
        if (overview.cores().isEmpty()) {
            out.println("<tr><td colspan=\"6\">No core is stored.</td></tr>");
        }
        for (CoreRepository.Listed listed : overview.cores()) {
            InstanceDescription.Core core = listed.core();
            out.println("<tr data-version=\"" + escape(core.version()) + "\">" + cell(core.version())
                    + cell(core.symbolicName()) + "<td><code>" + escape(core.sha256()) + "</code></td>"
                    + cell(String.valueOf(core.size())) + cell(listed.uploadedOn())
                    + cell(String.valueOf(listed.downloads())) + "</tr>");
        }
        out.println("</tbody></table>");
        out.println(heading("Publish a core"));
        out.println("<form method=\"post\" enctype=\"multipart/form-data\" id=\"midway-publish\" action=\""
                + escape(root) + "\">" + tokenField(token)
                + "<input type=\"hidden\" name=\"action\" value=\"" + ACTION_PUBLISH + "\">"
                + "<label>Agent core jar <input type=\"file\" name=\"core\" accept=\".jar\" required></label> "
                + "<button type=\"submit\">Publish</button></form>");
        out.println("<p>As <code>POST /api/mid/admin/upgrade</code>: a jar of <code>io.midway.agent</code> of at "
                + "most " + (CoreRepository.MAX_CORE_BYTES / (1024 * 1024)) + " MiB; its version becomes the "
                + "instance version, and agents that are not pinned upgrade to it.</p>");
        out.println(RepositoryConsoleForms.signatures(signatures));

        out.println(heading("Agents"));
        out.println("<table class=\"nicetable\" id=\"midway-upgrade-agents\"><thead><tr><th>Agent</th><th>Status</th>"
                + "<th>Running</th><th>Target</th><th>Pinned</th><th>Pin</th></tr></thead><tbody>");
        if (view.agents().isEmpty()) {
            out.println("<tr><td colspan=\"6\">No agent.</td></tr>");
        }
        for (Agent agent : view.agents()) {
            String target = target(agent, overview.version());
            out.println("<tr data-sys-id=\"" + escape(agent.sysId()) + "\">" + cell(agent.name()) + "<td>"
                    + ConsoleHtml.statusBadge(agent.status(), null) + "</td>" + cell(agent.version()) + cell(target)
                    + cell(agent.pinnedVersion())
                    + "<td><form method=\"post\" action=\"" + escape(root) + "\">" + tokenField(token)
                    + "<input type=\"hidden\" name=\"action\" value=\"" + ACTION_PIN + "\">"
                    + "<input type=\"hidden\" name=\"sys_id\" value=\"" + escape(agent.sysId()) + "\">"
                    + "<input type=\"text\" name=\"pinned_version\" size=\"10\" placeholder=\"empty: unpin\" value=\""
                    + escape(agent.pinnedVersion()) + "\"> <button type=\"submit\">Save</button></form></td></tr>");
        }
        out.println("</tbody></table>");
        out.println(RepositoryConsoleForms.pager(root, AGENTS_OFFSET, view.agentsOffset(), view.agents().size(),
                view.moreAgents()));
        out.println(heading("History"));
        out.println("<table class=\"nicetable\" id=\"midway-upgrade-history\"><thead><tr><th>Time</th><th>Agent</th>"
                + "<th>Event</th><th>Detail</th></tr></thead><tbody>");
        if (view.history().isEmpty()) {
            out.println("<tr><td colspan=\"4\">No agent has upgraded yet.</td></tr>");
        }
        for (InstanceEvent e : view.history()) {
            out.println("<tr>" + cell(e.time()) + cell(e.agent()) + cell(e.name()) + cell(e.detail()) + "</tr>");
        }
        out.println("</tbody></table>");
        out.println("</div>");
    }
}
