package io.midway.instance.console.internal;

import static io.midway.console.support.ConsoleHtml.escape;
import static io.midway.instance.console.internal.RepositoryConsoleForms.cell;
import static io.midway.instance.console.internal.RepositoryConsoleForms.heading;
import static io.midway.instance.console.internal.RepositoryConsoleForms.tokenField;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
import io.midway.instance.api.AgentRegistry;
import io.midway.instance.api.FileRepository;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceEvents;
import io.midway.instance.api.UploadSignatures;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.RepositoryFile;
import io.midway.instance.api.SyncState;
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
 * The File sync page of the instance's Web Console, at {@code /system/console/file-sync} (menu
 * "Midway"): the plug-in repository ({@link FileRepository}) with an upload form and a delete
 * button per file, and for each agent the revision it applied and how its last sync went.
 *
 * <ul>
 * <li>{@code GET /system/console/file-sync[?files=N&agents=N]} — the page; each list shows
 * {@value RepositoryConsoleForms#PAGE_SIZE} rows from the offset given, with a "next" link.</li>
 * <li>{@code GET /system/console/file-sync.json} — the same as JSON.</li>
 * <li>{@code POST} ({@code multipart/form-data}) with {@code action=upload}, {@code kind},
 * optional {@code name}, the jar as the part {@code jar}, and the session's {@code token} — the
 * upload of {@code POST /api/mid/admin/files}, with its checks; a refused jar is shown with the
 * reason.</li>
 * <li>{@code POST} with {@code action=delete}, {@code symbolic_name} and the token — removes a
 * file, as {@code DELETE /api/mid/admin/files/{symbolic_name}}.</li>
 * </ul>
 * A POST without the session's token is refused with 403 and changes nothing.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = FileSyncConsolePlugin.LABEL, title = "File sync", category = "Midway")
public class FileSyncConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "file-sync";

    static final String ACTION_UPLOAD = "upload";
    static final String ACTION_DELETE = "delete";
    static final String FILES_OFFSET = "files";
    static final String AGENTS_OFFSET = "agents";

    /** How many recent events are searched for each agent's last sync report. */
    private static final int EVENTS_SEARCHED = 1000;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FileSyncConsolePlugin.class);

    private final transient FileRepository files;
    private final transient UploadSignatures signatures;
    private final transient AgentRegistry agents;
    private final transient InstanceEvents events;
    private final transient RepositoryConsoleForms forms = new RepositoryConsoleForms();

    /**
     * @param files the file-sync repository
     * @param agents the agent registry
     * @param events the instance events (the agents' sync reports)
     */
    @Activate
    public FileSyncConsolePlugin(@Reference(name = "files") FileRepository files,
            @Reference(name = "agents") AgentRegistry agents, @Reference(name = "events") InstanceEvents events,
            @Reference(name = "signatures") UploadSignatures signatures) {
        this.signatures = signatures;
        this.files = files;
        this.agents = agents;
        this.events = events;
    }

    /** What the page shows. */
    private record View(FileRepository.Listing listing, int filesOffset, List<FileRepository.Listed> files,
            int agentsOffset, List<Agent> agents, boolean moreAgents, Map<String, InstanceEvent> lastReports) {
    }

    private View view(HttpServletRequest request) {
        FileRepository.Listing listing = files.listing();
        int filesOffset = Math.min(RepositoryConsoleForms.offset(request, FILES_OFFSET), listing.files().size());
        List<FileRepository.Listed> page = listing.files().subList(filesOffset,
                Math.min(listing.files().size(), filesOffset + RepositoryConsoleForms.PAGE_SIZE));
        int agentsOffset = RepositoryConsoleForms.offset(request, AGENTS_OFFSET);
        List<Agent> found = agents.agents(TableQuery.parse(TableSchema.ECC_AGENT, "ORDERBYname", null,
                String.valueOf(RepositoryConsoleForms.PAGE_SIZE + 1), String.valueOf(agentsOffset)));
        boolean more = found.size() > RepositoryConsoleForms.PAGE_SIZE;
        List<Agent> shown = more ? found.subList(0, RepositoryConsoleForms.PAGE_SIZE) : found;
        Map<String, InstanceEvent> last = new HashMap<>();
        for (InstanceEvent e : events.latestEvents(EVENTS_SEARCHED)) {
            if (InstanceEvent.FILE_SYNC_APPLIED.equals(e.name()) || InstanceEvent.FILE_SYNC_FAILED.equals(e.name())) {
                last.putIfAbsent(e.agent(), e);
            }
        }
        return new View(listing, filesOffset, page, agentsOffset, shown, more, last);
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
            LOG.warn("Refused a File sync console change without the session's form token (from {})",
                    request.getRemoteAddr());
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_FORBIDDEN,
                    "This change must be submitted from the File sync page of the Web Console; reload the page and try again.");
            return;
        }
        String action = request.getParameter(AgentConsolePlugin.ACTION_PARAMETER);
        Notice notice;
        if (ACTION_UPLOAD.equals(action)) {
            notice = upload(request);
        } else if (ACTION_DELETE.equals(action)) {
            notice = delete(orEmpty(request.getParameter("symbolic_name")).trim());
        } else {
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_BAD_REQUEST, "Unknown action '"
                    + orEmpty(action) + "': use action=" + ACTION_UPLOAD + " or action=" + ACTION_DELETE + ".");
            return;
        }
        forms.redirectWith(request, response, notice);
    }

    private Notice upload(HttpServletRequest request) throws IOException {
        Part jar;
        try {
            jar = request.getPart("jar");
        } catch (ServletException | IllegalStateException e) {
            return new Notice(true, "No file was uploaded: the form must be sent as multipart/form-data ("
                    + e.getMessage() + ").");
        }
        if (jar == null || jar.getSize() == 0) {
            return new Notice(true, "No file was uploaded: choose a bundle jar.");
        }
        String kind = request.getParameter("kind");
        String name = request.getParameter("name");
        try (InputStream body = jar.getInputStream()) {
            FileRepository.Upload upload = files.upload(body, jar.getSize(), kind, name);
            RepositoryFile file = upload.file();
            LOG.info("File {} {} ({}) uploaded in the Web Console; revision {}", file.symbolicName(), file.version(),
                    file.kind(), upload.revision());
            return new Notice(false, (upload.changed() ? "Stored " : "Already stored, unchanged: ") + file.name()
                    + " (" + file.symbolicName() + " " + file.version() + ", " + file.kind() + "); revision "
                    + upload.revision() + ".");
        } catch (InstanceException e) {
            LOG.info("Web Console upload of a {} jar refused: {}", kind, RepositoryConsoleForms.reason(e));
            return new Notice(true, "The jar was refused: " + RepositoryConsoleForms.reason(e));
        } finally {
            jar.delete();
        }
    }

    private Notice delete(String symbolicName) {
        try {
            FileRepository.Removal removal = files.delete(symbolicName);
            LOG.info("File {} deleted in the Web Console; revision {}", symbolicName, removal.revision());
            return new Notice(false, "Deleted " + removal.file().name() + " (" + symbolicName + "); revision "
                    + removal.revision() + ".");
        } catch (InstanceException e) {
            return new Notice(true, "Nothing was deleted: " + RepositoryConsoleForms.reason(e));
        }
    }

    private static ObjectNode json(View view) {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("revision", view.listing().revision());
        json.put("files_total", view.listing().files().size());
        json.put("files_offset", view.filesOffset());
        ArrayNode fileArray = json.putArray("files");
        for (FileRepository.Listed listed : view.files()) {
            RepositoryFile f = listed.file();
            ObjectNode node = fileArray.addObject();
            node.put("name", f.name());
            node.put("kind", f.kind());
            node.put("symbolic_name", f.symbolicName());
            node.put("version", f.version());
            node.put("sha256", f.sha256());
            node.put("size", f.size());
            node.put("uploaded_on", listed.uploadedOn());
            node.put("downloads", listed.downloads());
        }
        json.put("agents_offset", view.agentsOffset());
        json.put("agents_more", view.moreAgents());
        ArrayNode agentArray = json.putArray("agents");
        for (Agent agent : view.agents()) {
            ObjectNode node = agentArray.addObject();
            node.put("name", agent.name());
            node.put("status", agent.status());
            node.put("sync_revision", agent.syncRevision());
            node.put("sync_state", agent.syncState());
            node.put("current", view.listing().revision().equals(agent.syncRevision())
                    && SyncState.STATE_APPLIED.equals(agent.syncState()));
            InstanceEvent report = view.lastReports().get(agent.name());
            if (report != null) {
                ObjectNode last = node.putObject("last_report");
                last.put("event", report.name());
                last.put("time", report.time());
                last.put("detail", report.detail());
            }
        }
        return json;
    }

    private static void render(PrintWriter out, View view, String root, String token, Notice notice,
            UploadSignatures signatures) {
        out.println("<div id=\"midway-file-sync\">");
        RepositoryConsoleForms.renderNotice(out, notice);
        out.println(heading("Repository"));
        out.println("<p>Revision <code id=\"midway-revision\">" + escape(view.listing().revision()) + "</code>; "
                + view.listing().files().size() + (view.listing().files().size() == 1 ? " file" : " files")
                + ". Agents install these plug-in bundles and report how it went (below).</p>");
        out.println("<table class=\"nicetable\" id=\"midway-file-table\"><thead><tr><th>File</th><th>Kind</th>"
                + "<th>Symbolic name</th><th>Version</th><th>SHA-256</th><th>Size</th><th>Uploaded</th>"
                + "<th>Downloads</th><th>Delete</th></tr></thead><tbody>");
        if (view.files().isEmpty()) {
            out.println("<tr><td colspan=\"9\">The repository is empty.</td></tr>");
        }
        for (FileRepository.Listed listed : view.files()) {
            RepositoryFile f = listed.file();
            out.println("<tr data-symbolic-name=\"" + escape(f.symbolicName()) + "\">" + cell(f.name()) + cell(f.kind())
                    + cell(f.symbolicName()) + cell(f.version()) + "<td><code title=\"" + escape(f.sha256()) + "\">"
                    + escape(abbreviate(f.sha256())) + "</code></td>" + cell(String.valueOf(f.size()))
                    + cell(listed.uploadedOn()) + cell(String.valueOf(listed.downloads()))
                    + "<td><form method=\"post\" action=\"" + escape(root) + "\">" + tokenField(token)
                    + "<input type=\"hidden\" name=\"action\" value=\"" + ACTION_DELETE + "\">"
                    + "<input type=\"hidden\" name=\"symbolic_name\" value=\"" + escape(f.symbolicName()) + "\">"
                    + "<button type=\"submit\">Delete</button></form></td></tr>");
        }
        out.println("</tbody></table>");
        out.println(RepositoryConsoleForms.pager(root, FILES_OFFSET, view.filesOffset(), view.files().size(),
                view.filesOffset() + view.files().size() < view.listing().files().size()));

        out.println(heading("Upload a plug-in"));
        out.println("<form method=\"post\" enctype=\"multipart/form-data\" id=\"midway-upload\" action=\""
                + escape(root) + "\">" + tokenField(token)
                + "<input type=\"hidden\" name=\"action\" value=\"" + ACTION_UPLOAD + "\">"
                + "<label>Bundle jar <input type=\"file\" name=\"jar\" accept=\".jar\" required></label> "
                + "<label>Kind <select name=\"kind\">"
                + option(RepositoryFile.KIND_PROBE) + option(RepositoryFile.KIND_PROTOCOL)
                + option(RepositoryFile.KIND_CREDENTIAL) + option(RepositoryFile.KIND_LIBRARY) + "</select></label> "
                + "<label>File name (optional) <input type=\"text\" name=\"name\" placeholder=\"bsn-version.jar\"></label> "
                + "<button type=\"submit\">Upload</button></form>");
        out.println("<p>The same checks as <code>POST /api/mid/admin/files</code>: a bundle jar (not the agent core) "
                + "of at most " + (FileRepository.MAX_FILE_BYTES / (1024 * 1024)) + " MiB; it replaces the file "
                + "with its symbolic name.</p>");
        out.println(RepositoryConsoleForms.signatures(signatures));

        out.println(heading("Agents"));
        out.println("<table class=\"nicetable\" id=\"midway-sync-table\"><thead><tr><th>Agent</th><th>Status</th>"
                + "<th>Applied revision</th><th>Sync state</th><th>Last report</th></tr></thead><tbody>");
        if (view.agents().isEmpty()) {
            out.println("<tr><td colspan=\"5\">No agent.</td></tr>");
        }
        for (Agent agent : view.agents()) {
            boolean current = view.listing().revision().equals(agent.syncRevision());
            InstanceEvent report = view.lastReports().get(agent.name());
            String state = agent.syncState() == null ? "not reported"
                    : agent.syncState() + (current ? "" : " (behind: the repository is at revision "
                            + view.listing().revision() + ")");
            String stateCell = SyncState.STATE_FAILED.equals(agent.syncState())
                    ? "<td class=\"ui-state-error midway-sync-failed\">" + escape(state) + "</td>" : cell(state);
            out.println("<tr data-agent=\"" + escape(agent.name()) + "\">" + cell(agent.name()) + "<td>"
                    + ConsoleHtml.statusBadge(agent.status(), null) + "</td>" + cell(agent.syncRevision()) + stateCell
                    + (report == null ? cell(null) : cell(report.time() + " " + report.detail())) + "</tr>");
        }
        out.println("</tbody></table>");
        out.println(RepositoryConsoleForms.pager(root, AGENTS_OFFSET, view.agentsOffset(), view.agents().size(),
                view.moreAgents()));
        out.println("</div>");
    }

    private static String option(String kind) {
        return "<option value=\"" + kind + "\">" + kind + "</option>";
    }

    private static String abbreviate(String sha256) {
        return sha256 == null || sha256.length() <= 12 ? sha256 : sha256.substring(0, 12).toLowerCase(Locale.ROOT) + "…";
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
