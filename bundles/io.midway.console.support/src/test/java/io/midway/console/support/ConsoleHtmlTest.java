package io.midway.console.support;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class ConsoleHtmlTest {

    @Test
    public void markupQuotesAndTheConsoleFilterCharactersAreEscaped() {
        assertEquals("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", ConsoleHtml.escape("<script>alert('x')</script>"));
        assertEquals("a &amp; &quot;b&quot;", ConsoleHtml.escape("a & \"b\""));
        assertEquals("&#36;{app_root}&#92;", ConsoleHtml.escape("${app_root}\\"));
        assertEquals("", ConsoleHtml.escape(null));
        assertEquals("plain text 1.2.3", ConsoleHtml.escape("plain text 1.2.3"));
    }
}
