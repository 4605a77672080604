package io.midway.agent.console.internal;

import java.io.PrintWriter;

import io.midway.console.support.ConsoleHtml;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.PoolDTO;
import io.midway.api.agent.SettingDTO;
import io.midway.api.agent.SyncFileResultDTO;
import io.midway.api.agent.SyncResultDTO;
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
        rawRow(out, "Connection", connection(status));
        rawRow(out, "Status", ConsoleHtml.statusBadge(status.status, "Down".equals(status.status)
                ? "since the instance last heard from this agent (last contact " + orNone(status.lastContact, "never") + ")"
                : null));
        row(out, "Validated", status.validated ? "yes" : "no");
        row(out, "Last contact", orNone(status.lastContact, "never"));
        row(out, "Last error", orNone(status.lastError, "none"));
        row(out, "Spooled results", Integer.toString(status.spooled));
        row(out, "Processed", Long.toString(status.processed));
        row(out, "Failed", Long.toString(status.failed));
        row(out, "Capabilities", status.capabilities == null || status.capabilities.length == 0 ? "none"
                : String.join(", ", status.capabilities));
        row(out, "Sync revision", orNone(status.syncRevision, "never synced"));
        row(out, "Sync state", syncState(status));
        row(out, "Deploy folder", orNone(status.deployDir, "none"));
        out.println("</tbody>");
        out.println("</table>");
        renderLastSync(out, status);

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
        if (upgrade == null || upgrade.history == null || upgrade.history.length == 0) {
            out.println("<tr><td colspan=\"6\">No upgrades yet.</td></tr>");
        } else {
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

    /** @return the connection, in red when the instance cannot be reached */
    private static String connection(AgentStatusDTO status) {
        String connection = orNone(status.connection, "unknown");
        return "unreachable".equals(connection)
                ? "<span class=\"midway-connection-unreachable\" style=\"color:#c9302c;font-weight:bold\">"
                        + escape(connection) + "</span>"
                : escape(connection);
    }

    /**
     * @param status the agent's state
     * @return the sync state; when the last sync failed, which files failed and why
     */
    static String syncState(AgentStatusDTO status) {
        String state = orNone(status.syncState, "never synced");
        if (!"failed".equals(status.syncState)) {
            return state;
        }
        SyncResultDTO last = status.lastSync;
        if (last == null || last.files == null) {
            return "failed (before this start; Sync now tries again and shows each file)";
        }
        StringBuilder text = new StringBuilder("failed");
        String separator = ": ";
        for (SyncFileResultDTO f : last.files) {
            if (f != null && "failed".equals(f.outcome)) {
                text.append(separator).append(f.symbolicName).append(f.version == null ? "" : " " + f.version)
                        .append(" (").append(f.action).append(") ").append(orNone(f.message, "no reason given"));
                separator = "; ";
            }
        }
        return text.toString();
    }

    /** The last sync since the start, one row per file with its outcome and message. */
    private static void renderLastSync(PrintWriter out, AgentStatusDTO status) {
        SyncResultDTO last = status.lastSync;
        if (last == null || last.files == null || last.files.length == 0) {
            return;
        }
        out.println("<table class=\"nicetable\" id=\"midway-last-sync\">");
        out.println("<caption>Last sync: revision " + escape(last.revision) + ", " + escape(last.state) + "</caption>");
        out.println("<thead><tr><th>Symbolic name</th><th>Version</th><th>Action</th><th>Outcome</th><th>Message</th></tr></thead>");
        out.println("<tbody>");
        for (SyncFileResultDTO f : last.files) {
            if (f == null) {
                continue;
            }
            boolean failed = "failed".equals(f.outcome);
            out.println("<tr" + (failed ? " class=\"ui-state-error\"" : "") + "><td>" + escape(f.symbolicName) + "</td><td>"
                    + escape(f.version) + "</td><td>" + escape(f.action) + "</td><td>" + escape(f.outcome) + "</td><td>"
                    + escape(orNone(f.message, "")) + "</td></tr>");
        }
        out.println("</tbody>");
        out.println("</table>");
    }

    /**
     * Writes the "Configuration in effect" section: every setting with its value and source.
     *
     * @param out where to write
     * @param settings the agent's settings in effect
     * @param configPage the URL of the Web Console's configuration page of pid io.midway.agent
     */
    static void renderConfiguration(PrintWriter out, SettingDTO[] settings, String configPage) {
        out.println("<div id=\"midway-configuration\">");
        out.println(heading("Configuration in effect"));
        out.println("<p>The values this agent runs with and where each comes from. The environment "
                + "(<code>MIDWAY_INSTANCE_URL</code>, <code>MIDWAY_AGENT_NAME</code>, <code>MIDWAY_AGENT_USER</code>, "
                + "<code>MIDWAY_AGENT_PASSWORD</code> …) wins over <code>etc/io.midway.agent.cfg</code> and over the "
                + "<a href=\"" + escape(configPage) + "\">Configuration page</a>: a field there that the environment "
                + "overrides has <strong>no effect</strong> until the variable is unset. Passwords show only whether "
                + "they are set.</p>");
        out.println("<table class=\"nicetable\" id=\"midway-config\">");
        out.println("<thead><tr><th>Setting</th><th>Property</th><th>Value</th><th>Source</th><th>Note</th></tr></thead>");
        out.println("<tbody>");
        if (settings != null) {
            for (SettingDTO s : settings) {
                if (s == null) {
                    continue;
                }
                String source = orNone(s.source, "default") + (s.origin == null ? "" : " (" + s.origin + ")");
                String note = s.overridden == null ? ""
                        : "Set by the environment: the configuration's value " + s.overridden
                                + " has no effect; editing it on the Configuration page changes nothing.";
                out.println("<tr data-key=\"" + escape(s.key) + "\" data-source=\"" + escape(s.source) + "\"><td>"
                        + escape(orNone(s.label, s.key)) + "</td><td><code>" + escape(s.key) + "</code></td><td>"
                        + escape(s.value) + "</td><td>" + escape(source) + "</td><td>" + escape(note) + "</td></tr>");
            }
        }
        out.println("</tbody>");
        out.println("</table>");
        out.println("</div>");
    }

    /** A section title in the console's own header style. */
    /**
     * The File Cleaner: its settings, its last run (what it removed) and the next, and a button to run it now.
     *
     * @param out the page
     * @param cleaner the cleaner's state
     * @param formAction where the form posts
     * @param formToken the page's form token
     * @param configPage the Web Console's configuration page of the cleaner's pid
     */
    static void renderCleaner(PrintWriter out, io.midway.api.cleaner.CleanerStatusDTO cleaner, String formAction,
            String formToken, String configPage) {
        out.println("<div id=\"midway-cleaner\">");
        out.println(heading("File Cleaner"));
        out.println("<p>Removes files in the data folder that nothing uses any more and that are older than the maximum "
                + "age: rotated logs beyond the count, spool leftovers already handled, cached jars no longer installed, "
                + "core jars older than the last good one. Never a file in use. Settings: <code>etc/io.midway.agent.cleaner.cfg"
                + "</code> or the <a href=\"" + escape(configPage) + "\">Configuration page</a>.</p>");
        out.println("<table class=\"nicetable\" id=\"midway-cleaner-status\">");
        row(out, "State", cleaner.enabled ? "on: files older than " + cleaner.maxAgeDays + " days, every "
                + cleaner.intervalHours + " h" : "off");
        io.midway.api.cleaner.CleanerRunDTO last = cleaner.lastRun;
        row(out, "Last run", last == null ? "none yet" : last.started + " (" + last.trigger + ")");
        if (last != null) {
            row(out, "Removed", last.filesRemoved + " files, " + last.bytesFreed + " bytes freed"
                    + (last.failures > 0 ? ", " + last.failures + " could not be removed (see the log)" : ""));
        }
        row(out, "Next run", cleaner.nextRun == null ? "off" : cleaner.nextRun);
        out.println("</table>");
        if (last != null && last.removed != null && last.removed.length > 0) {
            out.println("<table class=\"nicetable\" id=\"midway-cleaner-removed\">");
            out.println("<thead><tr><th>Removed file</th><th>Bytes</th><th>Rule</th></tr></thead><tbody>");
            for (io.midway.api.cleaner.RemovedFileDTO r : last.removed) {
                out.println("<tr><td>" + escape(r.path) + "</td><td>" + r.size + "</td><td>" + escape(r.rule) + "</td></tr>");
            }
            out.println("</tbody></table>");
        }
        out.println("<form method=\"post\" action=\"" + escape(formAction) + "\" id=\"midway-clean\">");
        out.println("<input type=\"hidden\" name=\"" + AgentWebConsolePlugin.TOKEN_PARAMETER + "\" value=\""
                + escape(formToken) + "\">");
        out.println("<button type=\"submit\" name=\"action\" value=\"clean\">Clean now</button>");
        out.println("</form>");
        out.println("</div>");
    }

    private static String heading(String title) {
        return "<h2 class=\"ui-widget-header ui-corner-top\" style=\"margin:1.2em 0 0;padding:0.3em 0.6em;font-size:1.1em\">"
                + escape(title) + "</h2>";
    }

    private static void rawRow(PrintWriter out, String label, String html) {
        out.println("<tr><th>" + escape(label) + "</th><td>" + html + "</td></tr>");
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
