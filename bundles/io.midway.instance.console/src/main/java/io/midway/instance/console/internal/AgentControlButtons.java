package io.midway.instance.console.internal;

import java.util.List;

import io.midway.instance.api.Agent;

/**
 * The Restart, Restart process, Stop and Grab logs buttons of an agent on the Agents page. Each is
 * a form of the ECC Queue page's enqueue action ({@code POST /system/console/ecc-queue},
 * {@code action=enqueue}, the session's form token): it inserts a {@code SystemCommand} output record
 * for the agent, at priority 0, as {@code POST /api/now/table/ecc_queue} does, and the browser lands
 * on that record's page, which shows the agent's answer once it arrives.
 */
final class AgentControlButtons {

    /** The topic the agent answers restart, stop and grab_logs on. */
    static final String TOPIC = "SystemCommand";

    /**
     * One button.
     *
     * @param label the button's text
     * @param payload the SystemCommand payload
     * @param confirmation what the browser asks before sending, or {@code null}
     */
    record Button(String label, String payload, String confirmation) {
    }

    /** The buttons, in the order shown. */
    static final List<Button> BUTTONS = List.of(
            new Button("Restart", "{\"command\":\"restart\",\"mode\":\"in_place\"}",
                    "Restart the core and plug-ins of agent %s (the JVM keeps running)?"),
            new Button("Restart process", "{\"command\":\"restart\",\"mode\":\"process\"}",
                    "Restart the whole process of agent %s? It needs a supervisor (systemd) to start it again."),
            new Button("Stop", "{\"command\":\"stop\"}",
                    "Stop agent %s? Nothing starts it again until someone does on its host."),
            new Button("Grab logs", "{\"command\":\"grab_logs\",\"lines\":500}", null));

    private AgentControlButtons() {
    }

    /**
     * @param agentsRoot the Agents page's address, e.g. {@code /system/console/agents}
     * @return the ECC Queue page's address beside it
     */
    static String eccQueueRoot(String agentsRoot) {
        String suffix = "/" + AgentConsolePlugin.LABEL;
        return agentsRoot.endsWith(suffix)
                ? agentsRoot.substring(0, agentsRoot.length() - suffix.length()) + "/" + EccQueueConsolePlugin.LABEL
                : "/system/console/" + EccQueueConsolePlugin.LABEL;
    }

    /**
     * @param agentsRoot the Agents page's address
     * @param token the session's form token
     * @param agent the agent
     * @return the agent's control buttons as HTML
     */
    static String html(String agentsRoot, String token, Agent agent) {
        String action = eccQueueRoot(agentsRoot);
        StringBuilder html = new StringBuilder("<div class=\"midway-agent-control\">");
        for (Button b : BUTTONS) {
            html.append("<form method=\"post\" action=\"").append(AgentConsolePage.escape(action))
                    .append("\" style=\"display:inline\"");
            if (b.confirmation() != null) {
                html.append(" data-confirm=\"").append(AgentConsolePage.escape(String.format(b.confirmation(), agent.name())))
                        .append("\" onsubmit=\"return confirm(this.dataset.confirm)\"");
            }
            html.append(">")
                    .append(hidden(AgentConsolePlugin.TOKEN_PARAMETER, token))
                    .append(hidden(AgentConsolePlugin.ACTION_PARAMETER, EccQueueConsolePlugin.ACTION_ENQUEUE))
                    .append(hidden("agent", "mid.server." + agent.name()))
                    .append(hidden("topic", TOPIC))
                    .append(hidden("name", b.label() + " from the Agents page"))
                    .append(hidden("priority", "0"))
                    .append(hidden("payload", b.payload()))
                    .append("<button type=\"submit\" class=\"ui-button\">").append(AgentConsolePage.escape(b.label()))
                    .append("</button></form> ");
        }
        return html.append("</div>").toString();
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + AgentConsolePage.escape(name) + "\" value=\""
                + AgentConsolePage.escape(value) + "\">";
    }
}
