package io.midway.instance.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.Test;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import io.midway.instance.api.Agent;
import io.midway.instance.api.AgentRegistration;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.CredentialSnapshot;
import io.midway.instance.api.InstanceDescription;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.RepositoryFile;
import io.midway.instance.api.SyncFiles;
import io.midway.instance.api.SyncState;
import io.midway.wire.AgentRecord;
import io.midway.wire.CredentialRecord;
import io.midway.wire.CredentialSync;
import io.midway.wire.EccRecord;
import io.midway.wire.EventRecord;
import io.midway.wire.InputBatch;
import io.midway.wire.InputRecord;
import io.midway.wire.InstanceInfo;
import io.midway.wire.Json;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;
import io.midway.wire.SyncFile;
import io.midway.wire.SyncReport;
import io.midway.wire.SyncSnapshot;

/**
 * {@link WireRecords}: every wire record the HTTP API reads or writes comes back from its domain
 * record unchanged, as the same record and as the same JSON bytes, with every field set and with
 * every field {@code null}; and each domain record has its wire record's components, in the same
 * order, under the same (camel-case) names.
 */
public class WireRecordsTest {

    private static final JsonNode PAYLOAD = json("{\"b\":[1,\"two\",null],\"a\":{\"x\":true}}");

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static EccRecord fullEcc(String sysId) {
        return new EccRecord(sysId, "mid.server.m1", "TCPScan", "scan 10.0.0.1", "10.0.0.1", PAYLOAD, "output",
                "processing", "r-0", 1, "timed out", "2026-01-02 03:04:05", "2026-01-02 03:04:06", "Discovery", "tcp",
                "m1: the only Up agent for Discovery");
    }

    static EccRecord nullEcc() {
        return new EccRecord(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    static AgentRecord fullAgent() {
        return new AgentRecord("a1", "m1", "Up", true, "1.2.3", "host-1", "10.0.0.9", "2026-01-02 03:04:05",
                List.of("tcp", "ssh"), List.of("Discovery"), List.of("10.0.0.0/8"), "c1", true, "7", "applied", "1.2.0",
                "SHA256:abc", List.of("ssh"), List.of("tcp"));
    }

    static AgentRecord nullAgent() {
        return new AgentRecord(null, null, null, false, null, null, null, null, null, null, null, null, false, null,
                null, null, null, null, null);
    }

    @Test
    public void queueRecordsRoundTrip() {
        roundTrip(fullEcc("s1"), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(nullEcc(), WireRecords::fromWire, WireRecords::toWire);
        // a record addressed by name, without the selection fields (left out of the JSON)
        roundTrip(new EccRecord("s2", "mid.server.m1", "Command", "uname", "", PAYLOAD, "input", "ready", "s1", 2, null,
                "2026-01-02 03:04:05", null), WireRecords::fromWire, WireRecords::toWire);
        assertEquals(List.of(fullEcc("s1"), nullEcc()),
                WireRecords.queueToWire(List.of(WireRecords.fromWire(fullEcc("s1")), WireRecords.fromWire(nullEcc()))));
    }

    @Test
    public void agentsRoundTrip() {
        roundTrip(fullAgent(), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(nullAgent(), WireRecords::fromWire, WireRecords::toWire);
        // the older shape (no split of the capabilities): the two lists stay out of the JSON
        roundTrip(new AgentRecord("a2", "m2", "Down", false, "1.0.0", "h", "10.0.0.2", null, List.of("tcp"), List.of(),
                List.of(), "", false), WireRecords::fromWire, WireRecords::toWire);
        assertEquals(List.of(fullAgent()), WireRecords.agentsToWire(List.of(WireRecords.fromWire(fullAgent()))));
    }

    @Test
    public void eventsRoundTrip() {
        EventRecord full = new EventRecord(42, EventRecord.MID_SERVER_DOWN, "m1", "2026-01-02 03:04:05",
                "no heartbeat for 5 min");
        roundTrip(full, WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new EventRecord(0, null, null, null, null), WireRecords::fromWire, WireRecords::toWire);
        assertEquals(List.of(full), WireRecords.eventsToWire(List.of(WireRecords.fromWire(full))));
    }

    @Test
    public void pollRepliesRoundTrip() {
        roundTrip(new PollReply(List.of(fullEcc("s1"), nullEcc(), fullEcc("s3")), "7", "1.2.3", "Up", true, "1.2.0",
                "c-9"), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new PollReply(List.of(), null, null, null, false, null, null), WireRecords::fromWire,
                WireRecords::toWire);
        roundTrip(new PollReply(null, null, null, null, false, null, null), WireRecords::fromWire,
                WireRecords::toWire);
    }

    static Registration fullRegistration() {
        return new Registration("m1", "1.2.3", "host-1", "10.0.0.9", List.of("tcp", "ssh"), "MIIBIjANBg",
                List.of("held-1", "held-2"));
    }

    static InputRecord fullInput() {
        return new InputRecord("s1", "TCPScan", "scan", "10.0.0.1", PAYLOAD, "error", "refused");
    }

    static SyncReport.Result fullSyncResult() {
        return new SyncReport.Result("io.midway.probe.echo", "1.0.0", "ab12", "install", "failed", "no space");
    }

    static SyncFile fullSyncFile() {
        return new SyncFile("echo-1.0.0.jar", "probe", "io.midway.probe.echo", "1.0.0", "ab12", 4096);
    }

    static InstanceInfo.Core fullCore() {
        return new InstanceInfo.Core("io.midway.agent", "1.2.3", "cd34", 123456);
    }

    static CredentialRecord fullCredential() {
        return new CredentialRecord("c1", "lab", "basic", 3, true, Map.of("user_name", "scott"),
                Map.of("password", "sealed:v1:xyz"), "vault", "ext-1");
    }

    @Test
    public void registrationsRoundTrip() {
        roundTrip(fullRegistration(), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new Registration(null, null, null, null, null, null, null), WireRecords::fromWire, WireRecords::toWire);
    }

    @Test
    public void inputBatchesRoundTrip() {
        roundTrip(fullInput(), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new InputRecord(null, null, null, null, null, null, null), WireRecords::fromWire,
                WireRecords::toWire);
        roundTrip(new InputBatch(List.of(fullInput(), new InputRecord(null, null, null, null, null, null, null))),
                WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new InputBatch(null), WireRecords::fromWire, WireRecords::toWire);
    }

    @Test
    public void syncReportsRoundTrip() {
        roundTrip(fullSyncResult(), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new SyncReport.Result(null, null, null, null, null, null), WireRecords::fromWire,
                WireRecords::toWire);
        roundTrip(new SyncReport("m1", "7", "failed", List.of(fullSyncResult())), WireRecords::fromWire,
                WireRecords::toWire);
        roundTrip(new SyncReport(null, null, null, null), WireRecords::fromWire, WireRecords::toWire);
    }

    @Test
    public void syncFilesAndSnapshotsRoundTrip() {
        roundTrip(fullSyncFile(), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new SyncFile(null, null, null, null, null, 0), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new SyncSnapshot("7", List.of(fullSyncFile())), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new SyncSnapshot(null, null), WireRecords::fromWire, WireRecords::toWire);
    }

    @Test
    public void instanceInfoRoundTrips() {
        roundTrip(fullCore(), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new InstanceInfo.Core(null, null, null, 0), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new InstanceInfo("1.2.3", fullCore()), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new InstanceInfo(null, null), WireRecords::fromWire, WireRecords::toWire);
    }

    @Test
    public void credentialSyncsRoundTrip() {
        roundTrip(fullCredential(), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new CredentialRecord(null, null, null, 0, false, null, null, null, null), WireRecords::fromWire,
                WireRecords::toWire);
        roundTrip(new CredentialSync("r9", List.of(fullCredential())), WireRecords::fromWire, WireRecords::toWire);
        roundTrip(new CredentialSync(null, null), WireRecords::fromWire, WireRecords::toWire);
    }

    @Test
    public void nullMapsToNull() {
        assertNull(WireRecords.toWire((QueueRecord) null));
        assertNull(WireRecords.toWire((Agent) null));
        assertNull(WireRecords.toWire((InstanceEvent) null));
        assertNull(WireRecords.toWire((PollResult) null));
    }

    @Test
    public void domainRecordsHaveTheComponentsOfTheirWireRecords() {
        Map<Class<?>, Class<?>> pairs = Map.of(
                QueueRecord.class, EccRecord.class,
                Agent.class, AgentRecord.class,
                InstanceEvent.class, EventRecord.class,
                PollResult.class, PollReply.class,
                AgentRegistration.class, Registration.class,
                AgentResults.class, InputBatch.class,
                AgentResult.class, InputRecord.class,
                SyncState.class, SyncReport.class,
                SyncState.Result.class, SyncReport.Result.class,
                RepositoryFile.class, SyncFile.class);
        pairs = new java.util.HashMap<>(pairs);
        pairs.put(SyncFiles.class, SyncSnapshot.class);
        pairs.put(InstanceDescription.class, InstanceInfo.class);
        pairs.put(InstanceDescription.Core.class, InstanceInfo.Core.class);
        pairs.put(CredentialSnapshot.class, CredentialSync.class);
        pairs.put(CredentialSnapshot.Credential.class, CredentialRecord.class);
        Map<Class<?>, Class<?>> all = pairs;
        all.forEach((domain, wire) -> sameComponents(domain, wire, all));
    }

    /** The full records above leave no component {@code null}: the round trip checks every one. */
    @Test
    public void fullRecordsSetEveryComponent() throws Exception {
        for (Record r : List.<Record>of(fullEcc("s1"), fullAgent(), fullRegistration(), fullInput(), fullSyncResult(),
                fullSyncFile(), fullCore(), fullCredential())) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                assertNotNull(r.getClass().getSimpleName() + "." + c.getName(), c.getAccessor().invoke(r));
            }
        }
    }

    private static <W, D> void roundTrip(W wire, Function<W, D> fromWire, Function<D, W> toWire) {
        try {
            String before = Json.mapper().writeValueAsString(wire);
            D domain = fromWire.apply(wire);
            assertNotNull(domain);
            W back = toWire.apply(domain);
            assertEquals(wire, back);
            assertEquals(before, Json.mapper().writeValueAsString(back));
            // and the JSON a client sends, read and mapped both ways, is written back the same
            @SuppressWarnings("unchecked")
            W read = (W) Json.mapper().readValue(before, wire.getClass());
            assertEquals(before, Json.mapper().writeValueAsString(toWire.apply(fromWire.apply(read))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static void sameComponents(Class<?> domain, Class<?> wire, Map<Class<?>, Class<?>> pairs) {
        List<String> domainShape = new ArrayList<>();
        List<String> wireShape = new ArrayList<>();
        PropertyNamingStrategies.NamingBase snake = (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
        for (RecordComponent c : domain.getRecordComponents()) {
            domainShape.add(snake.translate(c.getName()) + ":" + wireType(c.getGenericType(), pairs));
        }
        for (RecordComponent c : wire.getRecordComponents()) {
            JsonProperty property = c.getAccessor().getAnnotation(JsonProperty.class);
            wireShape.add((property == null ? c.getName() : property.value()) + ":" + c.getGenericType().getTypeName());
        }
        assertEquals(domain.getSimpleName() + " vs " + wire.getSimpleName(), wireShape, domainShape);
    }

    private static String wireType(Type type, Map<Class<?>, Class<?>> pairs) {
        if (type instanceof Class<?> c) {
            return pairs.getOrDefault(c, c).getTypeName();
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return List.class.getName() + "<" + wireType(p.getActualTypeArguments()[0], pairs) + ">";
        }
        return type.getTypeName();
    }
}
