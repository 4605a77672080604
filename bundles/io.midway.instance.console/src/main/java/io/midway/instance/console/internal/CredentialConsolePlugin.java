package io.midway.instance.console.internal;

import static io.midway.console.support.ConsoleHtml.escape;
import static io.midway.instance.console.internal.RepositoryConsoleForms.cell;
import static io.midway.instance.console.internal.RepositoryConsoleForms.heading;
import static io.midway.instance.console.internal.RepositoryConsoleForms.tokenField;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.console.support.WebConsolePlugin;
import io.midway.instance.api.CredentialAffinities;
import io.midway.instance.api.Credentials;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.console.internal.RepositoryConsoleForms.Notice;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Credentials page of the instance's Web Console, at {@code /system/console/credentials} (menu
 * "Midway"): the credentials (name, type, order, active, the non-secret fields, and which secrets
 * are set — never a secret value), the credential affinity the agents reported, a form to create a
 * credential and one to edit a credential ({@code ?edit=SYS_ID}).
 *
 * <ul>
 * <li>{@code GET /system/console/credentials[?credentials=N&affinity=N&edit=SYS_ID]} — the page;
 * {@code .json} the same as JSON.</li>
 * <li>{@code POST} with {@code action=create} or {@code action=update} (and {@code sys_id}), the
 * fields and the session's {@code token} — builds the JSON body the Table API takes on
 * {@code discovery_credentials} and applies it with {@link Credentials#create} or
 * {@link Credentials#update}. Secrets are typed in password fields, sent only when typed (an empty
 * secret field keeps the secret), and never shown back.</li>
 * </ul>
 * When the credential store is not running the page says so (200) and refuses changes.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = CredentialConsolePlugin.LABEL, title = "Credentials", category = "Midway")
public class CredentialConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "credentials";

    static final String ACTION_CREATE = "create";
    static final String ACTION_UPDATE = "update";
    static final String CREDENTIALS_OFFSET = "credentials";
    static final String AFFINITY_OFFSET = "affinity";

    /** The credential types and their fields, as the instance knows them. */
    static final List<String> TYPES = List.of("basic", "ssh_key", "snmp_community", "snmpv3", "jdbc", "api_key");
    /** The non-secret type fields. */
    static final List<String> TEXT_FIELDS = List.of("user_name", "auth_protocol", "privacy_protocol");
    /** The types with the {@code sudo} flag (privileged commands of the SSHCommand probe). */
    static final List<String> SUDO_TYPES = List.of("basic", "ssh_key");
    /** The secret type fields: typed in password fields, never shown. */
    static final List<String> SECRET_FIELDS = List.of("password", "ssh_private_key", "ssh_passphrase", "community",
            "auth_key", "privacy_key", "api_key");

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CredentialConsolePlugin.class);

    @Reference(name = "credentials", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Credentials credentials;

    @Reference(name = "affinities", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile CredentialAffinities affinities;

    private final transient RepositoryConsoleForms forms = new RepositoryConsoleForms();

    /** For DS: the credential store is bound when (and while) it runs. */
    @Activate
    public CredentialConsolePlugin() {
    }

    /**
     * @param credentials the credential store, or {@code null} when it is not running
     * @param affinities the credential affinity, or {@code null}
     */
    CredentialConsolePlugin(Credentials credentials, CredentialAffinities affinities) {
        this.credentials = credentials;
        this.affinities = affinities;
    }

    private record View(boolean available, int offset, List<ObjectNode> credentials, boolean more,
            int affinityOffset, List<ObjectNode> affinity, boolean moreAffinity, ObjectNode editing) {
    }

    private View view(HttpServletRequest request) {
        Credentials store = credentials;
        CredentialAffinities affinity = affinities;
        if (store == null) {
            return new View(false, 0, List.of(), false, 0, List.of(), false, null);
        }
        int offset = RepositoryConsoleForms.offset(request, CREDENTIALS_OFFSET);
        List<ObjectNode> found = store.list(TableQuery.parse(TableSchema.DISCOVERY_CREDENTIALS, "ORDERBYorder^ORDERBYname",
                null, String.valueOf(RepositoryConsoleForms.PAGE_SIZE + 1), String.valueOf(offset)));
        boolean more = found.size() > RepositoryConsoleForms.PAGE_SIZE;
        int affinityOffset = RepositoryConsoleForms.offset(request, AFFINITY_OFFSET);
        List<ObjectNode> rows = affinity == null ? List.of()
                : affinity.list(TableQuery.parse(TableSchema.DSCY_CREDENTIALS_AFFINITY, "ORDERBYagent^ORDERBYtarget",
                        null, String.valueOf(RepositoryConsoleForms.PAGE_SIZE + 1), String.valueOf(affinityOffset)));
        boolean moreAffinity = rows.size() > RepositoryConsoleForms.PAGE_SIZE;
        String edit = request.getParameter("edit");
        ObjectNode editing = edit == null || edit.isBlank() ? null : store.get(edit.trim()).orElse(null);
        return new View(true, offset, more ? found.subList(0, RepositoryConsoleForms.PAGE_SIZE) : found, more,
                affinityOffset, moreAffinity ? rows.subList(0, RepositoryConsoleForms.PAGE_SIZE) : rows, moreAffinity,
                editing);
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
                ConsoleRequests.sessionToken(request), forms.notice(request));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!ConsoleRequests.hasSessionToken(request)) {
            LOG.warn("Refused a Credentials console change without the session's form token (from {})",
                    request.getRemoteAddr());
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_FORBIDDEN,
                    "This change must be submitted from the Credentials page of the Web Console; reload the page and try again.");
            return;
        }
        String action = request.getParameter(AgentConsolePlugin.ACTION_PARAMETER);
        if (!ACTION_CREATE.equals(action) && !ACTION_UPDATE.equals(action)) {
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_BAD_REQUEST, "Unknown action '"
                    + (action == null ? "" : action) + "': use action=" + ACTION_CREATE + " or action="
                    + ACTION_UPDATE + ".");
            return;
        }
        Credentials store = credentials;
        Notice notice;
        if (store == null) {
            notice = new Notice(true, "Nothing was changed: the credential store is not running.");
        } else if (ACTION_CREATE.equals(action)) {
            notice = create(store, request);
        } else {
            notice = update(store, request);
        }
        forms.redirectWith(request, response, notice);
    }

    private static Notice create(Credentials store, HttpServletRequest request) {
        ObjectNode body = body(request, null);
        String name = body.path("name").asText("");
        try {
            ObjectNode created = store.create(body);
            LOG.info("Credential {} ({}) created in the Web Console", created.path("name").asText(),
                    created.path("type").asText());
            return new Notice(false, "Credential " + created.path("name").asText() + " created.");
        } catch (InstanceException e) {
            return new Notice(true, "Credential " + name + " was not created: " + RepositoryConsoleForms.reason(e));
        }
    }

    private static Notice update(Credentials store, HttpServletRequest request) {
        String sysId = orEmpty(request.getParameter("sys_id")).trim();
        Optional<ObjectNode> current = sysId.isEmpty() ? Optional.empty() : store.get(sysId);
        if (current.isEmpty()) {
            return new Notice(true, "Nothing was changed: no credential with sys_id " + sysId + ".");
        }
        try {
            ObjectNode updated = store.update(sysId, body(request, current.get()));
            LOG.info("Credential {} changed in the Web Console", updated.path("name").asText());
            return new Notice(false, "Credential " + updated.path("name").asText() + " saved.");
        } catch (InstanceException e) {
            return new Notice(true, "Credential " + current.get().path("name").asText() + " was not changed: "
                    + RepositoryConsoleForms.reason(e));
        }
    }

    /**
     * The Table API body of a form: every field typed; on an edit a field emptied that had a value
     * is sent as {@code ""} (a clear); a secret only when typed.
     */
    private static ObjectNode body(HttpServletRequest request, ObjectNode current) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("name", orEmpty(request.getParameter("name")).trim());
        body.put("type", orEmpty(request.getParameter("type")).trim());
        String order = orEmpty(request.getParameter("order")).trim();
        if (!order.isEmpty()) {
            try {
                body.put("order", Integer.parseInt(order));
            } catch (NumberFormatException e) {
                body.put("order", order); // refused by the store with its reason
            }
        }
        body.put("active", request.getParameter("active") != null);
        boolean sudo = request.getParameter("sudo") != null;
        if (sudo || SUDO_TYPES.contains(body.path("type").asText())) {
            // ticked for another type: the store refuses it with its reason
            body.put("sudo", sudo);
        }
        List<String> texts = new ArrayList<>(TEXT_FIELDS);
        texts.add("resolver");
        texts.add("external_id");
        for (String field : texts) {
            String value = orEmpty(request.getParameter(field)).trim();
            if (!value.isEmpty()) {
                body.put(field, value);
            } else if (current != null && !current.path(field).asText("").isEmpty()) {
                body.put(field, "");
            }
        }
        for (String secret : SECRET_FIELDS) {
            String value = request.getParameter(secret);
            if (value != null && !value.isEmpty()) {
                body.put(secret, value);
            }
        }
        return body;
    }

    private static ObjectNode credentialJson(JsonNode c) {
        ObjectNode node = Json.mapper().createObjectNode();
        for (String field : List.of("sys_id", "name", "type", "order", "active", "user_name", "sudo", "auth_protocol",
                "privacy_protocol", "resolver", "external_id", "secrets_set", "sys_updated_on")) {
            if (c.has(field) && !SECRET_FIELDS.contains(field)) {
                node.set(field, c.get(field).deepCopy());
            }
        }
        return node;
    }

    private static ObjectNode json(View view) {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("available", view.available());
        if (!view.available()) {
            json.put("message", "the credential store is not running");
            return json;
        }
        json.put("credentials_offset", view.offset());
        json.put("credentials_more", view.more());
        ArrayNode array = json.putArray("credentials");
        view.credentials().forEach(c -> array.add(credentialJson(c)));
        json.put("affinity_offset", view.affinityOffset());
        json.put("affinity_more", view.moreAffinity());
        ArrayNode affinity = json.putArray("affinity");
        for (ObjectNode row : view.affinity()) {
            ObjectNode node = affinity.addObject();
            for (String field : List.of("agent", "credential", "credential_name", "type", "target", "sys_updated_on")) {
                node.put(field, row.path(field).asText(""));
            }
        }
        return json;
    }

    private static void render(PrintWriter out, View view, String root, String token, Notice notice) {
        out.println("<div id=\"midway-credentials\">");
        RepositoryConsoleForms.renderNotice(out, notice);
        if (!view.available()) {
            out.println("<p id=\"midway-credentials-unavailable\" class=\"statline ui-state-error\">The credential "
                    + "store is not running: credentials cannot be listed or changed now. Check the instance's "
                    + "log and its components (credential master key).</p></div>");
            return;
        }
        out.println(heading("Credentials"));
        out.println("<p>Secrets are never shown: a secret is only said to be set or not. Agents try active "
                + "credentials by order, then name.</p>");
        out.println("<table class=\"nicetable\" id=\"midway-credential-table\"><thead><tr><th>Name</th><th>Type</th>"
                + "<th>Order</th><th>Active</th><th>User name</th><th>Sudo</th><th>External</th><th>Secrets</th><th>Edit</th>"
                + "</tr></thead><tbody>");
        if (view.credentials().isEmpty()) {
            out.println("<tr><td colspan=\"9\">No credential.</td></tr>");
        }
        for (ObjectNode c : view.credentials()) {
            List<String> set = new ArrayList<>();
            c.path("secrets_set").forEach(s -> set.add(s.asText()));
            String resolver = c.path("resolver").asText("");
            String external = resolver.isEmpty() ? "" : resolver + " " + c.path("external_id").asText("");
            out.println("<tr data-sys-id=\"" + escape(c.path("sys_id").asText()) + "\">" + cell(c.path("name").asText())
                    + cell(c.path("type").asText()) + cell(c.path("order").asText())
                    + cell(c.path("active").asBoolean() ? "yes" : "no") + cell(c.path("user_name").asText(""))
                    + cell(c.has("sudo") ? (c.path("sudo").asBoolean() ? "yes" : "no") : "")
                    + cell(external) + cell(set.isEmpty() ? "not set" : String.join(", ", set) + " set")
                    + "<td><a href=\"" + escape(root + "?edit=" + c.path("sys_id").asText()) + "\">Edit</a></td></tr>");
        }
        out.println("</tbody></table>");
        out.println(RepositoryConsoleForms.pager(root, CREDENTIALS_OFFSET, view.offset(), view.credentials().size(),
                view.more()));
        if (view.editing() != null) {
            out.println(heading("Edit credential " + view.editing().path("name").asText()));
            renderForm(out, root, token, view.editing());
        }
        out.println(heading("New credential"));
        renderForm(out, root, token, null);

        out.println(heading("Credential affinity"));
        out.println("<p>Which credential worked for which target, as the agents report it.</p>");
        out.println("<table class=\"nicetable\" id=\"midway-affinity-table\"><thead><tr><th>Agent</th>"
                + "<th>Credential</th><th>Type</th><th>Target</th><th>Updated</th></tr></thead><tbody>");
        if (view.affinity().isEmpty()) {
            out.println("<tr><td colspan=\"5\">No affinity reported.</td></tr>");
        }
        for (ObjectNode row : view.affinity()) {
            out.println("<tr>" + cell(row.path("agent").asText("")) + cell(row.path("credential_name").asText(""))
                    + cell(row.path("type").asText("")) + cell(row.path("target").asText(""))
                    + cell(row.path("sys_updated_on").asText("")) + "</tr>");
        }
        out.println("</tbody></table>");
        out.println(RepositoryConsoleForms.pager(root, AFFINITY_OFFSET, view.affinityOffset(), view.affinity().size(),
                view.moreAffinity()));
        out.println("</div>");
    }

    /** The create form (no credential) or the edit form of one; secret fields are always empty. */
    private static void renderForm(PrintWriter out, String root, String token, ObjectNode c) {
        boolean edit = c != null;
        StringBuilder html = new StringBuilder("<form method=\"post\" id=\"midway-credential-"
                + (edit ? "edit" : "create") + "\" action=\"" + escape(root) + "\">" + tokenField(token)
                + "<input type=\"hidden\" name=\"action\" value=\"" + (edit ? ACTION_UPDATE : ACTION_CREATE) + "\">");
        if (edit) {
            html.append("<input type=\"hidden\" name=\"sys_id\" value=\"").append(escape(c.path("sys_id").asText()))
                    .append("\">");
        }
        html.append("<table class=\"nicetable\"><tbody>");
        html.append(textRow("Name", "name", edit ? c.path("name").asText() : ""));
        String type = edit ? c.path("type").asText() : "basic";
        html.append("<tr><td>Type</td><td><select name=\"type\">");
        for (String t : TYPES) {
            html.append("<option value=\"").append(t).append(t.equals(type) ? "\" selected>" : "\">").append(t)
                    .append("</option>");
        }
        html.append("</select></td></tr>");
        html.append(textRow("Order", "order", edit ? c.path("order").asText() : "100"));
        html.append("<tr><td>Active</td><td><input type=\"checkbox\" name=\"active\" value=\"true\"")
                .append(!edit || c.path("active").asBoolean() ? " checked" : "").append("></td></tr>");
        html.append("<tr><td>sudo</td><td><input type=\"checkbox\" name=\"sudo\" value=\"true\"")
                .append(edit && c.path("sudo").asBoolean() ? " checked" : "")
                .append("> basic, ssh_key: the SSHCommand probe may run privileged commands (probe.ssh.privileged.commands) "
                        + "through sudo with it</td></tr>");
        for (String field : TEXT_FIELDS) {
            html.append(textRow(field.replace('_', ' '), field, edit ? c.path(field).asText("") : ""));
        }
        html.append(textRow("resolver (external)", "resolver", edit ? c.path("resolver").asText("") : ""));
        html.append(textRow("external id", "external_id", edit ? c.path("external_id").asText("") : ""));
        List<String> set = new ArrayList<>();
        if (edit) {
            c.path("secrets_set").forEach(s -> set.add(s.asText()));
        }
        for (String secret : SECRET_FIELDS) {
            html.append("<tr><td>").append(secret.replace('_', ' ')).append("</td><td><input type=\"password\" name=\"")
                    .append(secret).append("\" value=\"\" autocomplete=\"new-password\"> ")
                    .append(edit ? (set.contains(secret) ? "set; type to replace" : "not set") : "")
                    .append("</td></tr>");
        }
        html.append("</tbody></table><p>Only the fields of the chosen type may be filled (basic, jdbc: user name and "
                + "password; ssh_key: user name, ssh private key, ssh passphrase; snmp_community: community; snmpv3: "
                + "user name, auth/privacy protocol and keys; api_key: user name and api key). ")
                .append(edit ? "An empty secret field keeps the secret. " : "")
                .append("</p><button type=\"submit\">").append(edit ? "Save" : "Create").append("</button></form>");
        out.println(html);
    }

    private static String textRow(String label, String name, String value) {
        return "<tr><td>" + escape(label) + "</td><td><input type=\"text\" name=\"" + name + "\" value=\""
                + escape(value) + "\"></td></tr>";
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
