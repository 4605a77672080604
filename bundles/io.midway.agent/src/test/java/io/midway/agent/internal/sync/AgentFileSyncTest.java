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

    @Test
    public void aRecordThatComesWithTheRevisionOfItsProbeIsRunByThatProbe() throws Exception {
        // Hot deploy: the upload bumps the revision, and the first item for the new topic comes in
        // the same poll reply. It waits for the sync that installs its probe instead of ending in
        // "No probe for topic".
        Path root = tmp.getRoot().toPath();
        AgentSettings settings = new AgentSettings(instance.url(), "a3", "mid", "secret", 1, 1, 1, 200, 10,
                root.resolve("data/spool"), null, root.resolve("data/sync"));
        agent = new AgentRuntime(settings, "9.9.9", FAST, new OsgiPluginFramework(felix.context(), felix.scr(),
                new BundleOrigins(null, null)));
        bindProbesAsTheCoreDoes();
        agent.start();
        Await.until("revision 0 applied", () -> "0".equals(agent.status().syncRevision));

        instance.publish("5", List.of(Map.entry("probe", EchoFixture.jar())));
        instance.offer(FakeInstance.record("hot1", "Echo", 0, FakeInstance.object()));
        Await.until("the item answered", () -> instance.inputs.containsKey("hot1"));
        io.midway.wire.InputRecord input = instance.inputs.get("hot1");
        assertEquals(input.errorString(), "processed", input.state());
        assertEquals("0.1.0", input.payload().path("bundle_version").asText());
    }

    @Test
    public void aPollReplyWithANewRevisionIsFollowedByTheNextPollAtOnce() throws Exception {
        // A minimum poll interval far longer than the test: only a reply that brings news may be
        // followed by a poll without it.
        AgentTimings slowIdle = new AgentTimings(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(60),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(500));
        Path root = tmp.getRoot().toPath();
        AgentSettings settings = new AgentSettings(instance.url(), "a4", "mid", "secret", 1, 1, 1, 2_000, 10,
                root.resolve("data/spool"), null, root.resolve("data/sync"));
        agent = new AgentRuntime(settings, "9.9.9", slowIdle, new OsgiPluginFramework(felix.context(), felix.scr(),
                new BundleOrigins(null, null)));
        agent.start();
        // the first reply brings revision 0 (news to a fresh agent): the second poll goes at once
        Await.until("the second poll", () -> instance.pollRevisions.size() >= 2, () -> instance.pollRevisions.toString());
        assertEquals("0", instance.pollRevisions.get(1));
        instance.publish("7", List.of(Map.entry("probe", EchoFixture.jar())));
        // the reply of the poll under way carries 7: the poll after it names 7, without the 60 s pause
        Await.until("a poll that knows revision 7", () -> instance.pollRevisions.contains("7"),
                () -> instance.pollRevisions.toString());
        Await.until("revision 7 applied", () -> "7".equals(agent.status().syncRevision));
    }

    /**
     * What AgentCore's dynamic probe reference does: each Probe service registered in the framework
     * reaches the runtime synchronously, on the thread that registers it.
     */
    private void bindProbesAsTheCoreDoes() throws Exception {
        org.osgi.framework.BundleContext context = felix.context();
        context.addServiceListener(event -> {
            if (event.getType() == org.osgi.framework.ServiceEvent.REGISTERED) {
                org.osgi.framework.ServiceReference<?> reference = event.getServiceReference();
                Map<String, Object> properties = new java.util.HashMap<>();
                for (String key : reference.getPropertyKeys()) {
                    properties.put(key, reference.getProperty(key));
                }
                agent.addProbe((io.midway.api.probe.Probe) context.getService(reference), properties);
            }
        }, "(objectClass=" + io.midway.api.probe.Probe.class.getName() + ")");
    }
}
