package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.AgentSettingChange;
import io.midway.instance.api.ConfigError;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.ResolvedSetting;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;

/**
 * Configuration from the instance (issue 17) on the embedded engine: properties and parameters
 * checked against the catalog, one revision per change (kept across a restart), the resolved set
 * per agent, the agents' reports and their events, and polls woken by a change.
 */
public class AgentSettingsTest extends ServiceFixture {

    private static final TableSchema PROPERTY = TableSchema.ECC_AGENT_PROPERTY;
    private static final TableSchema PARAMETER = TableSchema.ECC_AGENT_CONFIG;

    private AgentSettingService central() {
        return service.agentSettings();
    }

    @Test
    public void everyChangeTakesOneRevisionKeptAcrossARestart() {
        register("m1");
        assertEquals("0", central().revision());
        AgentSetting global = central().create(PROPERTY, new AgentSettingChange("threads.standard", " 8 ", ""));
        assertEquals("normalised by the catalog", "8", global.value());
        assertEquals("1", central().revision());
        central().update(PROPERTY, global.sysId(), new AgentSettingChange(null, "12", null));
        assertEquals("2", central().revision());
        central().put(PARAMETER, "threads.standard", "m1", "3");
        assertEquals("3", central().revision());
        assertEquals("a poll reply carries it", "3", service.polls().poll("m1", 10).configRevision());
        restartService();
        assertEquals("3", central().revision());
        assertEquals("12", central().setting(PROPERTY, global.sysId()).orElseThrow().value());
        central().delete(PROPERTY, global.sysId());
        assertEquals("4", central().revision());
        assertTrue(central().setting(PROPERTY, global.sysId()).isEmpty());
        assertTrue(central().remove(PARAMETER, "threads.standard", "m1"));
        assertFalse("nothing left to remove, no revision", central().remove(PARAMETER, "threads.standard", "m1"));
        assertEquals("5", central().revision());
    }

    @Test
    public void badValuesAreRefusedWithTheRuleAndChangeNothing() {
        register("m1");
        InstanceException bad = assertThrows(InstanceException.class,
                () -> central().create(PROPERTY, new AgentSettingChange("threads.standard", "abc", "")));
        assertEquals(InstanceException.Reason.INVALID, bad.reason());
        assertEquals("threads.standard must be a whole number from 1 to 1000, not 'abc'", bad.getMessage());
        InstanceException range = assertThrows(InstanceException.class,
                () -> central().put(PROPERTY, "agent.cleaner.max.age.days", "", "0"));
        assertTrue(range.getMessage(), range.getMessage().contains("from 1 to 3650"));
        InstanceException local = assertThrows(InstanceException.class,
                () -> central().create(PROPERTY, new AgentSettingChange("instance.url", "http://x", "")));
        assertEquals(InstanceException.Reason.INVALID, local.reason());
        assertTrue(local.getMessage(), local.getMessage().startsWith("instance.url cannot be set from the instance"));
        InstanceException noAgent = assertThrows(InstanceException.class,
                () -> central().create(PARAMETER, new AgentSettingChange("threads.standard", "5", "")));
        assertTrue(noAgent.getMessage(), noAgent.getMessage().contains("field 'agent' is required"));
        InstanceException unknownAgent = assertThrows(InstanceException.class,
                () -> central().create(PARAMETER, new AgentSettingChange("threads.standard", "5", "ghost")));
        assertEquals(InstanceException.Reason.INVALID, unknownAgent.reason());
        assertTrue(unknownAgent.getMessage(), unknownAgent.getMessage().contains("'ghost' is not registered"));
        InstanceException unknownName = assertThrows(InstanceException.class,
                () -> central().create(PROPERTY, new AgentSettingChange("threads.bogus", "5", "")));
        assertTrue(unknownName.getMessage(), unknownName.getMessage().contains("unknown agent setting 'threads.bogus'"));
        assertEquals("nothing refused took a revision", "0", central().revision());

        central().create(PROPERTY, new AgentSettingChange("threads.standard", "5", "m1"));
        InstanceException twice = assertThrows(InstanceException.class,
                () -> central().create(PROPERTY, new AgentSettingChange("threads.standard", "6", "m1")));
        assertEquals(InstanceException.Reason.CONFLICT, twice.reason());
        assertEquals("1", central().revision());
    }

    @Test
    public void anAgentGetsParameterOverItsPropertyOverTheGlobalOne() {
        register("m1");
        register("m2");
        central().put(PROPERTY, "threads.standard", "", "8");
        central().put(PROPERTY, "threads.expedited", "", "9");
        central().put(PROPERTY, "agent.cleaner.enabled", "", "TRUE");
        central().put(PROPERTY, "threads.standard", "m1", "7");
        central().put(PROPERTY, "threads.expedited", "m1", "6");
        central().put(PARAMETER, "threads.expedited", "m1", "5");
        central().put(PARAMETER, "poll.wait.ms", "m2", "1000");
        assertEquals(List.of(
                new ResolvedSetting("agent.cleaner.enabled", "true", "global_property"),
                new ResolvedSetting("threads.expedited", "5", "parameter"),
                new ResolvedSetting("threads.standard", "7", "agent_property")), central().resolve("m1"));
        assertEquals(List.of(
                new ResolvedSetting("agent.cleaner.enabled", "true", "global_property"),
                new ResolvedSetting("poll.wait.ms", "1000", "parameter"),
                new ResolvedSetting("threads.expedited", "9", "global_property"),
                new ResolvedSetting("threads.standard", "8", "global_property")), central().resolve("m2"));
        TableQuery byAgent = TableQuery.parse(PROPERTY, "agent=m1", null, "100", "0");
        assertEquals(2, central().settings(byAgent).size());
        assertEquals(2L, (long) service.core().read(s -> s.count(byAgent)));
    }

    @Test
    public void aChangeWritesAnEventNamingWhatChanged() {
        register("m1");
        central().put(PARAMETER, "threads.standard", "m1", "4");
        InstanceEvent event = service.events().latestEvents(1).get(0);
        assertEquals(InstanceEvent.AGENT_CONFIG_CHANGED, event.name());
        assertEquals("m1", event.agent());
        assertEquals("ecc_agent_config threads.standard = '4' for agent m1 (revision 1)", event.detail());
    }

    @Test
    public void aReportIsKeptAndWritesOneEventPerRevisionAndState() {
        register("m1");
        assertEquals(null, central().status("m1").orElseThrow().state());
        List<ResolvedSetting> effective = List.of(new ResolvedSetting("threads.standard", "25", "default"));
        central().report("m1", "3", "failed", List.of(new ConfigError("threads.standard", "0", "must be at least 1")),
                effective);
        central().report("m1", "3", "failed", List.of(new ConfigError("threads.standard", "0", "must be at least 1")),
                effective);
        AgentConfigStatus status = central().status("m1").orElseThrow();
        assertEquals("3", status.revision());
        assertEquals("failed", status.state());
        assertEquals("threads.standard='0': must be at least 1", status.errors());
        assertEquals(effective, status.effective());
        List<InstanceEvent> events = service.events().latestEvents(10).stream()
                .filter(e -> e.name().startsWith("config.")).toList();
        assertEquals("the same report twice: one event", 1, events.size());
        assertEquals(InstanceEvent.CONFIG_FAILED, events.get(0).name());
        assertTrue(events.get(0).detail(), events.get(0).detail().contains("threads.standard='0': must be at least 1"));
        central().report("m1", "4", "applied", List.of(), effective);
        assertEquals(InstanceEvent.CONFIG_APPLIED, service.events().latestEvents(1).get(0).name());
        assertEquals("applied", central().status("m1").orElseThrow().state());
        InstanceException unknown = assertThrows(InstanceException.class,
                () -> central().report("ghost", "4", "applied", List.of(), List.of()));
        assertEquals(InstanceException.Reason.NOT_FOUND, unknown.reason());
        assertThrows(InstanceException.class, () -> central().report("m1", "4", "maybe", List.of(), List.of()));
    }

    @Test
    public void aPollWithAnOldConfigRevisionAnswersAtOnceAndAWaitingOneWakesOnAChange() throws Exception {
        register("m1");
        central().put(PROPERTY, "threads.standard", "", "8");
        CompletableFuture<PollResult> behind = service.polls().longPoll("m1", 10, 10_000, null, null, null, "0");
        assertTrue("an old revision answers at once", behind.isDone());
        assertEquals("1", behind.get().configRevision());
        CompletableFuture<PollResult> current = service.polls().longPoll("m1", 10, 10_000, null, null, null, "1");
        assertFalse("the current revision waits", current.isDone());
        central().put(PROPERTY, "threads.standard", "", "9");
        assertEquals("2", current.get(5, TimeUnit.SECONDS).configRevision());
    }
}
