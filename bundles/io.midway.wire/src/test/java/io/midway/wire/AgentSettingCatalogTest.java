package io.midway.wire;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.Test;

public class AgentSettingCatalogTest {

    @Test
    public void namesArePidAndKeyAndUnique() {
        assertEquals("threads.standard", AgentSettingCatalog.nameOf("io.midway.agent", "threads.standard"));
        assertEquals("protocol.http.connect.timeout.ms",
                AgentSettingCatalog.nameOf("io.midway.protocol.http", "connect.timeout.ms"));
        Set<String> names = new HashSet<>();
        for (AgentSettingSpec s : AgentSettingCatalog.all()) {
            assertTrue(s.name(), names.add(s.name()));
            assertEquals(s, AgentSettingCatalog.find(s.pid(), s.key()).orElseThrow());
            if (s.central()) {
                assertEquals("the default of " + s.name() + " is valid", s.defaultValue(), s.validate(s.defaultValue()));
            }
        }
    }

    @Test
    public void validValuesAreNormalised() {
        assertEquals("8", AgentSettingCatalog.validateCentral("threads.standard", " 8 "));
        assertEquals("false", AgentSettingCatalog.validateCentral("agent.cleaner.enabled", "FALSE"));
        assertEquals("id,lsof", AgentSettingCatalog.validateCentral("probe.ssh.privileged.commands", " id, ,lsof "));
        assertEquals("", AgentSettingCatalog.validateCentral("probe.ssh.privileged.commands", ""));
    }

    @Test
    public void badValuesNameTheSettingAndTheRule() {
        assertMessage("threads.standard must be a whole number from 1 to 1000, not 'abc'", "threads.standard", "abc");
        assertMessage("threads.standard must be a whole number from 1 to 1000, not 0", "threads.standard", "0");
        assertMessage("threads.standard must be a whole number from 1 to 1000, not 5000", "threads.standard", "5000");
        assertMessage("agent.cleaner.enabled must be true or false, not 'yes'", "agent.cleaner.enabled", "yes");
        assertTrue(message("probe.ssh.privileged.commands", "id; rm -rf /").contains("'id; rm -rf /' is not a name"));
    }

    @Test
    public void unknownAndLocalSettingsAreRefusedWithTheReason() {
        assertTrue(message("threads.bogus", "1").startsWith("unknown agent setting 'threads.bogus'; the instance can set threads.interactive,"));
        String url = message("instance.url", "https://evil.example");
        assertTrue(url, url.startsWith("instance.url cannot be set from the instance: it is the agent's identity"));
        assertTrue(message("agent.name", "x").contains("cannot be set from the instance"));
        assertTrue(message("probe.command.allowed", "sh=/bin/sh").contains("would run any program"));
        assertTrue(message(null, "1").startsWith("name is required"));
        assertFalse(AgentSettingCatalog.centralNames().contains("instance.url"));
    }

    @Test
    public void theCentralSettingsTheIssueNames() {
        for (String name : List.of("threads.standard", "poll.wait.ms", "result.batch.size", "protocol.http.connect.timeout.ms")) {
            assertTrue(name, AgentSettingCatalog.find(name).orElseThrow().central());
        }
    }

    private static void assertMessage(String expected, String name, String value) {
        assertEquals(expected, message(name, value));
    }

    private static String message(String name, String value) {
        return assertThrows(IllegalArgumentException.class, () -> AgentSettingCatalog.validateCentral(name, value)).getMessage();
    }
}
