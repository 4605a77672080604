package io.midway.instance.console.internal;

import io.midway.instance.api.Identities;
import static io.midway.instance.console.internal.AgentConsolePage.escape;

import java.io.PrintWriter;
import java.util.List;

import io.midway.instance.api.IdentityRules;
import io.midway.instance.api.UserRow;

/**
 * Renders the "Identities" section of the Agents page: the {@code sys_user} identities (never a
 * password) with a disable/enable and a delete button each, and the "New identity" form. Every
 * form carries the session's token; delete asks the browser for confirmation first.
 */
final class IdentitySection {

    /** The roles the form offers. */
    static final List<String> ROLE_CHOICES = List.of("mid_server", "admin", "admin,mid_server");

    private IdentitySection() {
    }

    /**
     * @param out where to write
     * @param identities every identity, oldest first
     * @param formAction the page's URL
     * @param token the session's form token
     * @param rejected the values of a refused "New identity" form, or {@code null}
     */
    static void render(PrintWriter out, List<UserRow> identities, String formAction, String token,
            IdentityForm rejected) {
        out.println(AgentConsolePage.heading("Identities"));
        out.println("<p>The users of <code>sys_user</code>: each agent's own (role <code>mid_server</code>, made when it "
                + "enrolls, or here) and further admins, as <code>/api/now/table/sys_user</code> has them; never a "
                + "password. A disabled identity cannot log in; a deleted agent identity lets that agent enroll "
                + "again.</p>");
        out.println("<table class=\"nicetable\" id=\"midway-identity-table\">");
        out.println("<thead><tr><th>User name</th><th>Agent</th><th>Roles</th><th>Active</th><th>Source</th>"
                + "<th>Created</th><th>Actions</th></tr></thead>");
        out.println("<tbody>");
        if (identities.isEmpty()) {
            out.println("<tr><td colspan=\"7\">No identities yet: an agent gets one when it enrolls.</td></tr>");
        }
        for (UserRow row : identities) {
            out.println("<tr data-user-sys-id=\"" + escape(row.sysId()) + "\">" + cell(row.userName())
                    + cell(orDash(row.agent())) + cell(row.roles()) + cell(row.active() ? "yes" : "no")
                    + cell(orDash(row.source())) + cell(orDash(row.createdOn())) + "<td>"
                    + rowForm(formAction, token, row, row.active() ? AgentConsolePlugin.ACTION_USER_DISABLE
                            : AgentConsolePlugin.ACTION_USER_ENABLE, row.active() ? "Disable" : "Enable", null)
                    + rowForm(formAction, token, row, AgentConsolePlugin.ACTION_USER_DELETE, "Delete",
                            "Delete identity " + row.userName() + "? It can no longer log in"
                                    + (row.agent() == null ? "." : "; agent " + row.agent() + " must enroll again."))
                    + "</td></tr>");
        }
        out.println("</tbody>");
        out.println("</table>");
        renderCreateForm(out, formAction, token, rejected);
    }

    private static void renderCreateForm(PrintWriter out, String formAction, String token, IdentityForm rejected) {
        IdentityForm form = rejected == null ? IdentityForm.EMPTY : rejected;
        out.println("<details" + (rejected == null ? "" : " open") + " id=\"midway-identity-new\"><summary>New identity"
                + "</summary>");
        out.println("<form method=\"post\" action=\"" + escape(formAction) + "\" autocomplete=\"off\">");
        out.println(hidden(AgentConsolePlugin.TOKEN_PARAMETER, token));
        out.println(hidden(AgentConsolePlugin.ACTION_PARAMETER, AgentConsolePlugin.ACTION_USER_CREATE));
        out.println("<label>User name <input type=\"text\" size=\"30\" name=\"" + IdentityForm.USER_NAME + "\" value=\""
                + escape(form.userName()) + "\"></label><br>");
        out.println("<label>Agent <input type=\"text\" size=\"30\" name=\"" + IdentityForm.AGENT + "\" value=\""
                + escape(form.agent()) + "\"> (required for a mid_server user)</label><br>");
        StringBuilder roles = new StringBuilder("<label>Roles <select name=\"" + IdentityForm.ROLES + "\">");
        for (String choice : ROLE_CHOICES) {
            roles.append("<option value=\"").append(escape(choice)).append('"')
                    .append(choice.equals(form.roles()) ? " selected" : "").append('>').append(escape(choice))
                    .append("</option>");
        }
        out.println(roles + "</select></label><br>");
        out.println("<label>Password <input type=\"password\" size=\"30\" name=\"" + IdentityForm.PASSWORD
                + "\" autocomplete=\"new-password\"> (at least " + IdentityRules.MIN_PASSWORD + " characters)</label><br>");
        out.println("<button type=\"submit\" class=\"ui-button\">Create</button>");
        out.println("</form></details>");
    }

    /** A one-button form acting on one identity; with a confirmation text, the browser asks first. */
    private static String rowForm(String formAction, String token, UserRow row, String action, String label,
            String confirmation) {
        return "<form method=\"post\" action=\"" + escape(formAction) + "\" style=\"display:inline\""
                + (confirmation == null ? ""
                        : " data-confirm=\"" + escape(confirmation) + "\" onsubmit=\"return confirm(this.dataset.confirm)\"")
                + ">" + hidden(AgentConsolePlugin.TOKEN_PARAMETER, token)
                + hidden(AgentConsolePlugin.ACTION_PARAMETER, action) + hidden(IdentityForm.SYS_ID, row.sysId())
                + "<button type=\"submit\" class=\"ui-button\">" + escape(label) + "</button></form>";
    }

    /**
     * @param identities every identity
     * @param agentName an agent
     * @return what the agents table says of its identity
     */
    static String identityOf(List<UserRow> identities, String agentName) {
        List<UserRow> own = identities.stream().filter(u -> agentName.equals(u.agent())).toList();
        if (own.isEmpty()) {
            return "no identity";
        }
        StringBuilder text = new StringBuilder();
        for (UserRow u : own) {
            text.append(text.length() == 0 ? "" : "; ").append(u.userName()).append(u.active() ? "" : " (disabled)");
        }
        return text.toString();
    }

    private static String cell(String value) {
        return "<td>" + escape(value) + "</td>";
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">";
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "—" : value;
    }
}
