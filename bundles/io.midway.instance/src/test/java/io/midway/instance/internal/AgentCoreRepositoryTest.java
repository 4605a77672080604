package io.midway.instance.internal;

import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Before;
import org.junit.Test;

import io.midway.signing.SignerPolicy;
import io.midway.testing.jars.TestSigner;

import io.midway.testing.jars.TestJars;
import io.midway.instance.api.InstanceDescription;
import io.midway.instance.api.PollResult;

/** The stored agent cores and the instance version they set, on a real H2 database and folder. */
public class AgentCoreRepositoryTest extends ServiceFixture {

    private AgentCoreRepository cores;
    private Path coresDir;

    @Before
    public void startRepository() {
        coresDir = tmp.getRoot().toPath().resolve("cores");
        cores = new AgentCoreRepository(service.core(), coresDir, AgentCoreRepository.MAX_CORE_BYTES);
    }

    private Path core(String version) throws IOException {
        return TestBundles.bundle(tmp.getRoot().toPath().resolve("core-" + version + "-" + System.nanoTime() + ".jar"),
                AgentCoreRepository.CORE_SYMBOLIC_NAME, version);
    }

    private AgentCoreRepository.Published upload(Path jar) throws IOException {
        try (InputStream in = Files.newInputStream(jar)) {
            return cores.upload(in, Files.size(jar));
        }
    }

    @Test
    public void withSignaturesRequiredAnUnsignedCoreIsRefusedAndASignedOnePublished() throws Exception {
        TestSigner ours = TestSigner.make(tmp.getRoot().toPath().resolve("signers.p12"), "ours", "CN=Core signer");
        cores.withSigning(new UploadSigning(SignerPolicy.of(true, List.of(ours.fingerprint()))));
        String before = service.core().instanceVersion();
        String reason = refused(core("9.0.0"));
        assertTrue(reason, reason.startsWith("the agent core is refused: it is not signed"));
        assertEquals("the instance version stays", before, service.core().instanceVersion());
        upload(ours.sign(core("9.0.1")));
        assertEquals("9.0.1", service.core().instanceVersion());
    }

    private String refused(Path jar) throws IOException {
        try {
            upload(jar);
            fail("accepted " + jar);
            return null;
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.INVALID, e.reason());
            return e.getMessage();
        }
    }

    @Test
    public void beforeAnyUploadTheInstanceVersionIsMidwayVersionWithNoCore() {
        assertEquals("1.2.3", service.core().instanceVersion());
        assertEquals(new InstanceDescription("1.2.3", null), service.core().instanceInfo());
        AgentCoreRepository.Overview overview = cores.overview();
        assertEquals("1.2.3", overview.version());
        assertNull(overview.core());
        assertEquals(List.of(), overview.cores());
        assertEquals(List.of(), cores.cores());
    }

    @Test
    public void anUploadIsStoredByHashAndBecomesTheInstanceVersion() throws Exception {
        register("m1");
        Path jar = core("1.3");
        AgentCoreRepository.Published published = upload(jar);
        InstanceDescription.Core core = published.core();
        assertEquals("io.midway.agent", core.symbolicName());
        assertEquals("the version is normalised", "1.3.0", core.version());
        assertEquals(TestJars.sha256(jar), core.sha256());
        assertEquals(Files.size(jar), core.size());
        assertEquals("1.2.3", published.previousVersion());
        assertArrayEquals(Files.readAllBytes(jar), Files.readAllBytes(coresDir.resolve(core.sha256() + ".jar")));
        assertEquals("no temporary file is left", List.of(core.sha256() + ".jar"), TestBundles.fileNames(coresDir));

        assertEquals("1.3.0", service.core().instanceVersion());
        assertEquals(new InstanceDescription("1.3.0", core), service.core().instanceInfo());
        assertEquals("1.3.0", service.polls().poll("m1", 10).instanceVersion());
        assertEquals(List.of(core), cores.cores());
        assertEquals(core, cores.overview().core().core());
        assertEquals("2026-03-01 10:00:00", cores.overview().core().uploadedOn());
    }

    @Test
    public void badJarsAreRefusedWithTheReasonAndLeaveNothingBehind() throws Exception {
        Path dir = tmp.getRoot().toPath();
        assertTrue(refused(TestJars.corrupt(dir.resolve("c.jar"))).startsWith("not a jar: "));
        assertEquals("not an agent core: Bundle-SymbolicName is com.acme.x, not io.midway.agent",
                refused(TestBundles.bundle(dir.resolve("x.jar"), "com.acme.x", "1.0.0")));
        assertEquals("not an agent core: Bundle-SymbolicName is io.midway.agent.upgrader, not io.midway.agent",
                refused(TestBundles.bundle(dir.resolve("u.jar"), "io.midway.agent.upgrader", "1.0.0")));
        assertEquals("no Bundle-Version in the manifest",
                refused(TestBundles.bundle(dir.resolve("nv.jar"), Map.of("Bundle-SymbolicName", "io.midway.agent"))));
        assertTrue(refused(TestBundles.bundle(dir.resolve("bv.jar"), "io.midway.agent", "one.two"))
                .startsWith("invalid Bundle-Version 'one.two'"));
        assertEquals("no manifest in the jar",
                refused(TestBundles.zipWithoutManifest(dir.resolve("z.jar"), List.of("a.txt"))));
        assertTrue(refused(Files.write(dir.resolve("empty.jar"), new byte[0])).contains("empty"));
        try (InputStream in = Files.newInputStream(core("2.0.0"))) {
            new AgentCoreRepository(service.core(), coresDir, 10).upload(in, -1);
            fail("a jar above the limit was accepted");
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.TOO_LARGE, e.reason());
        }
        assertEquals(List.of(), TestBundles.fileNames(coresDir));
        assertEquals("1.2.3", service.core().instanceVersion());
        assertEquals(List.of(), cores.cores());
    }

    @Test
    public void everyCoreIsKeptOnePerVersionAndAnOlderUploadIsADowngrade() throws Exception {
        InstanceDescription.Core v2 = upload(core("2.0.0")).core();
        InstanceDescription.Core v3 = upload(core("3.0.0")).core();
        InstanceDescription.Core v1 = upload(core("1.0.0")).core();
        assertEquals("the older core made the version go back", "1.0.0", service.core().instanceVersion());
        assertEquals(v1, service.core().instanceInfo().core());
        assertEquals("oldest version first", List.of(v1, v2, v3), cores.cores());
        assertEquals(3, TestBundles.fileNames(coresDir).size());

        // a new upload of a known version replaces it
        Path newV2 = TestBundles.bundle(tmp.getRoot().toPath().resolve("v2b.jar"),
                Map.of("Bundle-SymbolicName", "io.midway.agent", "Bundle-Version", "2.0.0", "X-Build", "2"));
        AgentCoreRepository.Published replaced = upload(newV2);
        assertEquals("1.0.0", replaced.previousVersion());
        assertEquals("2.0.0", service.core().instanceVersion());
        assertEquals(List.of(v1, replaced.core(), v3), cores.cores());
        assertFalse("the replaced bytes are gone", Files.exists(coresDir.resolve(v2.sha256() + ".jar")));
        assertTrue(Files.exists(coresDir.resolve(replaced.core().sha256() + ".jar")));
        assertEquals(3, TestBundles.fileNames(coresDir).size());

        // the same bytes again only make it the instance version
        upload(newV2);
        upload(core("3.0.0"));
        assertEquals("3.0.0", service.core().instanceVersion());
        assertEquals(3, cores.cores().size());
    }

    @Test
    public void theInstanceVersionAndTheCoresSurviveARestart() throws Exception {
        InstanceDescription.Core v2 = upload(core("2.0.0")).core();
        InstanceDescription.Core v1 = upload(core("1.5.0")).core();
        Files.writeString(coresDir.resolve("upload-123.tmp"), "half an upload");
        Files.writeString(coresDir.resolve("a".repeat(64) + ".jar"), "no row names it");
        restartService();
        cores = new AgentCoreRepository(service.core(), coresDir, AgentCoreRepository.MAX_CORE_BYTES);
        assertEquals("1.5.0", service.core().instanceVersion());
        assertEquals(new InstanceDescription("1.5.0", v1), service.core().instanceInfo());
        assertEquals(List.of(v1, v2), cores.cores());
        assertEquals("leftovers are tidied", List.of(v1.sha256() + ".jar", v2.sha256() + ".jar").stream().sorted()
                .toList(), TestBundles.fileNames(coresDir));
    }

    @Test
    public void downloadsAreCountedPerCoreAndPersist() throws Exception {
        Path jar = core("2.0.0");
        InstanceDescription.Core v2 = upload(jar).core();
        InstanceDescription.Core v1 = upload(core("1.0.0")).core();
        for (int i = 0; i < 2; i++) {
            AgentCoreRepository.Download d = cores.open(v2.sha256().toUpperCase());
            try (InputStream in = d.bytes()) {
                assertArrayEquals(Files.readAllBytes(jar), in.readAllBytes());
            }
            cores.downloaded(d.core().sha256());
        }
        assertEquals(v2, cores.open(v2.sha256()).core());
        assertEquals(List.of(0L, 2L), cores.overview().cores().stream().map(AgentCoreRepository.Listed::downloads)
                .toList());
        assertEquals(v1, cores.overview().core().core());
        restartService();
        cores = new AgentCoreRepository(service.core(), coresDir, AgentCoreRepository.MAX_CORE_BYTES);
        assertEquals(2L, cores.overview().cores().get(1).downloads());

        try {
            cores.open("0".repeat(64));
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
        }
        try {
            cores.open("../x");
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.INVALID, e.reason());
        }
    }

    @Test
    public void aWaitingPollCompletesAtOnceWhenTheInstanceVersionChanges() throws Exception {
        register("m1");
        CompletableFuture<PollResult> poll = service.polls().longPoll("m1", 10, 10_000);
        assertFalse(poll.isDone());
        long start = System.nanoTime();
        upload(core("2.0.0"));
        PollResult reply = poll.get(2000, TimeUnit.MILLISECONDS);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("took " + elapsed + " ms", elapsed < 2000);
        assertEquals("2.0.0", reply.instanceVersion());
        assertEquals(List.of(), reply.result());
        assertEquals(0, service.polls().waitingPolls("m1"));
    }

    @Test
    public void aPollKnowingAnotherInstanceVersionAnswersAtOnce() throws Exception {
        register("m1");
        CompletableFuture<PollResult> behind = service.polls().longPoll("m1", 10, 10_000, null, "0.9.0");
        assertTrue("a poll that knows another version answers at once", behind.isDone());
        assertEquals("1.2.3", behind.get().instanceVersion());
        CompletableFuture<PollResult> current = service.polls().longPoll("m1", 10, 10_000, null, "1.2.3");
        assertFalse("a poll that knows the current version waits", current.isDone());
        upload(core("2.0.0"));
        assertEquals("2.0.0", current.get(2000, TimeUnit.MILLISECONDS).instanceVersion());
    }
}
