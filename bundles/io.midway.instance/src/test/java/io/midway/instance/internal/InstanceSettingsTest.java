package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.Test;

public class InstanceSettingsTest {

    @Test
    public void defaultsWithoutConfigurationOrProperties() {
        InstanceSettings s = InstanceSettings.resolve(TestConfigurations.defaults(), Map.<String, String>of()::get,
                "0.1.0");
        assertEquals(Duration.ofSeconds(300), s.heartbeatInterval());
        assertEquals("timeout 0 means the interval", Duration.ofSeconds(300), s.heartbeatTimeout());
        assertEquals(Duration.ofSeconds(300), s.lease());
        assertFalse(s.autoValidate());
        assertEquals(Duration.ofMillis(60000), s.pollMaxWait());
        assertEquals("0.1.0", s.version());
        assertEquals(Duration.ofSeconds(1), s.checkPeriod());
    }

    @Test
    public void frameworkPropertyBeatsConfiguration() {
        InstanceSettings s = InstanceSettings.resolve(TestConfigurations.of(120, 0, 60, true, 1000),
                Map.of("midway.heartbeat.seconds", " 2 ", "midway.version", "9.9.9")::get, "0.1.0");
        assertEquals(Duration.ofSeconds(2), s.heartbeatInterval());
        assertEquals(Duration.ofSeconds(2), s.heartbeatTimeout());
        assertEquals(Duration.ofSeconds(60), s.lease());
        assertTrue(s.autoValidate());
        assertEquals("9.9.9", s.version());
        assertEquals("a quarter of a short interval", Duration.ofMillis(500), s.checkPeriod());
    }

    @Test
    public void configurationBeatsDefaultsAndBadValuesFallBack() {
        InstanceSettings s = InstanceSettings.resolve(TestConfigurations.of(120, 45, 0, false, -5),
                Map.of("midway.heartbeat.seconds", "soon")::get, "0.1.0");
        assertEquals(Duration.ofSeconds(120), s.heartbeatInterval());
        assertEquals(Duration.ofSeconds(45), s.heartbeatTimeout());
        assertEquals("non-positive lease falls back to the default", Duration.ofSeconds(300), s.lease());
        assertEquals(Duration.ZERO, s.pollMaxWait());
        assertEquals(Duration.ofSeconds(300), InstanceSettings.resolve(TestConfigurations.of(0, 0, 1, false, 1),
                Map.of("midway.heartbeat.seconds", "-3")::get, "x").heartbeatInterval());
    }

    @Test
    public void theSelectionAlgorithmIsNewByDefaultLegacyWhenSetAndNewForAnUnknownName() {
        assertEquals("new", InstanceSettings.resolve(TestConfigurations.defaults(), Map.<String, String>of()::get, "0.1.0")
                .selectionAlgorithm());
        assertEquals("legacy", InstanceSettings.resolve(TestConfigurations.of(300, 0, 300, false, 60000, " Legacy "),
                Map.<String, String>of()::get, "0.1.0").selectionAlgorithm());
        assertEquals("new", InstanceSettings.resolve(TestConfigurations.of(300, 0, 300, false, 60000, "newest"),
                Map.<String, String>of()::get, "0.1.0").selectionAlgorithm());
    }
}
