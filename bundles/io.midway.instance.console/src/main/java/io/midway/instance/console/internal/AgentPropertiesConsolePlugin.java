package io.midway.instance.console.internal;

import static io.midway.console.support.ConsoleHtml.escape;
import static io.midway.instance.console.internal.RepositoryConsoleForms.cell;
import static io.midway.instance.console.internal.RepositoryConsoleForms.heading;
import static io.midway.instance.console.internal.RepositoryConsoleForms.tokenField;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.console.support.WebConsolePlugin;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.AgentSettings;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.console.internal.RepositoryConsoleForms.Notice;
import io.midway.wire.AgentSettingCatalog;
import io.midway.wire.AgentSettingSpec;
import io.midway.wire.Json;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Agent properties page of the instance's Web Console, at {@code /system/console/agent-properties}
 * (menu "Midway"): the agent properties ({@code ecc_agent_property}, for every agent or one) and
 * configuration parameters ({@code ecc_agent_config}, one agent each), with forms to set, change
 * and delete them, and the settings the instance may set with their rules.
 *
 * <ul>
 * <li>{@code GET /system/console/agent-properties} — the page; {@code .json} — the same as JSON.</li>
 * <li>{@code POST} with {@code action=set}, {@code table} ({@code property} or {@code parameter}),
 * {@code name}, {@code value}, {@code agent} and the session's {@code token} — creates or replaces
 * the record for that name and agent, with the Table API's checks (a refusal is shown with the
 * rule).</li>
 * <li>{@code POST} with {@code action=delete}, {@code table}, {@code sys_id} and the token.</li>
 * </ul>
 * A POST without the session's token is refused with 403 and changes nothing.
 */
@Component(service = Servlet.class)
@WebConsolePlugin(label = AgentPropertiesConsolePlugin.LABEL, title = "Agent properties", category = "Midway")
public class AgentPropertiesConsolePlugin extends HttpServlet {

    /** The page's address below {@code /system/console/}. */
    public static final String LABEL = "agent-properties";

    static final String ACTION_SET = "set";
    static final String ACTION_DELETE = "delete";
    static final String TABLE_PROPERTY = "property";
    static final String TABLE_PARAMETER = "parameter";
    /** The most records of each table the page lists. */
    static final int MAX_ROWS = 1000;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AgentPropertiesConsolePlugin.class);

    private final transient AgentSettings settings;
    private final transient RepositoryConsoleForms forms = new RepositoryConsoleForms();

    /** @param settings the agent properties and configuration parameters */
    @Activate
    public AgentPropertiesConsolePlugin(@Reference(name = "settings") AgentSettings settings) {
        this.settings = settings;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String revision = settings.revision();
        List<AgentSetting> properties = list(TableSchema.ECC_AGENT_PROPERTY);
        List<AgentSetting> parameters = list(TableSchema.ECC_AGENT_CONFIG);
        if (ConsoleRequests.isJsonRequest(request)) {
            ObjectNode json = Json.mapper().createObjectNode();
            json.put("revision", revision);
            ArrayNode p = json.putArray("properties");
            properties.forEach(s -> p.add(s.toJson()));
            ArrayNode c = json.putArray("parameters");
            parameters.forEach(s -> c.add(s.toJson()));
            RepositoryConsoleForms.writeJson(response, json);
            return;
        }
        RepositoryConsoleForms.startHtml(response);
        render(response.getWriter(), revision, properties, parameters, ConsoleRequests.pluginRoot(request),
                ConsoleRequests.sessionToken(request), forms.notice(request));
    }

    private List<AgentSetting> list(TableSchema table) {
        return settings.settings(TableQuery.parse(table, "ORDERBYname^ORDERBYagent", null, String.valueOf(MAX_ROWS), "0"));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!ConsoleRequests.hasSessionToken(request)) {
            LOG.warn("Refused an Agent properties console change without the session's form token (from {})",
                    request.getRemoteAddr());
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_FORBIDDEN,
                    "This change must be submitted from the Agent properties page of the Web Console; reload the page and try again.");
            return;
        }
        String action = orEmpty(request.getParameter(AgentConsolePlugin.ACTION_PARAMETER));
        String tableName = orEmpty(request.getParameter("table"));
        TableSchema table = TABLE_PARAMETER.equals(tableName) ? TableSchema.ECC_AGENT_CONFIG
                : TABLE_PROPERTY.equals(tableName) ? TableSchema.ECC_AGENT_PROPERTY : null;
        if (table == null || !ACTION_SET.equals(action) && !ACTION_DELETE.equals(action)) {
            RepositoryConsoleForms.plainError(response, HttpServletResponse.SC_BAD_REQUEST,
                    "Use action=set or action=delete with table=property or table=parameter.");
            return;
        }
        Notice notice;
        try {
            if (ACTION_SET.equals(action)) {
                AgentSetting stored = settings.put(table, orEmpty(request.getParameter("name")),
                        orEmpty(request.getParameter("agent")), orEmpty(request.getParameter("value")));
                notice = new Notice(false, "Set " + stored.name() + " = " + stored.value() + " for "
                        + (stored.global() ? "every agent" : "agent " + stored.agent()) + " (" + table.name()
                        + "); configuration revision " + settings.revision() + ".");
            } else {
                String sysId = orEmpty(request.getParameter("sys_id"));
                AgentSetting old = settings.setting(table, sysId).orElse(null);
                settings.delete(table, sysId);
                notice = new Notice(false, "Deleted " + (old == null ? sysId : old.name() + " for "
                        + (old.global() ? "every agent" : "agent " + old.agent())) + " (" + table.name()
                        + "); configuration revision " + settings.revision() + ".");
            }
        } catch (InstanceException e) {
            notice = new Notice(true, "Nothing was changed: " + RepositoryConsoleForms.reason(e));
        }
        forms.redirectWith(request, response, notice);
    }

    private static void render(PrintWriter out, String revision, List<AgentSetting> properties,
            List<AgentSetting> parameters, String root, String token, Notice notice) {
        out.println("<div id=\"midway-agent-properties\">");
        RepositoryConsoleForms.renderNotice(out, notice);
        out.println("<p>Configuration revision <code id=\"midway-config-revision\">" + escape(revision)
                + "</code>. An agent takes, for each setting: its environment, else a parameter for it, else a "
                + "property for it, else a property for every agent, else its <code>etc/*.cfg</code> file, else the "
                + "default. Each change reaches the agents at their next poll; what each applied is on the "
                + "<a href=\"" + escape(AgentConsolePlugin.LABEL) + "\">Agents</a> page.</p>");
        out.println(heading("Properties (ecc_agent_property)"));
        table(out, "midway-property-table", TABLE_PROPERTY, properties, root, token);
        out.println(heading("Configuration parameters (ecc_agent_config)"));
        table(out, "midway-parameter-table", TABLE_PARAMETER, parameters, root, token);

        out.println(heading("Set a property or parameter"));
        StringBuilder names = new StringBuilder();
        for (AgentSettingSpec spec : AgentSettingCatalog.all()) {
            if (spec.central()) {
                names.append("<option value=\"").append(escape(spec.name())).append("\">").append(escape(spec.name()))
                        .append("</option>");
            }
        }
        out.println("<form method=\"post\" id=\"midway-setting-form\" action=\"" + escape(root) + "\">"
                + tokenField(token) + "<input type=\"hidden\" name=\"action\" value=\"" + ACTION_SET + "\">"
                + "<label>Table <select name=\"table\"><option value=\"" + TABLE_PROPERTY + "\">property</option>"
                + "<option value=\"" + TABLE_PARAMETER + "\">parameter</option></select></label> "
                + "<label>Setting <select name=\"name\">" + names + "</select></label> "
                + "<label>Value <input type=\"text\" name=\"value\" required></label> "
                + "<label>Agent <input type=\"text\" name=\"agent\" placeholder=\"empty: every agent\"></label> "
                + "<button type=\"submit\">Set</button></form>");

        out.println(heading("Settings"));
        out.println("<table class=\"nicetable\" id=\"midway-setting-catalog\"><thead><tr><th>Setting</th><th>Rule</th>"
                + "<th>Default</th><th>From the instance</th><th>Description</th></tr></thead><tbody>");
        for (AgentSettingSpec spec : AgentSettingCatalog.all()) {
            out.println("<tr>" + cell(spec.name()) + cell(spec.rule()) + cell(spec.defaultValue())
                    + cell(spec.central() ? "yes" : "no: " + spec.localOnly()) + cell(spec.description()) + "</tr>");
        }
        out.println("</tbody></table></div>");
    }

    private static void table(PrintWriter out, String id, String table, List<AgentSetting> rows, String root,
            String token) {
        out.println("<table class=\"nicetable\" id=\"" + id + "\"><thead><tr><th>Setting</th><th>Value</th>"
                + "<th>Agent</th><th>Updated</th><th>Change</th><th>Delete</th></tr></thead><tbody>");
        if (rows.isEmpty()) {
            out.println("<tr><td colspan=\"6\">None.</td></tr>");
        }
        for (AgentSetting s : rows) {
            String hidden = tokenField(token) + "<input type=\"hidden\" name=\"table\" value=\"" + table + "\">";
            out.println("<tr data-sys-id=\"" + escape(s.sysId()) + "\">" + cell(s.name()) + cell(s.value())
                    + cell(s.global() ? "(every agent)" : s.agent()) + cell(s.toJson().path("sys_updated_on").asText())
                    + "<td><form method=\"post\" action=\"" + escape(root) + "\">" + hidden
                    + "<input type=\"hidden\" name=\"action\" value=\"" + ACTION_SET + "\">"
                    + "<input type=\"hidden\" name=\"name\" value=\"" + escape(s.name()) + "\">"
                    + "<input type=\"hidden\" name=\"agent\" value=\"" + escape(s.agent()) + "\">"
                    + "<input type=\"text\" name=\"value\" value=\"" + escape(s.value()) + "\">"
                    + "<button type=\"submit\">Save</button></form></td>"
                    + "<td><form method=\"post\" action=\"" + escape(root) + "\">" + hidden
                    + "<input type=\"hidden\" name=\"action\" value=\"" + ACTION_DELETE + "\">"
                    + "<input type=\"hidden\" name=\"sys_id\" value=\"" + escape(s.sysId()) + "\">"
                    + "<button type=\"submit\">Delete</button></form></td></tr>");
        }
        out.println("</tbody></table>");
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
