package io.midway.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.agent.internal.config.CentralConfiguration;
import io.midway.agent.internal.config.CentralSettings;
import io.midway.api.agent.PoolDTO;
import io.midway.api.probe.Probe;
import io.midway.wire.AgentConfigSnapshot;
import io.midway.wire.AgentConfigSnapshot.Setting;
import io.midway.wire.ConfigReport;

/** The agent takes settings from the instance at each new revision, and applies them without stopping. */
public class AgentCentralConfigTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeInstance instance;
    private AgentRuntime agent;
    private Path spoolDir;
    private TestCentral central;

    /** The real settings without Config Admin: records which pids it would deliver again. */
    static final class TestCentral implements CentralConfiguration {
        final CentralSettings settings;
        final List<Set<String>> delivered = new CopyOnWriteArrayList<>();

        TestCentral(Path file) {
            this.settings = new CentralSettings(file);
        }

        @Override
        public String revision() {
            return settings.revision();
        }

        @Override
        public CentralSettings.Outcome apply(AgentConfigSnapshot snapshot) throws IOException {
            CentralSettings.Outcome outcome = settings.apply(snapshot);
            delivered.add(outcome.changedPids());
            return outcome;
        }

        @Override
        public List<ConfigReport.Error> errors() {
            return settings.errors();
        }

        @Override
        public Map<String, CentralSettings.Value> values() {
            return settings.values();
        }

        @Override
        public List<Setting> effective() {
            List<Setting> out = new ArrayList<>();
            settings.values().forEach((name, v) -> out.add(new Setting(name, v.value(), v.source())));
            return out;
        }
    }

    @Before
    public void setUp() throws IOException {
        instance = FakeInstance.start();
        spoolDir = tmp.getRoot().toPath().resolve("spool");
        central = new TestCentral(tmp.getRoot().toPath().resolve("central-config.json"));
    }

    @After
    public void tearDown() {
        if (agent != null) {
            agent.stop();
        }
        instance.close();
    }

    private AgentSettings settings(int standard, long pollWaitMs) {
        return new AgentSettings(instance.url(), "test", "mid", "secret", 1, 1, standard, pollWaitMs, 100, spoolDir,
                null, spoolDir.resolveSibling("sync"));
    }

    private void start(AgentSettings settings) {
        try {
            agent = new AgentRuntime(settings, "9.9.9", AgentRuntimeTest.FAST);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        agent.centralConfiguration(central);
        agent.start();
    }

    private ConfigReport awaitReport(String revision) {
        Await.until("a report of revision " + revision, () -> instance.configReports.stream()
                .anyMatch(r -> r.revision().equals(revision)), () -> "reports: " + instance.configReports);
        return instance.configReports.stream().filter(r -> r.revision().equals(revision)).findFirst().orElseThrow();
    }

    @Test
    public void takesEachNewRevisionKeepsTheLastGoodValueAndReports() throws Exception {
        instance.configRevision = "0";
        start(settings(2, 200));
        ConfigReport first = awaitReport("0");
        assertEquals(ConfigReport.STATE_APPLIED, first.state());
        assertEquals("test", first.name());

        instance.config = new AgentConfigSnapshot("1", List.of(new Setting("threads.standard", "3", "global_property")));
        instance.configRevision = "1";
        assertEquals(ConfigReport.STATE_APPLIED, awaitReport("1").state());
        assertEquals(Set.of("io.midway.agent"), central.delivered.get(central.delivered.size() - 1));
        Await.until("the next polls tell the instance revision 1", () -> instance.pollConfigRevisions.contains("1"));

        instance.config = new AgentConfigSnapshot("2", List.of(new Setting("threads.standard", "many", "parameter"),
                new Setting("poll.wait.ms", "100", "global_property")));
        instance.configRevision = "2";
        ConfigReport failed = awaitReport("2");
        assertEquals(ConfigReport.STATE_FAILED, failed.state());
        assertEquals(1, failed.errors().size());
        assertEquals("threads.standard", failed.errors().get(0).name());
        assertEquals("many", failed.errors().get(0).value());
        assertTrue(failed.errors().get(0).message(),
                failed.errors().get(0).message().contains("must be a whole number from 1 to 1000"));
        assertEquals("the last good value stays", "3", central.settings.overlay("io.midway.agent").get("threads.standard"));
        assertTrue(failed.effective().contains(new Setting("threads.standard", "3", "global_property")));
        assertEquals("the agent stays connected", AgentState.CONNECTED, agent.status().connection);
    }

    @Test
    public void aReplyWithNewSettingsIsFollowedByAPollNamingThemAtOnce() throws Exception {
        // A minimum poll interval far longer than the test: the instance answers at once while a
        // poll names other settings than its own, and such a reply is news when the next poll names
        // the new revision (so the instance then waits on it): no minute-long pause behind it.
        AgentTimings slowIdle = new AgentTimings(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(60),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(500));
        instance.configRevision = "0";
        agent = new AgentRuntime(settings(2, 200), "9.9.9", slowIdle);
        agent.centralConfiguration(central);
        agent.start();
        awaitReport("0");
        Await.until("a poll naming revision 0", () -> instance.pollConfigRevisions.contains("0"),
                () -> instance.pollConfigRevisions.toString());
        instance.config = new AgentConfigSnapshot("1", List.of(new Setting("threads.standard", "3", "global_property")));
        instance.configRevision = "1";
        Await.until("a poll naming revision 1, without the minute's pause", () -> instance.pollConfigRevisions
                .contains("1"), () -> instance.pollConfigRevisions.toString());
        assertEquals(ConfigReport.STATE_APPLIED, awaitReport("1").state());
    }

    @Test
    public void anInstanceWithoutSettingsIsNeverAsked() throws Exception {
        start(settings(2, 200));
        Await.until("three polls", () -> instance.pollMaxes.size() >= 3);
        assertTrue(instance.configReports.isEmpty());
        assertEquals("the agent says it has none yet", "", instance.pollConfigRevisions.get(0));
    }

    @Test
    public void aRunningAgentTakesNewPoolSizesWithoutStopping() throws Exception {
        start(settings(1, 200));
        agent.addProbe(AgentRuntimeTest.labelled("echo"), Map.of(Probe.TOPIC_PROPERTY, "Echo"));
        Await.until("connected", () -> AgentState.CONNECTED.equals(agent.status().connection));
        agent.reconfigure(settings(6, 100));
        PoolDTO standard = Arrays.stream(agent.status().pools).filter(p -> p.name.equals("standard")).findFirst()
                .orElseThrow();
        assertEquals(6, standard.threads);
        assertEquals(6, agent.settings().threadsStandard());
        instance.offer(FakeInstance.record("after", "Echo", 2, null));
        Await.until("the work after the change is answered", () -> instance.inputs.containsKey("after"));
        agent.reconfigure(settings(2, 100));
        standard = Arrays.stream(agent.status().pools).filter(p -> p.name.equals("standard")).findFirst().orElseThrow();
        assertEquals(2, standard.threads);
        assertEquals(AgentState.CONNECTED, agent.status().connection);
    }
}
