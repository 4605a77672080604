package io.midway.probe.command.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

public class CommandAllowListTest {

    @Test
    public void entriesMapNamesToAbsolutePaths() {
        CommandAllowList list = CommandAllowList.parse(new String[] {"uptime=/usr/bin/uptime", " df = /bin/df "});
        assertEquals(List.of("uptime", "df"), list.names());
        assertEquals(Path.of("/usr/bin/uptime"), list.executable("uptime"));
        assertEquals(Path.of("/bin/df"), list.executable("df"));
        assertNull(list.executable("rm"));
        assertTrue(list.problems().isEmpty());
    }

    @Test
    public void oneValueMayHoldSeveralEntriesSeparatedByCommas() {
        // A .cfg file has no lists: "allowed = uptime=/usr/bin/uptime, df=/bin/df"
        CommandAllowList list = CommandAllowList.parse(new String[] {"uptime=/usr/bin/uptime, df=/bin/df,"});
        assertEquals(List.of("uptime", "df"), list.names());
    }

    @Test
    public void emptyOrMissingConfigurationAllowsNothing() {
        assertTrue(CommandAllowList.parse(null).names().isEmpty());
        assertTrue(CommandAllowList.parse(new String[0]).names().isEmpty());
        assertTrue(CommandAllowList.parse(new String[] {""}).names().isEmpty());
        assertTrue(CommandAllowList.parse(new String[] {""}).problems().isEmpty());
    }

    @Test
    public void badEntriesAreIgnoredAndExplained() {
        CommandAllowList list = CommandAllowList.parse(new String[] {"relative=bin/tool", "noequals", "bad name=/bin/x",
                "=/bin/y", "ok=/bin/ok", "ok=/bin/other", "empty="});
        assertEquals(List.of("ok"), list.names());
        assertEquals(Path.of("/bin/ok"), list.executable("ok"));
        assertEquals(6, list.problems().size());
        assertTrue(list.problemFor("relative"), list.problemFor("relative").contains("absolute path"));
        assertTrue(list.problemFor("empty"), list.problemFor("empty").contains("absolute path"));
        assertNull(list.problemFor("noequals"));
        assertTrue(list.problems().toString(), list.problems().toString().contains("repeats the name 'ok'"));
    }
}
