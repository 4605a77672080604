package io.midway.instance.console.internal;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.InstanceNodes;
import io.midway.instance.api.NodeRow;

/**
 * The "Instance nodes" section of the Agents page and of its JSON: the instance nodes serving this
 * database (one on the embedded H2; several on PostgreSQL), alive ones first, and which runs the
 * singleton jobs (heartbeat monitor, lease reaper, failover), as {@code instance:nodes} shows them.
 */
final class NodeSection {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private NodeSection() {
    }

    /**
     * @param out where to write
     * @param nodes the nodes
     * @param now the time the page is made
     */
    static void render(PrintWriter out, List<InstanceNodes.Node> nodes, Instant now) {
        out.println(AgentConsolePage.heading("Instance nodes"));
        long alive = nodes.stream().filter(InstanceNodes.Node::alive).count();
        String holder = InstanceNodes.jobsHolder(nodes).orElse(null);
        out.println("<p>" + alive + (alive == 1 ? " node alive" : " nodes alive")
                + (alive < nodes.size() ? ", " + (nodes.size() - alive) + " gone (not seen for "
                        + InstanceNodes.GONE_AFTER.toSeconds() + " s)" : "")
                + "; the singleton jobs (heartbeat monitor, lease reaper, failover) run on "
                + (holder == null ? "no node yet (a node takes them within seconds)"
                        : "node <code>" + AgentConsolePage.escape(holder) + "</code>")
                + ".</p>");
        out.println("<table class=\"nicetable\" id=\"midway-node-table\">");
        out.println("<thead><tr><th>Node</th><th>Host</th><th>PID</th><th>Version</th><th>Started</th>"
                + "<th>Last seen</th><th>State</th><th>Jobs</th></tr></thead>");
        out.println("<tbody>");
        for (InstanceNodes.Node n : nodes) {
            NodeRow r = n.row();
            out.println("<tr data-node=\"" + AgentConsolePage.escape(r.id()) + "\"><td>" + AgentConsolePage.escape(r.id())
                    + (n.self() ? " (this)" : "") + "</td><td>" + AgentConsolePage.escape(r.host()) + "</td><td>" + r.pid()
                    + "</td><td>" + AgentConsolePage.escape(r.version()) + "</td><td>"
                    + TIME.format(Instant.ofEpochMilli(r.startedMs())) + "</td><td>"
                    + (n.self() ? "now" : Math.max(0, now.toEpochMilli() - r.lastSeenMs()) / 1000 + " s ago")
                    + "</td><td>" + (n.alive() ? "alive" : "gone") + "</td><td>"
                    + (n.runsJobs() ? "yes" : "") + "</td></tr>");
        }
        out.println("</tbody>");
        out.println("</table>");
    }

    /**
     * @param json the page's JSON
     * @param nodes the nodes
     */
    static void json(ObjectNode json, List<InstanceNodes.Node> nodes) {
        ArrayNode array = json.putArray("nodes");
        for (InstanceNodes.Node n : nodes) {
            NodeRow r = n.row();
            array.addObject().put("id", r.id()).put("host", r.host()).put("pid", r.pid()).put("version", r.version())
                    .put("started_ms", r.startedMs()).put("last_seen_ms", r.lastSeenMs()).put("alive", n.alive())
                    .put("self", n.self()).put("runs_singleton_jobs", n.runsJobs());
        }
    }
}
