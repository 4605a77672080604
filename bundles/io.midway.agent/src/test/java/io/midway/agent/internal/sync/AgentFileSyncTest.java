package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;

import io.midway.agent.internal.AgentRuntime;
import io.midway.agent.internal.AgentSettings;
import io.midway.agent.internal.AgentTimings;
import io.midway.agent.internal.Await;
import io.midway.agent.internal.FakeInstance;
import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.testing.jars.TestJars;

/** The whole agent: a poll reply with a new sync_revision makes it sync, and the status shows it. */
public class AgentFileSyncTest {

    private static final AgentTimings FAST = new AgentTimings(Duration.ofMillis(50), Duration.ofMillis(200),
            Duration.ofMillis(20), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(500));

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestFelix felix;
    private FakeInstance instance;
    private AgentRuntime agent;

    @Before
    public void setUp() throws Exception {
        felix = new TestFelix(tmp.getRoot().toPath().resolve("cache"), true);
        instance = FakeInstance.start();
    }

    @After
    public void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        instance.close();
        felix.close();
    }

    @Test
    public void theAgentSyncsAtStartWithoutWaitingForItsFirstLongPoll() throws Exception {
        Path root = tmp.getRoot().toPath();
        instance.publish("8", List.of(Map.entry("probe", EchoFixture.jar())));
        // The instance holds each poll for 20 s when it has no work.
        AgentSettings settings = new AgentSettings(instance.url(), "a2", "mid", "secret", 1, 1, 1, 20_000, 10,
                root.resolve("data/spool"), null, root.resolve("data/sync"));
        agent = new AgentRuntime(settings, "9.9.9", FAST, new OsgiPluginFramework(felix.context(), felix.scr(),
                new BundleOrigins(null, null)));
        long started = System.nanoTime();
        agent.start();
        Await.until("revision 8 applied", () -> "8".equals(agent.status().syncRevision));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue("synced " + millis + " ms after the start, before the first poll ended", millis < 10_000);
        Await.until("reported", () -> !instance.reports.isEmpty());
        assertEquals("8", instance.reports.get(0).revision());
    }

    @Test
    public void aNewRevisionOnAPollIsAppliedAndReported() throws Exception {
        Path root = tmp.getRoot().toPath();
        Path echo = EchoFixture.jar();
        instance.publish("3", List.of(Map.entry("probe", echo)));
        AgentSettings settings = new AgentSettings(instance.url(), "a1", "mid", "secret", 1, 1, 1, 200, 10,
                root.resolve("data/spool"), null, root.resolve("data/sync"));
        agent = new AgentRuntime(settings, "9.9.9", FAST, new OsgiPluginFramework(felix.context(), felix.scr(),
                new BundleOrigins(root.resolve("home"), root.resolve("home/deploy"))));
        agent.start();

        Await.until("revision 3 applied", () -> "3".equals(agent.status().syncRevision),
                () -> String.valueOf(agent.status()));
        AgentStatusDTO status = agent.status();
        assertEquals("applied", status.syncState);
        Bundle synced = felix.context().getBundle(BundleOrigins.syncLocation("io.midway.testing.echo"));
        assertNotNull(synced);
        assertEquals(Bundle.ACTIVE, synced.getState());
        Await.until("reported", () -> !instance.reports.isEmpty());
        assertEquals("a1", instance.reports.get(0).name());
        assertEquals("3", instance.reports.get(0).revision());
        assertEquals("applied", instance.reports.get(0).state());

        PluginBundleDTO[] bundles = agent.bundles();
        assertEquals(1, bundles.length);
        assertEquals("io.midway.testing.echo", bundles[0].symbolicName);
        assertEquals(PluginBundleDTO.ORIGIN_SYNC, bundles[0].origin);
        assertEquals("probe", bundles[0].kind);
        assertEquals(Sha256.of(echo), bundles[0].sha256);
        assertEquals("ACTIVE", bundles[0].state);
        assertEquals(List.of("Echo", "echo"), List.of(bundles[0].provides));

        // The instance's revision changes: the next poll brings it and the agent follows.
        Path v2 = TestJars.withVersion(echo, Files.createDirectories(root.resolve("jars")).resolve("e2.jar"), "2.0.0");
        instance.publish("4", List.of(Map.entry("probe", v2)));
        Await.until("revision 4 applied", () -> "4".equals(agent.status().syncRevision));
        assertEquals("2.0.0", felix.context().getBundle(synced.getBundleId()).getVersion().toString());
        Await.until("the second report", () -> instance.reports.size() >= 2);
        int polls = instance.pollMaxes.size();
        Await.until("three more polls", () -> instance.pollMaxes.size() >= polls + 3);
        assertEquals("1 sync per revision, nothing in a loop", 2, instance.reports.size());
    }
}
