package io.midway.agent.console.internal;

import java.io.PrintWriter;

import io.midway.console.support.ConsoleHtml;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.PoolDTO;
import io.midway.api.agent.UpgradeStatusDTO;
import io.midway.api.upgrade.UpgradeRecordDTO;

/**
 * Renders the Midway page as an HTML fragment that the Web Console wraps in its own page.
 *
 * <p>Every value is escaped, including {@code $} and {@code \}: the Web Console passes HTML output
 * through a filter that expands {@code ${...}} and unescapes {@code \$}.
 */
final class AgentStatusPage {

    /** A message shown above the status, after an action. */
    static final class Notice {
        final boolean error;
        final String text;

        Notice(boolean error, String text) {
            this.error = error;
            this.text = text;
        }
    }

    private AgentStatusPage() {
    }

    /**
     * Writes the page.
     *
     * @param out where to write
     * @param status the agent's state
     * @param bundles the agent's plug-in bundles
     * @param upgrade the core's upgrade state
     * @param formAction the URL the Pause/Resume form posts to
     * @param formToken the anti-forgery token the form carries
     * @param notice a message from the last action, or {@code null}
     */
    static void render(PrintWriter out, AgentStatusDTO status, PluginBundleDTO[] bundles, UpgradeStatusDTO upgrade,
            String formAction, String formToken, Notice notice) {
        out.println("<div id=\"midway-agent\">");
        if (notice != null) {
            out.println("<p class=\"statline " + (notice.error ? "ui-state-error" : "ui-state-highlight") + "\">"
                    + escape(notice.text) + "</p>");
        }

        out.println(heading("Agent"));
        out.println("<table class=\"nicetable\" id=\"midway-status\">");
        out.println("<tbody>");
        row(out, "Name", orNone(status.name, "unknown"));
        row(out, "Version", orNone(status.version, "unknown"));
        row(out, "Instance URL", orNone(status.instanceUrl, "not set"));
        row(out, "Connection", orNone(status.connection, "unknown"));
        row(out, "Status", orNone(status.status, "unknown"));
        row(out, "Validated", status.validated ? "yes" : "no");
        row(out, "Last contact", orNone(status.lastContact, "never"));
        row(out, "Last error", orNone(status.lastError, "none"));
        row(out, "Spooled results", Integer.toString(status.spooled));
        row(out, "Processed", Long.toString(status.processed));
        row(out, "Failed", Long.toString(status.failed));
        row(out, "Capabilities", status.capabilities == null || status.capabilities.length == 0 ? "none"
                : String.join(", ", status.capabilities));
        row(out, "Sync revision", orNone(status.syncRevision, "never synced"));
        row(out, "Sync state", orNone(status.syncState, "never synced"));
        row(out, "Deploy folder", orNone(status.deployDir, "none"));
        out.println("</tbody>");
        out.println("</table>");

        out.println("<form method=\"post\" action=\"" + escape(formAction) + "\" id=\"midway-actions\">");
        out.println("<input type=\"hidden\" name=\"" + AgentWebConsolePlugin.TOKEN_PARAMETER + "\" value=\"" + escape(formToken) + "\">");
        out.println("<button type=\"submit\" class=\"ui-button\" name=\"action\" value=\"pause\">Pause</button>");
        out.println("<button type=\"submit\" class=\"ui-button\" name=\"action\" value=\"resume\">Resume</button>");
        out.println("<button type=\"submit\" class=\"ui-button\" name=\"action\" value=\"sync\">Sync now</button>");
        out.println("<button type=\"submit\" class=\"ui-button\" name=\"action\" value=\"upgrade\">Check for upgrade</button>");
        out.println("</form>");

        out.println(heading("Probes"));
        if (status.probes == null || status.probes.length == 0) {
            out.println("<p id=\"midway-probes\">No probes installed.</p>");
        } else {
            out.println("<ul id=\"midway-probes\">");
            for (String topic : status.probes) {
                out.println("<li>" + escape(topic) + "</li>");
            }
            out.println("</ul>");
        }

        out.println(heading("Plug-in bundles"));
        out.println("<table class=\"nicetable\" id=\"midway-bundles\">");
        out.println("<thead><tr><th>Id</th><th>Symbolic name</th><th>Version</th><th>Origin</th><th>Kind</th><th>State</th>"
                + "<th>Provides</th><th>SHA-256</th></tr></thead>");
        out.println("<tbody>");
        if (bundles != null) {
            for (PluginBundleDTO b : bundles) {
                if (b == null) {
                    continue;
                }
                String sha = b.sha256 == null ? "" : b.sha256.length() > 12 ? b.sha256.substring(0, 12) + "…" : b.sha256;
                String name = b.symbolicName != null ? b.symbolicName : "(" + b.file + ")";
                String state = b.id < 0 ? "not installed" : b.state;
                // A bundle that does not run says why, in its row (e.g. the resolver's missing requirement).
                String problem = b.problem == null ? ""
                        : "<div class=\"midway-problem\" style=\"color:#b00020\">"
                                + escape((b.file == null ? "" : "deploy/" + b.file + ": ") + b.problem) + "</div>";
                out.println("<tr" + (b.problem == null ? "" : " class=\"midway-bundle-problem\"") + "><td>"
                        + (b.id < 0 ? "" : String.valueOf(b.id)) + "</td><td>" + escape(name) + problem + "</td><td>"
                        + escape(orNone(b.version, "")) + "</td><td>" + escape(b.origin) + "</td><td>"
                        + escape(orNone(b.kind, "")) + "</td><td>" + escape(state) + "</td><td>"
                        + escape(b.provides == null ? "" : String.join(", ", b.provides))
                        + "</td><td title=\"" + escape(b.sha256) + "\">" + escape(sha) + "</td></tr>");
            }
        }
        out.println("</tbody>");
        out.println("</table>");

        out.println(heading("Core upgrade"));
        out.println("<table class=\"nicetable\" id=\"midway-upgrade\">");
        out.println("<tbody>");
        if (upgrade != null) {
            row(out, "Running version", orNone(upgrade.currentVersion, "unknown"));
            row(out, "Target version", orNone(upgrade.targetVersion, "unknown"));
            row(out, "Pinned version", orNone(upgrade.pinnedVersion, "not pinned"));
            row(out, "State", orNone(upgrade.state, "unknown"));
            if (upgrade.lastFailure != null) {
                row(out, "Last failure", upgrade.lastFailure);
            }
        }
        out.println("</tbody>");
        out.println("</table>");
        out.println("<table class=\"nicetable\" id=\"midway-upgrade-history\">");
        out.println("<thead><tr><th>Started</th><th>From</th><th>To</th><th>Outcome</th><th>Reason</th><th>Finished</th></tr></thead>");
        out.println("<tbody>");
        if (upgrade != null && upgrade.history != null) {
            for (int i = upgrade.history.length - 1; i >= 0; i--) {
                UpgradeRecordDTO r = upgrade.history[i];
                if (r == null) {
                    continue;
                }
                out.println("<tr><td>" + escape(r.started) + "</td><td>" + escape(r.fromVersion) + "</td><td>"
                        + escape(r.toVersion) + "</td><td>" + escape(r.outcome) + "</td><td>" + escape(orNone(r.reason, ""))
                        + "</td><td>" + escape(orNone(r.finished, "")) + "</td></tr>");
            }
        }
        out.println("</tbody>");
        out.println("</table>");

        out.println(heading("Worker pools"));
        out.println("<table class=\"nicetable\" id=\"midway-pools\">");
        out.println("<thead><tr><th>Name</th><th>Threads</th><th>Active</th><th>Queued</th><th>Completed</th></tr></thead>");
        out.println("<tbody>");
        if (status.pools != null) {
            for (PoolDTO pool : status.pools) {
                if (pool == null) {
                    continue;
                }
                out.println("<tr><td>" + escape(pool.name) + "</td><td>" + pool.threads + "</td><td>" + pool.active + "</td><td>"
                        + pool.queued + "</td><td>" + pool.completed + "</td></tr>");
            }
        }
        out.println("</tbody>");
        out.println("</table>");
        out.println("</div>");
    }

    /** A section title in the console's own header style. */
    private static String heading(String title) {
        return "<h2 class=\"ui-widget-header ui-corner-top\" style=\"margin:1.2em 0 0;padding:0.3em 0.6em;font-size:1.1em\">"
                + escape(title) + "</h2>";
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println("<tr><th>" + escape(label) + "</th><td>" + escape(value) + "</td></tr>");
    }

    private static String orNone(String value, String none) {
        return value == null || value.isEmpty() ? none : value;
    }

    /**
     * @param text the text, may be {@code null}
     * @return it escaped for HTML and the Web Console's output filter
     */
    static String escape(String text) {
        return ConsoleHtml.escape(text);
    }
}
