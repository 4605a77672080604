package io.midway.console.support;

/** HTML output of the Midway Web Console pages. */
public final class ConsoleHtml {

    private ConsoleHtml() {
    }

    /**
     * Escapes text for HTML element content and quoted attribute values, and for the Web Console's
     * output filter, which would otherwise expand {@code $} and {@code \}.
     *
     * @param text the text, may be {@code null}
     * @return the escaped text, empty for {@code null}
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                case '$' -> escaped.append("&#36;");
                case '\\' -> escaped.append("&#92;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /**
     * An agent status as a coloured badge, so that the statuses look different at a glance:
     * {@code Up} green, {@code Down} and {@code Upgrade Failed} white on red and bold,
     * {@code Paused} amber, {@code Upgrading} blue, anything else grey. The badge carries the class
     * {@code midway-status midway-status-<status>} (lower case, dashes) for scripts and tests.
     *
     * @param status the status, may be {@code null}
     * @param detail text after the status, e.g. {@code since 2026-12-06 10:00:00 UTC}, or {@code null}
     * @return the HTML, values escaped
     */
    public static String statusBadge(String status, String detail) {
        String text = status == null || status.isBlank() ? "unknown" : status;
        String style = switch (text) {
            case "Up" -> "background:#dff0d8;color:#2b542c;border:1px solid #3c763d";
            case "Down", "Upgrade Failed" -> "background:#c9302c;color:#fff;font-weight:bold;border:1px solid #761c19";
            case "Paused" -> "background:#fcf8e3;color:#8a6d3b;border:1px solid #c09853";
            case "Upgrading" -> "background:#d9edf7;color:#245269;border:1px solid #31708f";
            default -> "background:#eee;color:#555;border:1px solid #999";
        };
        String css = "midway-status midway-status-" + text.toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
        return "<span class=\"" + escape(css) + "\" style=\"" + style + ";padding:0 0.4em;border-radius:3px\">"
                + escape(text) + "</span>" + (detail == null || detail.isBlank() ? "" : " " + escape(detail));
    }
}
