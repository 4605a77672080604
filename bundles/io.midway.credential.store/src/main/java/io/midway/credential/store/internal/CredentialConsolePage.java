package io.midway.credential.store.internal;

import java.io.PrintWriter;
import java.util.List;

import io.midway.console.support.ConsoleHtml;

/**
 * Renders the Credentials page as an HTML fragment that the Web Console wraps in its own page.
 * It shows what {@link CredentialOverview} holds, which has no secret to show.
 *
 * <p>Every value is escaped, including {@code $} and {@code \}: the Web Console passes HTML output
 * through a filter that expands {@code ${...}} and unescapes {@code \$}.
 */
final class CredentialConsolePage {

    private CredentialConsolePage() {
    }

    /**
     * Writes the page.
     *
     * @param out where to write
     * @param overview what the store holds
     */
    static void render(PrintWriter out, CredentialOverview overview) {
        out.println("<div id=\"midway-credentials-page\">");

        out.println(heading("Credential store"));
        out.println("<table class=\"nicetable\" id=\"midway-credential-store\">");
        out.println("<tbody>");
        row(out, "Revision", overview.revision().isEmpty() ? "none received yet" : overview.revision());
        row(out, "Agent key", overview.agentKeyFingerprint() != null ? overview.agentKeyFingerprint()
                : "not available" + (overview.agentKeyNote() == null ? "" : ": " + overview.agentKeyNote()));
        row(out, "Credentials", Integer.toString(overview.credentials().size()));
        out.println("</tbody>");
        out.println("</table>");

        out.println(heading("Credentials"));
        if (overview.credentials().isEmpty()) {
            out.println("<p id=\"midway-credentials\">No credentials on this agent.</p>");
        } else {
            out.println("<table class=\"nicetable\" id=\"midway-credentials\">");
            out.println("<thead><tr><th>Name</th><th>Sys ID</th><th>Type</th><th>Order</th><th>Active</th>"
                    + "<th>External resolver</th><th>Secrets</th><th>Affinity</th></tr></thead>");
            out.println("<tbody>");
            for (CredentialOverview.Row c : overview.credentials()) {
                out.println("<tr>" + cell(c.name()) + cell(c.sysId()) + cell(c.type()) + cell(Integer.toString(c.order()))
                        + cell(c.active() ? "yes" : "no") + cell(resolver(c)) + cell(secrets(c))
                        + cell(c.affinity().isEmpty() ? "-" : String.join(", ", c.affinity())) + "</tr>");
            }
            out.println("</tbody>");
            out.println("</table>");
        }

        if (!overview.unusable().isEmpty()) {
            out.println(heading("Not usable (unknown type)"));
            out.println("<ul id=\"midway-credentials-unusable\">");
            for (String record : overview.unusable()) {
                out.println("<li>" + escape(record) + "</li>");
            }
            out.println("</ul>");
        }
        out.println("<p>Secrets are never shown. Test a credential with the shell command "
                + "<code>mid:credential-test &lt;id|name&gt; &lt;target&gt;</code>.</p>");
        out.println("</div>");
    }

    private static String resolver(CredentialOverview.Row c) {
        if (!c.external()) {
            return "-";
        }
        return c.externalId() == null ? c.resolver() : c.resolver() + " (" + c.externalId() + ")";
    }

    private static String secrets(CredentialOverview.Row c) {
        if (c.external()) {
            return "from the resolver on each use";
        }
        List<String> set = c.secretsSet();
        if (set.isEmpty()) {
            return "none set";
        }
        StringBuilder text = new StringBuilder();
        for (String field : set) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(field).append(" set");
        }
        return text.toString();
    }

    /** A section title in the console's own header style. */
    private static String heading(String title) {
        return "<h2 class=\"ui-widget-header ui-corner-top\" style=\"margin:1.2em 0 0;padding:0.3em 0.6em;font-size:1.1em\">"
                + escape(title) + "</h2>";
    }

    private static void row(PrintWriter out, String label, String value) {
        out.println("<tr><th>" + escape(label) + "</th><td>" + escape(value) + "</td></tr>");
    }

    private static String cell(String value) {
        return "<td>" + escape(value) + "</td>";
    }

    /**
     * @param text the text, may be {@code null}
     * @return it escaped for HTML and the Web Console's output filter
     */
    static String escape(String text) {
        return ConsoleHtml.escape(text);
    }
}
