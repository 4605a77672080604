package io.midway.instance.console.internal;

import io.midway.instance.api.AgentRegistry;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.midway.console.support.ConsoleHtml;
import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.Selection;
import io.midway.instance.api.UserRow;
import io.midway.instance.api.Agent;

/**
 * Renders the Agents page as an HTML fragment that the Web Console wraps in its own page: the
 * agents with an edit form each, the identities ({@link IdentitySection}), the clusters, and the
 * "Try selection" form with its answer.
 *
 * <p>Every value is escaped, including {@code $} and {@code \}: the Web Console passes HTML output
 * through a filter that expands {@code ${...}} and unescapes {@code \$}.
 */
final class AgentConsolePage {

    /** The statuses an admin may set (as {@code AgentRegistry} allows). */
    static final List<String> ADMIN_STATUSES = List.of(Agent.STATUS_UP, Agent.STATUS_PAUSED);

    /**
     * A message shown above the page, after an action.
     *
     * @param error whether it reports a failure
     * @param text the message
     */
    record Notice(boolean error, String text) {
    }

    /**
     * A "Try selection" request and its answer.
     *
     * @param application as typed
     * @param ip as typed
     * @param capability as typed
     * @param algorithm as chosen, empty for the instance's
     * @param result the choice, or {@code null} when the request was refused
     * @param error why it was refused, or {@code null}
     */
    record SelectionTrial(String application, String ip, String capability, String algorithm, Selection result,
            String error) {
    }

    /**
     * What the page shows.
     *
     * @param agents every agent, by name
     * @param clusters every cluster, by name
     * @param defaultAlgorithm the instance property {@code mid.selection.algorithm}
     * @param formAction the page's URL, where the forms go
     * @param formToken the session's anti-forgery token the edit forms carry
     * @param notice the outcome of the last edit, or {@code null}
     * @param rejected the values of an edit that was refused (shown again in its form), or {@code null}
     * @param trial a selection tried, or {@code null}
     * @param identities every {@code sys_user} identity, oldest first
     * @param rejectedIdentity the values of a "New identity" form that was refused, or {@code null}
     * @param nodes the instance nodes serving this database
     */
    record View(List<Agent> agents, List<AgentCluster> clusters, String defaultAlgorithm, String formAction,
            String formToken, Notice notice, AgentEditForm rejected, SelectionTrial trial, List<UserRow> identities,
            IdentityForm rejectedIdentity, List<io.midway.instance.api.InstanceNodes.Node> nodes,
            String configRevision, List<io.midway.instance.api.AgentConfigStatus> configs) {
    }

    private AgentConsolePage() {
    }

    /**
     * Writes the page.
     *
     * @param out where to write
     * @param view what to show
     */
    static void render(PrintWriter out, View view) {
        out.println("<div id=\"midway-agents\">");
        if (view.notice() != null) {
            out.println("<p id=\"midway-notice\" class=\"statline "
                    + (view.notice().error() ? "ui-state-error" : "ui-state-highlight") + "\">"
                    + escape(view.notice().text()) + "</p>");
        }
        renderAgents(out, view);
        ConfigSection.render(out, view.configRevision(), view.configs());
        IdentitySection.render(out, view.identities(), view.formAction(), view.formToken(), view.rejectedIdentity());
        renderClusters(out, view);
        renderSelection(out, view);
        NodeSection.render(out, view.nodes(), java.time.Instant.now());
        out.println("</div>");
    }

    private static void renderAgents(PrintWriter out, View view) {
        out.println(heading("Agents"));
        out.println("<p>" + view.agents().size() + (view.agents().size() == 1 ? " agent" : " agents")
                + ". <em>Edit</em> changes an agent as <code>PATCH /api/now/table/ecc_agent/{sys_id}</code> does, "
                + "with the same checks; lists are comma-separated (applications such as <code>Discovery</code> or "
                + "<code>ALL</code>; IP ranges as CIDR blocks, addresses or <code>a.b.c.d-e.f.g.h</code> ranges). "
                + "An admin may set the status to Up or Paused only. <em>Control</em> enqueues a <code>SystemCommand</code> "
                + "for the agent (restart in place, restart the process under a supervisor, stop, grab logs) and shows "
                + "the record, where the agent's answer appears.</p>");
        out.println("<table class=\"nicetable\" id=\"midway-agent-table\">");
        out.println("<thead><tr><th>Name</th><th>Status</th><th>Validated</th><th>Version</th><th>Capabilities</th>"
                + "<th>Applications</th><th>IP ranges</th><th>Cluster</th><th>Default</th><th>Last refreshed</th>"
                + "<th>Identity</th><th>Edit</th><th>Control</th></tr></thead>");
        out.println("<tbody>");
        if (view.agents().isEmpty()) {
            out.println("<tr><td colspan=\"13\">No agent has registered yet.</td></tr>");
        }
        for (Agent agent : view.agents()) {
            boolean rejected = view.rejected() != null && view.rejected().sysId().equals(agent.sysId());
            AgentEditForm form = rejected ? view.rejected() : AgentEditForm.of(agent);
            out.println("<tr data-sys-id=\"" + escape(agent.sysId()) + "\">"
                    + cell(agent.name()) + "<td>" + status(agent, java.time.Instant.now()) + "</td>"
                    + cell(yesNo(agent.validated()))
                    + cell(orDash(agent.version())) + cell(joined(agent.capabilities()))
                    + cell(joined(agent.applications())) + cell(joined(agent.ipRanges()))
                    + cell(orDash(agent.cluster())) + cell(yesNo(agent.isDefault()))
                    + cell(orDash(agent.lastRefreshed()))
                    + cell(IdentitySection.identityOf(view.identities(), agent.name()))
                    + "<td>" + editForm(view, agent, form, rejected) + "</td>"
                    + "<td>" + AgentControlButtons.html(view.formAction(), view.formToken(), agent) + "</td></tr>");
        }
        out.println("</tbody>");
        out.println("</table>");
    }

    /**
     * @param agent an agent
     * @param now the time the page is made
     * @return its status as a badge; a Down agent says since when it has been silent
     */
    static String status(Agent agent, java.time.Instant now) {
        String detail = null;
        if (Agent.STATUS_DOWN.equals(agent.status())) {
            detail = agent.lastRefreshed() == null ? "never heard from"
                    : "since " + agent.lastRefreshed() + " (silent for " + age(agent.lastRefreshed(), now) + ")";
        }
        return ConsoleHtml.statusBadge(agent.status(), detail);
    }

    /** @return how long ago a wire time was, e.g. {@code 3 min}, or {@code ?} when it does not parse */
    private static String age(String wireTime, java.time.Instant now) {
        try {
            long seconds = Math.max(0, java.time.Duration.between(io.midway.wire.Json.parseTime(wireTime), now).toSeconds());
            if (seconds < 120) {
                return seconds + " s";
            }
            if (seconds < 2 * 3600) {
                return seconds / 60 + " min";
            }
            if (seconds < 2 * 86400) {
                return seconds / 3600 + " h";
            }
            return seconds / 86400 + " days";
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** The edit form of one agent, folded unless it holds a refused edit. */
    private static String editForm(View view, Agent agent, AgentEditForm form, boolean open) {
        StringBuilder html = new StringBuilder();
        html.append("<details").append(open ? " open" : "").append("><summary>Edit</summary>");
        html.append("<form method=\"post\" action=\"").append(escape(view.formAction()))
                .append("\" class=\"midway-agent-edit\">");
        html.append(hidden(AgentConsolePlugin.TOKEN_PARAMETER, view.formToken()));
        html.append(hidden(AgentConsolePlugin.ACTION_PARAMETER, AgentConsolePlugin.ACTION_UPDATE));
        html.append(hidden(AgentEditForm.SYS_ID, agent.sysId()));
        html.append("<label>Applications <input type=\"text\" size=\"30\" name=\"").append(AgentEditForm.APPLICATIONS)
                .append("\" value=\"").append(escape(form.applications())).append("\"></label><br>");
        html.append("<label>IP ranges <input type=\"text\" size=\"40\" name=\"").append(AgentEditForm.IP_RANGES)
                .append("\" value=\"").append(escape(form.ipRanges())).append("\"></label><br>");
        html.append("<label>Capabilities set by hand <input type=\"text\" size=\"30\" name=\"")
                .append(AgentEditForm.MANUAL_CAPABILITIES).append("\" value=\"").append(escape(form.manualCapabilities()))
                .append("\"></label><br>");
        html.append(checkbox(AgentEditForm.IS_DEFAULT, "Default agent", form.isDefault()));
        html.append(checkbox(AgentEditForm.VALIDATED, "Validated", form.validated()));
        html.append("<label>Status <select name=\"").append(AgentEditForm.STATUS).append("\">");
        if (!ADMIN_STATUSES.contains(agent.status())) {
            html.append(option("", "keep " + orDash(agent.status()), form.status().isEmpty()));
        }
        for (String status : ADMIN_STATUSES) {
            html.append(option(status, status, status.equals(form.status())));
        }
        html.append("</select></label> ");
        html.append("<button type=\"submit\" class=\"ui-button\">Save</button>");
        html.append("</form></details>");
        return html.toString();
    }

    private static void renderClusters(PrintWriter out, View view) {
        out.println(heading("Clusters"));
        out.println("<p>Create, change and delete clusters here, as <code>POST</code>, <code>PATCH</code> and "
                + "<code>DELETE /api/now/table/ecc_agent_cluster</code> do, with the same checks. Members are agent "
                + "names, comma-separated, in order: failover tries them in this order.</p>");
        Map<String, String> statusByName = new HashMap<>();
        for (Agent agent : view.agents()) {
            statusByName.put(agent.name(), agent.status());
        }
        out.println("<table class=\"nicetable\" id=\"midway-cluster-table\">");
        out.println("<thead><tr><th>Name</th><th>Type</th><th>Members</th><th>Change</th></tr></thead>");
        out.println("<tbody>");
        if (view.clusters().isEmpty()) {
            out.println("<tr><td colspan=\"4\">No clusters.</td></tr>");
        }
        for (AgentCluster cluster : view.clusters()) {
            StringBuilder members = new StringBuilder("<ol>");
            for (String member : cluster.members()) {
                String status = statusByName.get(member);
                members.append("<li>").append(escape(member)).append(" (")
                        .append(escape(status == null ? "not registered" : status)).append(")</li>");
            }
            members.append("</ol>");
            out.println("<tr data-sys-id=\"" + escape(cluster.sysId()) + "\">" + cell(cluster.name())
                    + cell(cluster.type().label()) + "<td>" + members + "</td><td>"
                    + clusterForm(view, ClusterActions.UPDATE, cluster, "Save") + " "
                    + clusterDeleteForm(view, cluster) + "</td></tr>");
        }
        out.println("</tbody>");
        out.println("</table>");
        out.println("<details id=\"midway-cluster-new\"><summary>New cluster</summary>"
                + clusterForm(view, ClusterActions.CREATE, null, "Create") + "</details>");
    }

    /** A cluster's form: its type and members (and, for a new one, its name). */
    private static String clusterForm(View view, String action, AgentCluster cluster, String button) {
        StringBuilder html = new StringBuilder("<form method=\"post\" action=\"" + escape(view.formAction())
                + "\" style=\"display:inline\" class=\"midway-cluster-form\">");
        html.append(hiddenField(AgentConsolePlugin.TOKEN_PARAMETER, view.formToken()))
                .append(hiddenField(AgentConsolePlugin.ACTION_PARAMETER, action));
        if (cluster == null) {
            html.append("<label>Name <input type=\"text\" size=\"20\" name=\"").append(ClusterActions.NAME)
                    .append("\"></label> ");
        } else {
            html.append(hiddenField(ClusterActions.SYS_ID, cluster.sysId()));
        }
        html.append("<select name=\"").append(ClusterActions.TYPE).append("\">");
        for (io.midway.instance.api.ClusterType type : io.midway.instance.api.ClusterType.values()) {
            html.append("<option value=\"").append(escape(type.label())).append('"')
                    .append(cluster != null && cluster.type() == type ? " selected" : "").append('>')
                    .append(escape(type.label())).append("</option>");
        }
        html.append("</select> <input type=\"text\" size=\"30\" name=\"").append(ClusterActions.MEMBERS)
                .append("\" placeholder=\"agent names, comma-separated\" value=\"")
                .append(escape(cluster == null ? "" : String.join(", ", cluster.members()))).append("\"> ")
                .append("<button type=\"submit\" class=\"ui-button\">").append(escape(button)).append("</button></form>");
        return html.toString();
    }

    private static String clusterDeleteForm(View view, AgentCluster cluster) {
        return "<form method=\"post\" action=\"" + escape(view.formAction()) + "\" style=\"display:inline\""
                + " data-confirm=\"Delete cluster " + escape(cluster.name()) + "?\" onsubmit=\"return confirm(this.dataset.confirm)\">"
                + hiddenField(AgentConsolePlugin.TOKEN_PARAMETER, view.formToken())
                + hiddenField(AgentConsolePlugin.ACTION_PARAMETER, ClusterActions.DELETE)
                + hiddenField(ClusterActions.SYS_ID, cluster.sysId())
                + "<button type=\"submit\" class=\"ui-button\">Delete</button></form>";
    }

    private static String hiddenField(String name, String value) {
        return "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">";
    }

    private static void renderSelection(PrintWriter out, View view) {
        out.println(heading("Try selection"));
        out.println("<p>Which agent the instance would choose for work with no agent, and why "
                + "(<code>POST /api/mid/admin/select</code>); nothing is enqueued.</p>");
        SelectionTrial trial = view.trial();
        out.println("<form method=\"get\" action=\"" + escape(view.formAction()) + "\" id=\"midway-select\">");
        out.println(hidden(AgentConsolePlugin.ACTION_PARAMETER, AgentConsolePlugin.ACTION_SELECT));
        out.println(textInput("application", "Application", trial == null ? "Discovery" : trial.application()));
        out.println(textInput("ip", "IP", trial == null ? "" : trial.ip()));
        out.println(textInput("capability", "Capability", trial == null ? "" : trial.capability()));
        String algorithm = trial == null ? "" : trial.algorithm();
        out.println("<label>Algorithm <select name=\"algorithm\">"
                + option("", "instance default (" + view.defaultAlgorithm() + ")", algorithm.isEmpty())
                + option("new", "new", "new".equals(algorithm))
                + option("legacy", "legacy", "legacy".equals(algorithm)) + "</select></label>");
        out.println("<button type=\"submit\" class=\"ui-button\">Select</button>");
        out.println("</form>");
        if (trial == null) {
            return;
        }
        if (trial.error() != null) {
            out.println("<p id=\"midway-selection-error\" class=\"statline ui-state-error\">" + escape(trial.error())
                    + "</p>");
            return;
        }
        Selection s = trial.result();
        out.println("<table class=\"nicetable\" id=\"midway-selection\">");
        out.println("<tbody>");
        row(out, "Chosen agent", s.isChosen() ? s.agent() : "none");
        row(out, "Algorithm", s.algorithm().label());
        row(out, "Rule", s.decidedBy().name().toLowerCase(Locale.ROOT));
        row(out, "Reason", s.reason());
        out.println("</tbody>");
        out.println("</table>");
        out.println("<ol id=\"midway-selection-steps\">");
        for (String step : s.steps()) {
            out.println("<li>" + escape(step) + "</li>");
        }
        out.println("</ol>");
    }

    // ---------------------------------------------------------------- pieces

    /** A section title in the console's own header style. */
    static String heading(String title) {
        return "<h2 class=\"ui-widget-header ui-corner-top\" style=\"margin:1.2em 0 0;padding:0.3em 0.6em;font-size:1.1em\">"
                + escape(title) + "</h2>";
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println("<tr><th>" + escape(label) + "</th><td>" + escape(value) + "</td></tr>");
    }

    private static String cell(String value) {
        return "<td>" + escape(value) + "</td>";
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">";
    }

    private static String textInput(String name, String label, String value) {
        return "<label>" + escape(label) + " <input type=\"text\" name=\"" + escape(name) + "\" value=\""
                + escape(value) + "\"></label>";
    }

    private static String checkbox(String name, String label, boolean checked) {
        return "<label><input type=\"checkbox\" name=\"" + escape(name) + "\" value=\"true\""
                + (checked ? " checked" : "") + "> " + escape(label) + "</label><br>";
    }

    private static String option(String value, String label, boolean selected) {
        return "<option value=\"" + escape(value) + "\"" + (selected ? " selected" : "") + ">" + escape(label)
                + "</option>";
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "—" : value;
    }

    private static String joined(List<String> values) {
        return list(values).isEmpty() ? "—" : String.join(", ", values);
    }

    /** @return the list, empty for {@code null} */
    static List<String> list(List<String> values) {
        return values == null ? List.of() : values;
    }

    /**
     * @param text the text, may be {@code null}
     * @return it escaped for HTML and the Web Console's output filter
     */
    static String escape(String text) {
        return ConsoleHtml.escape(text);
    }
}
