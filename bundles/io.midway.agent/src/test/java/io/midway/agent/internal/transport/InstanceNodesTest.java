package io.midway.agent.internal.transport;

import io.midway.agent.internal.AgentRuntime;
import io.midway.agent.internal.AgentRuntimeTest;
import io.midway.agent.internal.AgentSettings;
import io.midway.agent.internal.AgentState;
import io.midway.agent.internal.Await;
import io.midway.agent.internal.FakeInstance;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.wire.Registration;

/**
 * Several nodes of one instance (MIDWAY_INSTANCE_URL=https://a,https://b): the agent uses the
 * first and moves to the next when the one in use stops answering.
 */
public class InstanceNodesTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Registration registration() {
        return new Registration("nodes-agent", "1.0.0", "h", "127.0.0.1", List.of());
    }

    @Test
    public void urlsAreReadFromAList() {
        assertEquals(List.of("https://a:8443", "https://b:8443"), InstanceClient.parseUrls(" https://a:8443/, https://b:8443 "));
        assertEquals(List.of("http://127.0.0.1:1"), InstanceClient.parseUrls("http://127.0.0.1:1"));
    }

    @Test
    public void theClientMovesToTheNextNodeWhenTheOneInUseStopsAnswering() throws Exception {
        try (FakeInstance a = FakeInstance.start(); FakeInstance b = FakeInstance.start()) {
            InstanceClient client = new InstanceClient(a.url() + "," + b.url(), "mid", "secret", Duration.ofSeconds(2), null);
            assertEquals(a.url(), client.baseUrl());
            client.register(registration());
            assertEquals(1, a.registrations.size());
            a.close();
            try {
                client.register(registration());
                fail("node a is gone");
            } catch (IOException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("cannot reach instance " + a.url())
                        && e.getMessage().endsWith("; trying " + b.url() + " next"));
            }
            assertEquals(b.url(), client.baseUrl());
            assertEquals("nodes-agent", client.register(registration()).name());
            assertEquals(1, b.registrations.size());
        }
    }

    @Test
    public void theAgentStaysConnectedThroughANodeGoingAway() throws Exception {
        Path spool = tmp.newFolder().toPath();
        try (FakeInstance a = FakeInstance.start(); FakeInstance b = FakeInstance.start()) {
            AgentSettings settings = new AgentSettings(a.url() + "," + b.url(), "nodes-agent", "mid", "secret", 1, 1, 1,
                    200, 10, spool, null, spool.resolve("sync"));
            AgentRuntime agent = new AgentRuntime(settings, "1.0.0", AgentRuntimeTest.FAST);
            agent.start();
            try {
                Await.until("connected to node a", () -> AgentState.CONNECTED.equals(agent.status().connection)
                        && !a.registrations.isEmpty(), () -> "" + agent.status().lastError);
                a.close();
                Await.until("registered with node b", () -> !b.registrations.isEmpty()
                        && AgentState.CONNECTED.equals(agent.status().connection), () -> "" + agent.status().lastError);
                assertTrue(agent.status().instanceUrl, agent.status().instanceUrl.startsWith(b.url() + " (nodes: "));
            } finally {
                agent.stop();
            }
        }
    }
}
