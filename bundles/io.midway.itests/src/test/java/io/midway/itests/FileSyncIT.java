package io.midway.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.SyncResultDTO;

/**
 * File sync in one framework that runs the instance and an agent: jars pushed to the instance's
 * repository ({@code POST /api/mid/admin/files}) are installed, updated in place, rolled back when
 * broken, and uninstalled on the agent, which reports every outcome to the instance. The steps
 * build on each other and run in name order; the jars are made by {@link SyncTestJars} in the
 * test driver.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FileSyncIT {

    private static final String ECHO_BSN = "io.midway.testing.echo";
    private static final String ECHO_TOPIC = "Echo";
    private static final String ECHO_CAPABILITY = "echo";
    private static final String LIBRARY_BSN = "org.apache.commons.lang3";
    private static final String CORE_BSN = "io.midway.agent";
    private static final String SYNC_LOCATION = "midway-sync:";
    private static final String APPLIED = "applied";
    private static final String FAILED = "failed";
    private static final String EVENT_APPLIED = "file_sync.applied";
    private static final String EVENT_FAILED = "file_sync.failed";
    /** A good push is applied within seconds: the revision rides on the long poll, which ends at once. */
    private static final Duration SYNC = Duration.ofSeconds(10);
    /** A broken push includes the agent's health check and the rollback. */
    private static final Duration SYNC_FAILURE = Duration.ofSeconds(30);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** State handed from one step to the next (one framework, one test class instance per step). */
    private static long echoBundleId = -1;
    private static String echoV2Sha;

    @Inject
    private BundleContext context;

    private MidwayFramework midway;
    private ServiceTracker<MidAgent, MidAgent> agents;

    /** @return the framework: instance and agent together, plus the paths of the jars to push */
    @Configuration
    public Option[] configuration() {
        return OptionUtils.combine(MidwayExamOptions.agentAndInstance("itest-sync"), SyncTestJars.options());
    }

    @Before
    public void agentIsUp() {
        midway = new MidwayFramework(context);
        agents = new ServiceTracker<>(context, MidAgent.class, null);
        agents.open();
        midway.awaitAgentUp();
    }

    @After
    public void closeTracker() {
        agents.close();
    }

    @Test
    public void s1_pushedProbeIsInstalledStartedAndReported() throws Exception {
        byte[] v1 = jar(SyncTestJars.ECHO_V1);
        String v1Version = bundleVersion(v1);
        long since = midway.instance().lastEventSeq();

        JsonNode reply = midway.instance().pushFile("probe", v1);
        JsonNode file = reply.path("result");
        assertEquals("upload reply " + reply, ECHO_BSN, file.path("symbolic_name").asText());
        assertEquals("upload reply " + reply, v1Version, file.path("version").asText());
        assertEquals("upload reply " + reply, "probe", file.path("kind").asText());
        assertEquals("upload reply " + reply, sha256(v1), file.path("sha256").asText());
        assertEquals("upload reply " + reply, v1.length, file.path("size").asLong());
        assertEquals("default file name: " + reply, ECHO_BSN + "-" + v1Version + ".jar", file.path("name").asText());
        String revision = revision(reply);

        awaitProbe(ECHO_TOPIC, true, SYNC);
        JsonNode answer = echo("first");
        assertEquals("the synced v1 answered: " + answer, v1Version, answer.path("bundle_version").asText());
        Bundle echo = midway.bundle(ECHO_BSN);
        echoBundleId = echo.getBundleId();
        assertEquals("answered by the synced bundle: " + answer, echoBundleId, answer.path("bundle_id").asLong());
        assertEquals(SYNC_LOCATION + ECHO_BSN, echo.getLocation());
        assertEquals(Bundle.ACTIVE, echo.getState());

        awaitSynced(revision, APPLIED, SYNC);
        JsonNode record = Await.until("ecc_agent lists capability " + ECHO_CAPABILITY,
                () -> midway.instance().agent(midway.agentName()).orElse(null),
                a -> a != null && strings(a.path("capabilities")).contains(ECHO_CAPABILITY));
        assertEquals("ecc_agent " + record, revision, record.path("sync_revision").asText());
        assertEquals("ecc_agent " + record, APPLIED, record.path("sync_state").asText());
        assertTrue(Arrays.toString(agent().status().capabilities),
                list(agent().status().capabilities).contains(ECHO_CAPABILITY));

        JsonNode event = awaitEvent(EVENT_APPLIED, since, revision, d -> d.contains(ECHO_BSN));
        assertTrue("event detail names the version: " + event, event.path("detail").asText().contains(v1Version));

        PluginBundleDTO plugin = plugin(ECHO_BSN).orElseThrow(() -> new AssertionError("MidAgent.bundles() lacks " + ECHO_BSN));
        assertEquals(PluginBundleDTO.ORIGIN_SYNC, plugin.origin);
        assertEquals("probe", plugin.kind);
        assertEquals(sha256(v1), plugin.sha256);
        assertEquals(v1Version, plugin.version);
        assertEquals(echoBundleId, plugin.id);
        assertEquals("ACTIVE", plugin.state);
        assertTrue("provides " + Arrays.toString(plugin.provides),
                list(plugin.provides).containsAll(List.of(ECHO_TOPIC, ECHO_CAPABILITY)));

        JsonNode files = midway.instance().files();
        assertEquals("GET files " + files, revision, files.path("revision").asText());
        JsonNode listed = fileEntry(files, ECHO_BSN);
        assertEquals("fetched once by the one agent: " + listed, 1, listed.path("downloads").asLong());

        HttpResponse<String> again = midway.instance().uploadFile("probe", v1);
        assertEquals("the same bytes again: " + again.body(), 200, again.statusCode());
        assertEquals("no new revision for the same bytes", revision, midway.instance().files().path("revision").asText());
    }

    @Test
    public void s2_newVersionUpdatesInPlaceAndStopsNothingElse() throws Exception {
        assertTrue("step 1 ran", echoBundleId >= 0);
        byte[] v2 = jar(SyncTestJars.ECHO_V2);
        echoV2Sha = sha256(v2);
        List<String> stops = new CopyOnWriteArrayList<>();
        SynchronousBundleListener listener = event -> {
            int type = event.getType();
            if (type == BundleEvent.STOPPING || type == BundleEvent.STOPPED || type == BundleEvent.UNRESOLVED
                    || type == BundleEvent.UNINSTALLED) {
                stops.add(event.getBundle().getBundleId() + " " + event.getBundle().getSymbolicName() + " " + type);
            }
        };
        Bundle core = midway.bundle(CORE_BSN);
        context.addBundleListener(listener);
        String revision;
        try {
            JsonNode reply = midway.instance().pushFile("probe", v2);
            assertEquals("replaces the file of the same symbolic name: " + reply, "2.0.0",
                    reply.path("result").path("version").asText());
            revision = revision(reply);
            awaitSynced(revision, APPLIED, SYNC);
            awaitProbe(ECHO_TOPIC, true, SYNC);
            JsonNode answer = echo("second");
            assertEquals("v2 answers: " + answer, "2.0.0", answer.path("bundle_version").asText());
            assertEquals("updated in place, same bundle id: " + answer, echoBundleId, answer.path("bundle_id").asLong());
        } finally {
            context.removeBundleListener(listener);
        }
        List<String> others = new ArrayList<>();
        for (String stop : stops) {
            if (!stop.startsWith(echoBundleId + " ")) {
                others.add(stop);
            }
        }
        assertTrue("only the echo bundle was stopped by the update; also: " + others, others.isEmpty());
        assertTrue("the update stopped and restarted the echo bundle (listener saw it): " + stops,
                stops.contains(echoBundleId + " " + ECHO_BSN + " " + BundleEvent.STOPPED));
        assertEquals("the core kept running", Bundle.ACTIVE, core.getState());
        Bundle echo = midway.bundle(ECHO_BSN);
        assertEquals(echoBundleId, echo.getBundleId());
        assertEquals("2.0.0", echo.getVersion().toString());
        assertEquals(SYNC_LOCATION + ECHO_BSN, echo.getLocation());
        assertEquals(echoV2Sha, plugin(ECHO_BSN).orElseThrow().sha256);
        assertEquals(revision, midway.instance().agent(midway.agentName()).orElseThrow().path("sync_revision").asText());
    }

    @Test
    public void s3a_failingActivationIsRolledBack() throws Exception {
        assertBrokenPushRolledBack(SyncTestJars.ECHO_FAILING_ACTIVATION, "3.0.0",
                "gives the activation's own failure (what the component threw)",
                d -> d.contains("activation fails on purpose"));
    }

    @Test
    public void s3b_unresolvableBundleIsRolledBack() throws Exception {
        assertBrokenPushRolledBack(SyncTestJars.ECHO_UNRESOLVABLE, "4.0.0",
                "names the missing package", d -> d.contains("io.midway.testing.nowhere"));
    }

    @Test
    public void s3c_corruptJarAndOtherBadUploadsAreRefusedAndChangeNothing() throws Exception {
        JsonNode before = midway.instance().files();
        long since = midway.instance().lastEventSeq();

        HttpResponse<String> corrupt = midway.instance().uploadFile("probe", jar(SyncTestJars.CORRUPT));
        assertEquals("a corrupt jar: " + corrupt.body(), 400, corrupt.statusCode());
        assertTrue("the reason says it is no jar: " + corrupt.body(), errorText(corrupt).contains("not a jar"));
        assertFalse("no stack trace: " + corrupt.body(), corrupt.body().contains("\tat "));

        HttpResponse<String> kind = midway.instance().uploadFile("firmware", jar(SyncTestJars.ECHO_V2));
        assertEquals("an unknown kind: " + kind.body(), 400, kind.statusCode());

        HttpResponse<String> reserved = midway.instance().uploadFile("probe", jar(SyncTestJars.RESERVED));
        assertEquals("a bundle named like the agent core: " + reserved.body(), 400, reserved.statusCode());
        assertTrue("the reason says it is the core: " + reserved.body(), errorText(reserved).contains("agent core"));

        JsonNode after = midway.instance().files();
        assertEquals("the revision is unchanged", before.path("revision").asText(), after.path("revision").asText());
        assertEquals("the files are unchanged", withoutDownloads(before), withoutDownloads(after));
        for (JsonNode event : midway.instance().events(since)) {
            assertFalse("no file-sync event after refused uploads: " + event,
                    event.path("name").asText().startsWith("file_sync."));
        }
        assertEchoAnswers("2.0.0");
    }

    /**
     * A stored jar whose bytes no longer match its hash: the agent core is stopped while v5 is
     * uploaded and its stored copy tampered with, so the agent can only fetch the tampered bytes,
     * when it syncs at start.
     */
    @Test
    public void s3d_wrongHashIsRefusedAndTheNextRevisionRecovers() throws Exception {
        byte[] v5 = jar(SyncTestJars.ECHO_V5);
        String sha5 = sha256(v5);
        long since = midway.instance().lastEventSeq();
        Bundle core = midway.bundle(CORE_BSN);
        String revision;
        core.stop();
        try {
            JsonNode reply = midway.instance().pushFile("probe", v5);
            revision = revision(reply);
            Path stored = Path.of(context.getProperty(MidwayExamOptions.DATA)).resolve("files").resolve(sha5 + ".jar");
            assertTrue("the instance stores the upload at " + stored, Files.isRegularFile(stored));
            byte[] tampered = v5.clone();
            tampered[tampered.length / 2] ^= 0x5a;
            Files.write(stored, tampered);
        } finally {
            core.start();
        }
        assertEquals(Bundle.ACTIVE, core.getState());

        awaitSynced(revision, FAILED, SYNC_FAILURE);
        JsonNode event = awaitEvent(EVENT_FAILED, since, revision, d -> d.contains(ECHO_BSN) && d.contains("5.0.0"));
        String detail = event.path("detail").asText().toLowerCase(Locale.ROOT);
        assertTrue("the reason is the hash: " + event, detail.contains("sha") || detail.contains("hash"));
        midway.awaitAgentUp();
        assertEchoAnswers("2.0.0");

        // The next revision tries again: v2's bytes are what the agent runs, so it is applied.
        JsonNode restored = midway.instance().pushFile("probe", jar(SyncTestJars.ECHO_V2));
        String next = revision(restored);
        assertNotEquals(revision, next);
        awaitSynced(next, APPLIED, SYNC);
        assertEchoAnswers("2.0.0");
    }

    @Test
    public void s4_libraryFromMavenCentralIsInstalledAndActive() throws Exception {
        byte[] library = jar(SyncTestJars.LIBRARY);
        JsonNode reply = midway.instance().pushFile("library", library);
        JsonNode file = reply.path("result");
        assertEquals("upload reply " + reply, LIBRARY_BSN, file.path("symbolic_name").asText());
        assertEquals("upload reply " + reply, "library", file.path("kind").asText());
        String revision = revision(reply);
        awaitSynced(revision, APPLIED, SYNC);

        Bundle bundle = midway.bundle(LIBRARY_BSN);
        assertEquals(Bundle.ACTIVE, bundle.getState());
        assertEquals(SYNC_LOCATION + LIBRARY_BSN, bundle.getLocation());
        PluginBundleDTO plugin = plugin(LIBRARY_BSN).orElseThrow(() -> new AssertionError("MidAgent.bundles() lacks " + LIBRARY_BSN));
        assertEquals(PluginBundleDTO.ORIGIN_SYNC, plugin.origin);
        assertEquals("library", plugin.kind);
        assertEquals("ACTIVE", plugin.state);
        assertEquals(sha256(library), plugin.sha256);
        assertEquals(bundle.getVersion().toString(), plugin.version);
        assertEquals(bundle.getBundleId(), plugin.id);

        SyncResultDTO result = agent().sync();
        assertEquals("MidAgent.sync() applies the current revision", revision, result.revision);
        assertEquals(APPLIED, result.state);
        assertEquals("nothing left to do: " + Arrays.toString(result.files), 0,
                result.files == null ? 0 : result.files.length);
        assertEchoAnswers("2.0.0");
    }

    @Test
    public void s5_deletedProbeIsUninstalledAndItsCapabilityGone() throws Exception {
        long since = midway.instance().lastEventSeq();
        HttpResponse<String> deleted = midway.instance().deleteFile(ECHO_BSN);
        assertEquals("DELETE answered " + deleted.body(), 200, deleted.statusCode());
        JsonNode reply = MAPPER.readTree(deleted.body());
        assertEquals("DELETE reply " + reply, ECHO_BSN, reply.path("result").path("symbolic_name").asText());
        String revision = revision(reply);

        awaitSynced(revision, APPLIED, SYNC);
        awaitProbe(ECHO_TOPIC, false, SYNC);
        JsonNode output = midway.instance().insertOutput(midway.agentName(), ECHO_TOPIC, InstanceAdminClient.object());
        JsonNode input = midway.instance().awaitInput(output.path("sys_id").asText());
        assertEquals("input " + input, "error", input.path("state").asText());
        String error = input.path("error_string").asText();
        assertTrue("error_string says there is no probe: " + error,
                error.toLowerCase(Locale.ROOT).contains("no probe for topic") && error.contains(ECHO_TOPIC));

        Await.until("ecc_agent without capability " + ECHO_CAPABILITY,
                () -> midway.instance().agent(midway.agentName()).orElse(null),
                a -> a != null && !strings(a.path("capabilities")).contains(ECHO_CAPABILITY));
        assertFalse(list(agent().status().capabilities).contains(ECHO_CAPABILITY));
        assertTrue("the synced bundle is uninstalled",
                Arrays.stream(context.getBundles()).noneMatch(b -> ECHO_BSN.equals(b.getSymbolicName())));
        assertFalse("MidAgent.bundles() no longer lists it", plugin(ECHO_BSN).isPresent());
        assertEquals("the library stays", Bundle.ACTIVE, midway.bundle(LIBRARY_BSN).getState());
        awaitEvent(EVENT_APPLIED, since, revision, d -> d.contains(ECHO_BSN));

        JsonNode files = midway.instance().files();
        for (JsonNode f : files.path("result")) {
            assertNotEquals("gone from the repository: " + files, ECHO_BSN, f.path("symbolic_name").asText());
        }
        assertEquals("deleting it again", 404, midway.instance().deleteFile(ECHO_BSN).statusCode());
    }

    /** Pushes a broken echo and checks that v2 still runs and the failure is an event with the reason. */
    private void assertBrokenPushRolledBack(String key, String version, String reasonWhat, Predicate<String> reason)
            throws Exception {
        assertNotNull("step 2 ran", echoV2Sha);
        long since = midway.instance().lastEventSeq();
        JsonNode reply = midway.instance().pushFile("probe", jar(key));
        assertEquals("upload reply " + reply, version, reply.path("result").path("version").asText());
        String revision = revision(reply);

        awaitSynced(revision, FAILED, SYNC_FAILURE);
        JsonNode event = awaitEvent(EVENT_FAILED, since, revision,
                d -> d.contains(ECHO_BSN) && d.contains(version) && d.contains("failed"));
        assertTrue("the event detail " + reasonWhat + ": " + event, reason.test(event.path("detail").asText()));

        assertEquals("the core kept running", Bundle.ACTIVE, midway.bundle(CORE_BSN).getState());
        JsonNode record = midway.instance().agent(midway.agentName()).orElseThrow();
        assertEquals("the agent stays Up: " + record, "Up", record.path("status").asText());
        assertEquals(FAILED, record.path("sync_state").asText());
        Bundle echo = midway.bundle(ECHO_BSN);
        assertEquals("rolled back to v2", "2.0.0", echo.getVersion().toString());
        assertEquals(Bundle.ACTIVE, echo.getState());
        assertEchoAnswers("2.0.0");
    }

    /** Sends an Echo record and checks which version answered, from the same bundle as before. */
    private void assertEchoAnswers(String version) throws Exception {
        awaitProbe(ECHO_TOPIC, true, SYNC);
        JsonNode answer = echo("check " + version);
        assertEquals("Echo answered by " + answer, version, answer.path("bundle_version").asText());
        assertEquals("the same bundle: " + answer, echoBundleId, answer.path("bundle_id").asLong());
    }

    /** Sends one Echo record and returns the payload of its processed answer. */
    private JsonNode echo(String message) throws Exception {
        ObjectNode payload = InstanceAdminClient.object();
        payload.put("message", message);
        JsonNode output = midway.instance().insertOutput(midway.agentName(), ECHO_TOPIC, payload);
        JsonNode input = midway.instance().awaitInput(output.path("sys_id").asText());
        assertEquals("input " + input, "processed", input.path("state").asText());
        JsonNode answer = payloadObject(input);
        assertEquals("Echo echoes: " + answer, payload, answer.path("echo"));
        return answer;
    }

    /** Waits until the agent and the instance both show that revision applied with that state. */
    private void awaitSynced(String revision, String state, Duration timeout) {
        Await.until("the agent's sync state " + revision + "/" + state, timeout,
                () -> agent().status(),
                s -> revision.equals(s.syncRevision) && state.equals(s.syncState));
        Await.until("ecc_agent sync_revision " + revision + " and sync_state " + state, timeout,
                () -> midway.instance().agent(midway.agentName()).orElse(null),
                a -> a != null && revision.equals(a.path("sync_revision").asText())
                        && state.equals(a.path("sync_state").asText()));
    }

    private JsonNode awaitEvent(String name, long since, String revision, Predicate<String> detail) {
        return Await.until("event " + name + " of " + midway.agentName() + " for revision " + revision,
                () -> {
                    Pattern ofRevision = Pattern.compile("\\brevision " + revision + "\\b");
                    for (JsonNode event : midway.instance().events(since)) {
                        String text = event.path("detail").asText();
                        if (name.equals(event.path("name").asText())
                                && midway.agentName().equals(event.path("agent").asText())
                                && ofRevision.matcher(text).find() && detail.test(text)) {
                            return event;
                        }
                    }
                    return null;
                }, e -> e != null);
    }

    private void awaitProbe(String topic, boolean present, Duration timeout) {
        Await.until("agent " + (present ? "lists" : "no longer lists") + " probe " + topic, timeout,
                () -> list(agent().status().probes),
                probes -> probes.contains(topic) == present);
    }

    private MidAgent agent() throws InterruptedException {
        MidAgent agent = agents.waitForService(Await.DEFAULT.toMillis());
        assertNotNull("the MidAgent service", agent);
        return agent;
    }

    private Optional<PluginBundleDTO> plugin(String symbolicName) throws InterruptedException {
        PluginBundleDTO[] bundles = agent().bundles();
        assertNotNull(bundles);
        return Arrays.stream(bundles).filter(b -> symbolicName.equals(b.symbolicName)).findFirst();
    }

    private byte[] jar(String key) throws IOException {
        String path = context.getProperty(SyncTestJars.property(key));
        assertNotNull("framework property " + SyncTestJars.property(key), path);
        return Files.readAllBytes(Path.of(path));
    }

    private static String revision(JsonNode reply) {
        String revision = reply.path("revision").asText();
        assertTrue("a revision > 0 as a string: " + reply,
                reply.path("revision").isTextual() && revision.matches("[1-9][0-9]*"));
        return revision;
    }

    private static JsonNode fileEntry(JsonNode files, String symbolicName) {
        for (JsonNode file : files.path("result")) {
            if (symbolicName.equals(file.path("symbolic_name").asText())) {
                return file;
            }
        }
        throw new AssertionError(symbolicName + " not in " + files);
    }

    private static JsonNode withoutDownloads(JsonNode files) {
        JsonNode copy = files.deepCopy();
        copy.path("result").forEach(f -> ((ObjectNode) f).remove("downloads"));
        return copy;
    }

    private static String errorText(HttpResponse<String> response) throws IOException {
        JsonNode error = MAPPER.readTree(response.body()).path("error");
        return error.path("message").asText() + " " + error.path("detail").asText();
    }

    private static String bundleVersion(byte[] jar) throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = in.getManifest();
            assertNotNull("a manifest", manifest);
            return manifest.getMainAttributes().getValue("Bundle-Version");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> list(String[] values) {
        return values == null ? List.of() : Arrays.asList(values);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

    /** The input's payload as a JSON object (the instance may hand it back as JSON text). */
    private static JsonNode payloadObject(JsonNode input) throws IOException {
        JsonNode payload = input.path("payload");
        return payload.isTextual() ? MAPPER.readTree(payload.asText()) : payload;
    }
}
