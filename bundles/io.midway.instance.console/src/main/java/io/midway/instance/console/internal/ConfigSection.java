package io.midway.instance.console.internal;

import static io.midway.console.support.ConsoleHtml.escape;
import static io.midway.instance.console.internal.RepositoryConsoleForms.cell;
import static io.midway.instance.console.internal.RepositoryConsoleForms.heading;

import java.io.PrintWriter;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.ResolvedSetting;

/**
 * The Agents page's section on configuration from the instance: for each agent the revision it
 * last applied, how it went, what it refused and why, and every setting in effect on it with its
 * source (its last report).
 */
final class ConfigSection {

    private ConfigSection() {
    }

    static void render(PrintWriter out, String revision, List<AgentConfigStatus> statuses) {
        out.println(heading("Configuration from the instance"));
        out.println("<p>The instance is at configuration revision <code>" + escape(revision) + "</code>; set "
                + "properties and parameters on the <a href=\"" + AgentPropertiesConsolePlugin.LABEL
                + "\">Agent properties</a> page. Each agent reports what it applied and every setting in effect "
                + "with its source.</p>");
        out.println("<table class=\"nicetable\" id=\"midway-agent-config\"><thead><tr><th>Agent</th>"
                + "<th>Applied revision</th><th>State</th><th>Refused</th><th>In effect</th></tr></thead><tbody>");
        if (statuses.isEmpty()) {
            out.println("<tr><td colspan=\"5\">No agent.</td></tr>");
        }
        for (AgentConfigStatus s : statuses) {
            String state = s.state() == null ? "not reported" : s.state()
                    + (revision.equals(s.revision()) ? "" : " (behind: the instance is at revision " + revision + ")");
            String stateCell = AgentConfigStatus.FAILED.equals(s.state())
                    ? "<td class=\"ui-state-error midway-config-failed\">" + escape(state) + "</td>" : cell(state);
            StringBuilder effective = new StringBuilder();
            if (s.effective().isEmpty()) {
                effective.append("<td>-</td>");
            } else {
                effective.append("<td><details><summary>").append(s.effective().size())
                        .append(" settings</summary><table class=\"midway-effective\">");
                for (ResolvedSetting e : s.effective()) {
                    effective.append("<tr>").append(cell(e.name())).append(cell(e.value())).append(cell(e.source()))
                            .append("</tr>");
                }
                effective.append("</table></details></td>");
            }
            out.println("<tr data-agent=\"" + escape(s.agent()) + "\">" + cell(s.agent()) + cell(s.revision())
                    + stateCell + "<td><pre>" + escape(s.errors()) + "</pre></td>" + effective + "</tr>");
        }
        out.println("</tbody></table>");
    }

    static void json(ObjectNode json, String revision, List<AgentConfigStatus> statuses) {
        json.put("config_revision", revision);
        ArrayNode array = json.putArray("agent_config");
        for (AgentConfigStatus s : statuses) {
            ObjectNode node = array.addObject();
            node.put("name", s.agent());
            node.put("config_revision", s.revision());
            node.put("config_state", s.state());
            node.put("config_errors", s.errors());
            ArrayNode effective = node.putArray("effective");
            for (ResolvedSetting e : s.effective()) {
                effective.addObject().put("name", e.name()).put("value", e.value()).put("source", e.source());
            }
        }
    }
}
