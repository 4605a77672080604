package io.midway.agent.internal.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.AgentConfigSnapshot.Setting;

public class CentralSettingsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static AgentConfigSnapshot snapshot(String revision, Setting... settings) {
        return new AgentConfigSnapshot(revision, List.of(settings));
    }

    @Test
    public void valuesGoToTheirPidsAndAreKeptForTheNextStart() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("central-config.json");
        CentralSettings settings = new CentralSettings(file);
        assertNull(settings.revision());
        CentralSettings.Outcome outcome = settings.apply(snapshot("3",
                new Setting("threads.standard", "8", "global_property"),
                new Setting("protocol.http.connect.timeout.ms", "2500", "parameter")));
        assertEquals(Set.of("io.midway.agent", "io.midway.protocol.http"), outcome.changedPids());
        assertTrue(outcome.errors().isEmpty());
        assertEquals(Map.of("threads.standard", "8"), settings.overlay("io.midway.agent"));
        assertEquals(Map.of("connect.timeout.ms", "2500"), settings.overlay("io.midway.protocol.http"));
        assertTrue(settings.overlay("io.midway.probe.tcp").isEmpty());

        CentralSettings again = new CentralSettings(file);
        assertEquals("3", again.revision());
        assertEquals(Map.of("threads.standard", "8"), again.overlay("io.midway.agent"));
        assertEquals("global_property", again.values().get("threads.standard").source());
    }

    @Test
    public void aBadValueKeepsTheLastGoodOneAndIsReported() throws Exception {
        CentralSettings settings = new CentralSettings(tmp.getRoot().toPath().resolve("c.json"));
        settings.apply(snapshot("1", new Setting("threads.standard", "8", "global_property")));
        CentralSettings.Outcome outcome = settings.apply(snapshot("2",
                new Setting("threads.standard", "lots", "agent_property"),
                new Setting("instance.url", "https://elsewhere", "global_property"),
                new Setting("threads.future", "1", "global_property"),
                new Setting("poll.wait.ms", "1000", "global_property")));
        assertEquals("8", settings.overlay("io.midway.agent").get("threads.standard"));
        assertEquals("1000", settings.overlay("io.midway.agent").get("poll.wait.ms"));
        assertEquals(2, settings.overlay("io.midway.agent").size());
        assertEquals(3, outcome.errors().size());
        assertEquals("threads.standard must be a whole number from 1 to 1000, not 'lots'; keeping the last good value 8",
                outcome.errors().get(0).message());
        assertTrue(outcome.errors().get(1).message().startsWith("instance.url cannot be set from the instance"));
        assertEquals("this agent has no setting 'threads.future'", outcome.errors().get(2).message());
        assertEquals("2", settings.revision());
    }

    @Test
    public void removingAValueOnTheInstanceDeliversItsPidAgain() throws Exception {
        CentralSettings settings = new CentralSettings(null);
        settings.apply(snapshot("1", new Setting("probe.tcp.max.parallel.connects", "8", "global_property")));
        CentralSettings.Outcome same = settings.apply(snapshot("2",
                new Setting("probe.tcp.max.parallel.connects", "8", "agent_property")));
        assertTrue("the same value from another layer changes nothing delivered", same.changedPids().isEmpty());
        CentralSettings.Outcome removed = settings.apply(snapshot("3"));
        assertEquals(Set.of("io.midway.probe.tcp"), removed.changedPids());
        assertTrue(settings.overlay("io.midway.probe.tcp").isEmpty());
    }

    @Test
    public void aDamagedFileIsAnEmptySet() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("central-config.json");
        Files.writeString(file, "{not json");
        CentralSettings settings = new CentralSettings(file);
        assertNull(settings.revision());
        assertTrue(settings.values().isEmpty());
    }
}
