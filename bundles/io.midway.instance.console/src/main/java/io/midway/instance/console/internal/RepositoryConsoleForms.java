package io.midway.instance.console.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.midway.console.support.ConsoleHtml;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.UploadSignatures;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * What the File sync, Upgrades and Credentials pages share: the session's anti-forgery token (the
 * same session attribute as the Agents page, so one token serves every Midway page), the outcome
 * of a POST kept for the page the redirect shows (POST-redirect-GET), paging, and small HTML and
 * JSON pieces.
 */
final class RepositoryConsoleForms {

    /** The most rows a list shows on one page. */
    static final int PAGE_SIZE = 50;

    private static final int KEPT_OUTCOMES = 32;

    /**
     * A message shown above a page after a POST.
     *
     * @param error whether it reports a failure
     * @param text the message
     */
    record Notice(boolean error, String text) {
    }

    private final Map<String, Notice> outcomes = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Notice> eldest) {
            return size() > KEPT_OUTCOMES;
        }
    };

    /**
     * Keeps a notice and redirects (303) to the page that shows it.
     *
     * @param request the POST
     * @param response its response
     * @param notice what to show
     */
    void redirectWith(HttpServletRequest request, HttpServletResponse response, Notice notice) {
        String id = UUID.randomUUID().toString();
        synchronized (outcomes) {
            outcomes.put(id, notice);
        }
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", ConsoleRequests.pluginRoot(request) + "?" + AgentConsolePlugin.OUTCOME_PARAMETER + "=" + id);
    }

    /** @return the notice the request's {@code outcome} parameter names, or {@code null} */
    Notice notice(HttpServletRequest request) {
        String id = request.getParameter(AgentConsolePlugin.OUTCOME_PARAMETER);
        if (id == null) {
            return null;
        }
        synchronized (outcomes) {
            return outcomes.get(id);
        }
    }

    /**
     * @param request the request
     * @param name a query parameter
     * @return its value as a non-negative whole number, 0 when absent or not one
     */
    static int offset(HttpServletRequest request, String name) {
        String text = request.getParameter(name);
        try {
            return text == null ? 0 : Math.max(0, Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** @return the message and detail of a refusal, for the operator */
    static String reason(InstanceException e) {
        return e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
    }

    static void writeJson(HttpServletResponse response, Object json) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    static void plainError(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().println(message);
    }

    static void startHtml(HttpServletResponse response) {
        if (response.getContentType() == null) {
            response.setContentType("text/html;charset=UTF-8");
        }
    }

    static void renderNotice(PrintWriter out, Notice notice) {
        if (notice != null) {
            out.println("<p id=\"midway-notice\" class=\"statline "
                    + (notice.error() ? "ui-state-error" : "ui-state-highlight") + "\">"
                    + ConsoleHtml.escape(notice.text()) + "</p>");
        }
    }

    /**
     * @return a paragraph saying whether uploads must be signed, and by whom, with where to change it
     *         (pid io.midway.instance.signing: etc/ or the Web Console's Configuration page)
     */
    static String signatures(UploadSignatures signatures) {
        String where = " Change it in <code>etc/io.midway.instance.signing.cfg</code> or on OSGi &rarr; Configuration "
                + "&rarr; <em>Midway signed bundles</em>.";
        if (!signatures.problem().isEmpty()) {
            return "<p id=\"midway-signatures\" class=\"midway-error\">Signatures are required, but the configuration "
                    + "cannot be used, so every upload is refused: " + ConsoleHtml.escape(signatures.problem()) + "." + where
                    + "</p>";
        }
        if (!signatures.required()) {
            return "<p id=\"midway-signatures\">Signatures: not required (any bundle jar is taken)." + where + "</p>";
        }
        StringBuilder b = new StringBuilder("<p id=\"midway-signatures\">Signatures: required. A jar must be signed, "
                + "every entry, by one of these signers (SHA-256 of the certificate):</p><ul id=\"midway-signers\">");
        for (String fingerprint : signatures.allowedSigners()) {
            b.append("<li><code>").append(ConsoleHtml.escape(fingerprint)).append("</code></li>");
        }
        return b.append("</ul><p>").append(where.strip()).append("</p>").toString();
    }

    /** @return a hidden form field carrying the token */
    static String tokenField(String token) {
        return "<input type=\"hidden\" name=\"" + AgentConsolePlugin.TOKEN_PARAMETER + "\" value=\""
                + ConsoleHtml.escape(token) + "\">";
    }

    /** @return a table cell, its text escaped; a dash for null or empty */
    static String cell(String text) {
        return "<td>" + (text == null || text.isEmpty() ? "—" : ConsoleHtml.escape(text)) + "</td>";
    }

    static String heading(String text) {
        return "<p class=\"statline ui-state-highlight\"><strong>" + ConsoleHtml.escape(text) + "</strong></p>";
    }

    /**
     * A "previous / next" line for a paged list.
     *
     * @param root the page URL
     * @param parameter the offset parameter of this list
     * @param offset the offset shown
     * @param shown how many rows are shown
     * @param more whether there are rows after them
     * @return the HTML, or empty when everything is shown
     */
    static String pager(String root, String parameter, int offset, int shown, boolean more) {
        if (offset == 0 && !more) {
            return "";
        }
        StringBuilder html = new StringBuilder("<p class=\"midway-pager\">Rows " + (shown == 0 ? offset : offset + 1)
                + "–" + (offset + shown) + ". ");
        if (offset > 0) {
            html.append("<a href=\"").append(ConsoleHtml.escape(root + "?" + parameter + "="
                    + Math.max(0, offset - PAGE_SIZE))).append("\">previous</a> ");
        }
        if (more) {
            html.append("<a rel=\"next\" href=\"").append(ConsoleHtml.escape(root + "?" + parameter + "="
                    + (offset + PAGE_SIZE))).append("\">next</a>");
        }
        return html.append("</p>").toString();
    }
}
