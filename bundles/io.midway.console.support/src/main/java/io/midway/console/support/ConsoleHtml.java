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
}
