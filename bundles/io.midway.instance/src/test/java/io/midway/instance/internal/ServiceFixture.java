package io.midway.instance.internal;

import io.midway.instance.api.OutputRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.api.Agent;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentRegistration;
import io.midway.wire.Json;

/** An {@link InstanceServices} on a real H2 database in a temporary folder, with a hand-moved clock. */
public abstract class ServiceFixture {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    protected MutableClock clock;
    protected InstanceServices service;
    protected InstanceStore store;
    protected Path dbDir;

    /** @return the settings of the service under test */
    protected InstanceSettings settings() {
        return new InstanceSettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(120), true,
                Duration.ofSeconds(5), "1.2.3");
    }

    /**
     * @param fresh whether the database is to be emptied first (a new test), or kept (a restart)
     * @return a store of the engine under test: the embedded H2 in {@link #dbDir}
     */
    protected InstanceStore openStore(boolean fresh) {
        return io.midway.instance.store.h2.H2Engine.open(dbDir);
    }

    @Before
    public void startService() {
        clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        dbDir = tmp.getRoot().toPath().resolve("db");
        store = openStore(true);
        service = new InstanceServices(store, settings(), clock);
    }

    @After
    public void stopService() {
        if (service != null) {
            service.close();
        }
    }

    protected void restartService() {
        service.close();
        service = null;
        store = openStore(false);
        service = new InstanceServices(store, settings(), clock);
    }

    protected Agent register(String name) {
        return service.agents().register(new AgentRegistration(name, "1.0.0", name + ".example", "127.0.0.1", List.of("tcp")))
                .agent();
    }

    protected QueueRecord insert(String agentName, String topic, int priority) {
        return insert(agentName, topic, priority, null);
    }

    protected QueueRecord insert(String agentName, String topic, int priority, JsonNode payload) {
        return service.outputs().insertOutput(new OutputRequest(QueueRecord.agentField(agentName), topic, topic + " name",
                "127.0.0.1", payload, QueueRecord.STATE_READY, priority, null, null));
    }

    protected QueueRecord record(String sysId) {
        return service.outputs().record(sysId).orElseThrow();
    }

    protected Agent agentNamed(String name) {
        return service.agents().agentByName(name).orElseThrow();
    }

    /** @return an agent's answer to an output: processed, payload {@code "ok"} */
    protected static AgentResult answer(String responseTo) {
        return new AgentResult(responseTo, null, null, null, Json.mapper().getNodeFactory().textNode("ok"),
                QueueRecord.STATE_PROCESSED, null);
    }

    /** @return an agent's answers to these outputs, one batch */
    protected static AgentResults answers(List<QueueRecord> records) {
        return new AgentResults(records.stream().map(r -> answer(r.sysId())).toList());
    }

    /** @return a record's state as stored, without what the instance holds in memory (leases) */
    protected String stored(String sysId) {
        return service.core().read(s -> s.findRecord(sysId)).orElseThrow().state();
    }

    protected static List<String> ids(List<QueueRecord> records) {
        return records.stream().map(QueueRecord::sysId).toList();
    }
}
