package io.midway.instance.internal;

import io.midway.instance.api.OutputRequest;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.AgentRegistration;

/** {@link HeartbeatMonitor} and {@link LeaseReaper} on their real schedule, with a 1 s heartbeat. */
public class SchedulersTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private InstanceServices service;
    private HeartbeatMonitor monitor;
    private LeaseReaper reaper;
    private SingletonJobs jobs;

    @After
    public void stop() {
        if (monitor != null) {
            monitor.stop();
        }
        if (reaper != null) {
            reaper.stop();
        }
        if (jobs != null) {
            jobs.stop();
        }
        if (service != null) {
            service.close();
        }
    }

    private void start(Duration heartbeat, Duration lease) {
        Path db = tmp.getRoot().toPath().resolve("db");
        service = new InstanceServices(io.midway.instance.store.h2.H2Engine.open(db), new InstanceSettings(heartbeat, heartbeat, lease, true,
                Duration.ofSeconds(5), "1.0.0"), Clock.systemUTC());
        jobs = new SingletonJobs(service.core());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private List<QueueRecord> heartbeats(String state) {
        return service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE, "topic=HeartbeatProbe^state=" + state, null,
                null, null));
    }

    @Test
    public void monitorWritesHeartbeatsAndMarksSilentAgentsDownThenUp() {
        start(Duration.ofSeconds(1), Duration.ofSeconds(60));
        service.agents().register(new AgentRegistration("m1", "1", "h", "127.0.0.1", List.of()));
        monitor = new HeartbeatMonitor(service.core(), jobs);
        await("a heartbeat is written", () -> !heartbeats("ready").isEmpty());
        await("the silent agent is Down", () -> "Down".equals(service.agents().agentByName("m1").orElseThrow().status()));
        QueueRecord hb = heartbeats("ready").get(0);
        service.polls().input(new AgentResults(List.of(new AgentResult(hb.sysId(), null, null, null, null, null, null))));
        assertEquals("Up", service.agents().agentByName("m1").orElseThrow().status());
        assertEquals(List.of("mid_server.up", "mid_server.down", "mid_server.up"),
                service.events().events(0, 100).stream().map(e -> e.name()).toList());
        await("the next heartbeat is written", () -> !heartbeats("ready").isEmpty());
    }

    @Test
    public void reaperReleasesExpiredLeases() {
        start(Duration.ofSeconds(3600), Duration.ofSeconds(1));
        service.agents().register(new AgentRegistration("m1", "1", "h", "127.0.0.1", List.of()));
        QueueRecord r = service.outputs().insertOutput(new OutputRequest("mid.server.m1", "TCPScan", null, null, null, "ready", 2,
                null, null));
        reaper = new LeaseReaper(service.core(), jobs);
        assertEquals(1, service.polls().poll("m1", 10).result().size());
        assertEquals("processing", service.outputs().record(r.sysId()).orElseThrow().state());
        await("the lease expired", () -> "ready".equals(service.outputs().record(r.sysId()).orElseThrow().state()));
        assertTrue(service.polls().poll("m1", 10).result().stream().anyMatch(x -> x.sysId().equals(r.sysId())));
    }
}
