package io.midway.console.support;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

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

    @Test
    public void statusesLookDifferentAndDownStandsOut() {
        String up = ConsoleHtml.statusBadge("Up", null);
        String down = ConsoleHtml.statusBadge("Down", "since 2026-12-06 10:00:00 UTC");
        String paused = ConsoleHtml.statusBadge("Paused", null);
        String failed = ConsoleHtml.statusBadge("Upgrade Failed", null);
        assertTrue(up, up.contains("midway-status-up"));
        assertTrue(down, down.contains("class=\"midway-status midway-status-down\""));
        assertTrue(down, down.contains("font-weight:bold") && down.contains("#c9302c"));
        assertTrue(down, down.endsWith("</span> since 2026-12-06 10:00:00 UTC"));
        assertTrue(failed, failed.contains("midway-status-upgrade-failed") && failed.contains("font-weight:bold"));
        assertNotEquals(style(up), style(down));
        assertNotEquals(style(up), style(paused));
        assertNotEquals(style(paused), style(down));
        assertTrue(ConsoleHtml.statusBadge(null, null).contains(">unknown</span>"));
        assertTrue("escaped", ConsoleHtml.statusBadge("<b>", "$x").contains("&lt;b&gt;</span> &#36;x"));
    }

    private static String style(String badge) {
        int at = badge.indexOf("style=\"");
        return badge.substring(at, badge.indexOf('"', at + 7));
    }
}
