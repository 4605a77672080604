package io.midway.instance.internal;

import io.midway.instance.api.AgentChange;
import io.midway.instance.api.InstanceException;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
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
import io.midway.testing.jars.TestJars;
import io.midway.testing.jars.TestSigner;
import io.midway.instance.api.Agent;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.RepositoryFile;
import io.midway.instance.api.SyncState;
import io.midway.instance.api.SyncFiles;

/** The file-sync repository over a real H2 database and a real folder of jars. */
public class FileSyncServiceTest extends ServiceFixture {

    /** Small enough that a test jar can exceed it. */
    private static final long LIMIT = 256 * 1024;

    private Path filesDir;
    private FileSyncService files;
    private Path echo;
    private String echoSha;

    @Before
    public void startFiles() throws IOException {
        filesDir = tmp.getRoot().toPath().resolve("files");
        files = new FileSyncService(service.core(), filesDir, LIMIT);
        echo = TestBundles.echo(tmp.getRoot().toPath().resolve("echo.jar"));
        echoSha = TestJars.sha256(echo);
    }

    private void restart() {
        restartService();
        files = new FileSyncService(service.core(), filesDir, LIMIT);
    }

    private Path jar(String name) {
        return tmp.getRoot().toPath().resolve(name);
    }

    private FileSyncService.Upload upload(Path jar, String kind) throws IOException {
        return upload(jar, kind, null);
    }

    private FileSyncService.Upload upload(Path jar, String kind, String name) throws IOException {
        try (InputStream in = Files.newInputStream(jar)) {
            return files.upload(in, Files.size(jar), kind, name);
        }
    }

    private InstanceException rejected(Path jar, String kind, InstanceException.Reason expected) throws IOException {
        try {
            FileSyncService.Upload upload = upload(jar, kind);
            fail("accepted: " + upload);
            return null;
        } catch (InstanceException e) {
            assertEquals(e.getMessage(), expected, e.reason());
            return e;
        }
    }

    private List<String> jarsOnDisk() throws IOException {
        return TestBundles.fileNames(filesDir);
    }

    @Test
    public void withSignaturesRequiredOnlyAJarSignedByAnAllowedSignerIsStored() throws Exception {
        Path keystore = jar("signers.p12");
        TestSigner ours = TestSigner.make(keystore, "ours", "CN=Plug-in signer");
        TestSigner theirs = TestSigner.make(keystore, "theirs", "CN=Someone else");
        files.withSigning(new UploadSigning(SignerPolicy.of(true, List.of(ours.fingerprint()))));

        InstanceException unsigned = rejected(echo, "probe", InstanceException.Reason.INVALID);
        assertTrue(unsigned.getMessage(), unsigned.getMessage().startsWith("the plug-in is refused: it is not signed"));
        assertTrue(unsigned.detail(), unsigned.detail().contains("jarsigner"));
        InstanceException other = rejected(theirs.signCopy(echo, jar("theirs.jar")), "probe", InstanceException.Reason.INVALID);
        assertEquals("the plug-in is refused: it is signed by CN=Someone else (SHA-256 " + theirs.fingerprint()
                + "), not by a signer on the allow-list", other.getMessage());
        assertEquals("nothing stored", "0", files.snapshot().revision());
        assertEquals(List.of(), jarsOnDisk());

        FileSyncService.Upload signed = upload(ours.signCopy(echo, jar("ours.jar")), "probe");
        assertEquals("1", signed.revision());
        assertEquals(1, files.snapshot().files().size());
    }

    @Test
    public void signaturesRequiredWithoutAUsableSignerRefuseEveryUpload() throws Exception {
        UploadSigning signing = new UploadSigning();
        signing.configure(signingConfiguration(true, "not-a-fingerprint"));
        files.withSigning(signing);
        InstanceException e = rejected(echo, "probe", InstanceException.Reason.INVALID);
        assertTrue(e.getMessage(), e.getMessage().startsWith("the plug-in is refused: signatures are required and the "
                + "signing configuration cannot be used: not a SHA-256 certificate fingerprint"));
        signing.configure(signingConfiguration(false, "not-a-fingerprint"));
        assertEquals("not required: the wrong signer does not matter", "1", upload(echo, "probe").revision());
    }

    public static SigningConfiguration signingConfiguration(boolean required, String... signers) {
        return new SigningConfiguration() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return SigningConfiguration.class;
            }

            @Override
            public boolean required() {
                return required;
            }

            @Override
            public String[] signers() {
                return signers;
            }
        };
    }

    @Test
    public void nothingUploadedIsRevisionZero() {
        assertEquals("0", files.snapshot().revision());
        assertEquals(List.of(), files.snapshot().files());
        assertEquals("0", files.listing().revision());
        register("m1");
        assertEquals("0", service.polls().poll("m1", 10).syncRevision());
    }

    @Test
    public void uploadStoresTheJarAndTakesARevision() throws Exception {
        FileSyncService.Upload upload = upload(echo, "probe");
        assertTrue(upload.changed());
        assertEquals("1", upload.revision());
        RepositoryFile file = upload.file();
        assertEquals(new RepositoryFile("io.midway.testing.echo-0.1.0.jar", "probe", TestBundles.ECHO, "0.1.0", echoSha,
                Files.size(echo)), file);
        assertEquals(List.of(echoSha + ".jar"), jarsOnDisk());
        assertArrayEquals(Files.readAllBytes(echo), Files.readAllBytes(filesDir.resolve(echoSha + ".jar")));

        SyncFiles snapshot = files.snapshot();
        assertEquals(new SyncFiles("1", List.of(file)), snapshot);
        register("m1");
        assertEquals("1", service.polls().poll("m1", 10).syncRevision());
        assertEquals("1", service.core().syncRevision());

        FileSyncService.Listed listed = files.listing().files().get(0);
        assertEquals(file, listed.file());
        assertEquals("2026-03-01 10:00:00", listed.uploadedOn());
        assertEquals(0, listed.downloads());
    }

    @Test
    public void theSameBytesAgainChangeNothingButANewKindOrNameDoes() throws Exception {
        assertEquals("1", upload(echo, "probe", "echo.jar").revision());
        FileSyncService.Upload again = upload(echo, "probe");
        assertFalse(again.changed());
        assertEquals("1", again.revision());
        assertEquals("echo.jar", again.file().name());
        assertEquals("1", files.snapshot().revision());

        FileSyncService.Upload kind = upload(echo, "protocol");
        assertTrue(kind.changed());
        assertEquals("2", kind.revision());
        assertEquals("protocol", kind.file().kind());
        assertEquals("a new kind keeps the name given before", "echo.jar", kind.file().name());
        FileSyncService.Upload renamed = upload(echo, "protocol", "echo-renamed.jar");
        assertEquals("3", renamed.revision());
        assertEquals("echo-renamed.jar", files.snapshot().files().get(0).name());
        assertEquals(List.of(echoSha + ".jar"), jarsOnDisk());
    }

    @Test
    public void newBytesForAKnownSymbolicNameReplaceIt() throws Exception {
        upload(echo, "probe");
        Path v2 = TestJars.withVersion(echo, jar("echo-2.jar"), "2.0.0");
        String v2Sha = TestJars.sha256(v2);
        FileSyncService.Upload replaced = upload(v2, "probe");
        assertTrue(replaced.changed());
        assertEquals("2", replaced.revision());
        assertEquals("io.midway.testing.echo-2.0.0.jar", replaced.file().name());
        SyncFiles snapshot = files.snapshot();
        assertEquals("2", snapshot.revision());
        assertEquals(1, snapshot.files().size());
        assertEquals("2.0.0", snapshot.files().get(0).version());
        assertEquals(v2Sha, snapshot.files().get(0).sha256());
        assertEquals("the old bytes are gone", List.of(v2Sha + ".jar"), jarsOnDisk());
        try {
            files.open(echoSha);
            fail("old bytes still served");
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
        }
    }

    @Test
    public void snapshotIsSortedBySymbolicName() throws Exception {
        upload(TestBundles.bundle(jar("z.jar"), "com.zeta.lib", "1.0.0"), "library");
        upload(echo, "probe");
        upload(TestBundles.bundle(jar("a.jar"), "com.acme.x", "1.2"), "credential");
        SyncFiles snapshot = files.snapshot();
        assertEquals("3", snapshot.revision());
        assertEquals(List.of("com.acme.x", "com.zeta.lib", TestBundles.ECHO),
                snapshot.files().stream().map(RepositoryFile::symbolicName).toList());
        assertEquals("1.2.0", snapshot.files().get(0).version());
        assertEquals("credential", snapshot.files().get(0).kind());
    }

    @Test
    public void deleteRemovesTheFileAndTakesARevision() throws Exception {
        upload(echo, "probe");
        upload(TestBundles.bundle(jar("a.jar"), "com.acme.x", "1.0.0"), "library");
        FileSyncService.Removal removal = files.delete(TestBundles.ECHO);
        assertEquals("3", removal.revision());
        assertEquals(echoSha, removal.file().sha256());
        assertEquals(List.of("com.acme.x"), files.snapshot().files().stream().map(RepositoryFile::symbolicName).toList());
        assertFalse(Files.exists(filesDir.resolve(echoSha + ".jar")));
        try {
            files.delete(TestBundles.ECHO);
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains(TestBundles.ECHO));
        }
        assertEquals("a failed delete takes no revision", "3", files.snapshot().revision());
    }

    @Test
    public void invalidUploadsAreRefusedWithoutAnyTrace() throws Exception {
        upload(echo, "probe");
        assertEquals("query parameter 'kind' is required", rejected(echo, null, InstanceException.Reason.INVALID)
                .getMessage());
        InstanceException kind = rejected(echo, "driver", InstanceException.Reason.INVALID);
        assertEquals("unknown kind 'driver'", kind.getMessage());
        assertEquals("one of: probe, protocol, credential, library", kind.detail());
        assertTrue(rejected(TestJars.corrupt(jar("c.jar")), "probe", InstanceException.Reason.INVALID).getMessage()
                .startsWith("not a jar: "));
        assertEquals("no manifest in the jar", rejected(TestBundles.zipWithoutManifest(jar("p.jar"), List.of("x")),
                "probe", InstanceException.Reason.INVALID).getMessage());
        assertEquals("no Bundle-SymbolicName in the manifest", rejected(TestBundles.bundle(jar("n.jar"),
                Map.of("Bundle-Version", "1.0.0")), "probe", InstanceException.Reason.INVALID).getMessage());
        assertEquals("invalid Bundle-Version 'one'", rejected(TestBundles.bundle(jar("v.jar"), "com.acme.x", "one"),
                "probe", InstanceException.Reason.INVALID).getMessage());
        try {
            files.upload(new ByteArrayInputStream(new byte[0]), 0, "probe", null);
            fail();
        } catch (InstanceException e) {
            assertEquals("the request body is empty", e.getMessage());
        }
        try {
            upload(echo, "probe", "../evil.jar");
            fail();
        } catch (InstanceException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("invalid file name"));
        }
        assertEquals("1", files.snapshot().revision());
        assertEquals("no upload is left behind", List.of(echoSha + ".jar"), jarsOnDisk());
    }

    @Test
    public void agentCoreAndFrameworkBundlesAreRefused() throws Exception {
        for (String core : List.of("io.midway.agent", "io.midway.agent.upgrader", "io.midway.api", "io.midway.wire",
                "io.midway.instance", "io.midway.instance.console", "org.apache.felix.framework",
                "org.apache.felix.scr", "org.apache.felix.configadmin", "org.apache.felix.fileinstall")) {
            Path jar = TestJars.withHeaders(echo, jar(core + ".jar"),
                    Map.of("Bundle-SymbolicName", core + ";singleton:=true"));
            assertEquals(core + " is part of the agent core; it is upgraded, not synced",
                    rejected(jar, "library", InstanceException.Reason.INVALID).getMessage());
        }
        Path near = TestJars.withHeaders(echo, jar("near.jar"), Map.of("Bundle-SymbolicName", "io.midway.agentx"));
        assertEquals("a name that only starts like the core is fine", "io.midway.agentx",
                upload(near, "library").file().symbolicName());
        assertEquals("1", files.snapshot().revision());
    }

    @Test
    public void tooLargeIs413WhetherDeclaredOrStreamed() throws Exception {
        byte[] big = new byte[(int) LIMIT + 1];
        try {
            files.upload(new ByteArrayInputStream(big), big.length, "probe", null);
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.TOO_LARGE, e.reason());
        }
        try {
            files.upload(new ByteArrayInputStream(big), -1, "probe", null);
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.TOO_LARGE, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains(Long.toString(LIMIT)));
        }
        assertEquals(List.of(), jarsOnDisk());
        assertEquals("0", files.snapshot().revision());
    }

    @Test
    public void everythingSurvivesCloseAndReopen() throws Exception {
        upload(echo, "probe");
        upload(TestBundles.bundle(jar("a.jar"), "com.acme.x", "1.0.0"), "library");
        files.delete("com.acme.x");
        upload(TestBundles.bundle(jar("b.jar"), "com.acme.y", "3.0.0"), "protocol", "y.jar");
        SyncFiles before = files.snapshot();
        assertEquals("4", before.revision());
        // debris of a crash: an unfinished upload and a jar nothing names
        Files.writeString(filesDir.resolve("upload-123.tmp"), "partial");
        Files.writeString(filesDir.resolve("0".repeat(64) + ".jar"), "orphan");
        Files.writeString(filesDir.resolve("notes.txt"), "not ours: kept");

        restart();
        assertEquals(before, files.snapshot());
        assertEquals("4", service.core().syncRevision());
        register("m1");
        assertEquals("4", service.polls().poll("m1", 10).syncRevision());
        List<String> expected = new java.util.ArrayList<>(List.of(echoSha + ".jar", "notes.txt",
                before.files().get(0).sha256() + ".jar"));
        expected.sort(null);
        assertEquals(expected, jarsOnDisk());
        assertEquals("the next change continues the count", "5", files.delete("com.acme.y").revision());
    }

    @Test
    public void downloadByHashWithCounters() throws Exception {
        upload(echo, "probe");
        for (String hash : List.of(echoSha, echoSha.toUpperCase())) {
            FileSyncService.Download download = files.open(hash);
            try (InputStream in = download.bytes()) {
                assertArrayEquals(Files.readAllBytes(echo), in.readAllBytes());
            }
            assertEquals(echoSha, download.file().sha256());
            files.downloaded(download.file().sha256());
        }
        assertEquals(2, files.listing().files().get(0).downloads());
        assertEquals(2, files.file(TestBundles.ECHO).orElseThrow().downloads());
        try {
            files.open("ab".repeat(32));
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
        }
        for (String bad : List.of("xyz", echoSha.substring(1), echoSha + "0", "g".repeat(64), "")) {
            try {
                files.open(bad);
                fail(bad);
            } catch (InstanceException e) {
                assertEquals(bad, InstanceException.Reason.INVALID, e.reason());
            }
        }
        // new bytes under the name: the counter is per bytes
        upload(TestJars.withVersion(echo, jar("e2.jar"), "2.0.0"), "probe");
        assertEquals(0, files.listing().files().get(0).downloads());
    }

    @Test
    public void aWaitingLongPollCompletesWithinBoundsOfAnUploadWithTheNewRevision() throws Exception {
        register("m1");
        register("m2");
        CompletableFuture<PollResult> m1 = service.polls().longPoll("m1", 10, 10_000);
        CompletableFuture<PollResult> m2 = service.polls().longPoll("m2", 10, 10_000);
        assertFalse(m1.isDone());
        assertEquals(1, service.polls().waitingPolls("m1"));
        long start = System.nanoTime();
        upload(echo, "probe");
        PollResult r1 = m1.get(500, TimeUnit.MILLISECONDS);
        PollResult r2 = m2.get(500, TimeUnit.MILLISECONDS);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("took " + elapsed + " ms", elapsed < 500);
        assertEquals("1", r1.syncRevision());
        assertEquals(List.of(), r1.result());
        assertEquals("1", r2.syncRevision());

        // an unchanged upload wakes nobody; a delete does
        CompletableFuture<PollResult> again = service.polls().longPoll("m1", 10, 10_000);
        upload(echo, "probe");
        long deadline = System.currentTimeMillis() + 200;
        while (System.currentTimeMillis() < deadline) {
            assertFalse(again.isDone());
            Thread.onSpinWait();
        }
        files.delete(TestBundles.ECHO);
        assertEquals("2", again.get(500, TimeUnit.MILLISECONDS).syncRevision());
    }

    @Test
    public void reportSetsTheAgentFieldsAndWritesAnEventPerOutcome() throws Exception {
        register("m1");
        long seq = lastEventSeq();
        Agent applied = service.agents().syncReport(new SyncState("m1", "7", SyncState.STATE_APPLIED, List.of(
                new SyncState.Result(TestBundles.ECHO, "2.0.0", echoSha, "update", "ok", null),
                new SyncState.Result("com.acme.old", "1.0.0", null, "uninstall", "ok", null))));
        assertEquals("7", applied.syncRevision());
        assertEquals("applied", applied.syncState());
        assertEquals("7", agentNamed("m1").syncRevision());
        List<InstanceEvent> events = service.events().events(seq, 10);
        assertEquals(1, events.size());
        assertEquals(InstanceEvent.FILE_SYNC_APPLIED, events.get(0).name());
        assertEquals("m1", events.get(0).agent());
        assertEquals("revision 7: io.midway.testing.echo 2.0.0 update ok; com.acme.old 1.0.0 uninstall ok",
                events.get(0).detail());

        seq = lastEventSeq();
        Agent failed = service.agents().syncReport(new SyncState("m1", "8", SyncState.STATE_FAILED, List.of(
                new SyncState.Result(TestBundles.ECHO, "2.0.0", echoSha, "update", "ok", null),
                new SyncState.Result("com.acme.x", "1.0.0", "ab".repeat(32), "install", "failed",
                        "Unable to resolve com.acme.x: missing requirement\n  osgi.wiring.package=nowhere"),
                new SyncState.Result("com.acme.y", "1.0.0", "cd".repeat(32), "skip", "skipped",
                        "deploy/ provides com.acme.y"))));
        assertEquals("failed", failed.syncState());
        events = service.events().events(seq, 10);
        assertEquals(InstanceEvent.FILE_SYNC_FAILED, events.get(0).name());
        assertEquals("revision 8: io.midway.testing.echo 2.0.0 update ok; com.acme.x 1.0.0 install failed: "
                + "Unable to resolve com.acme.x: missing requirement osgi.wiring.package=nowhere; "
                + "com.acme.y 1.0.0 skip skipped: deploy/ provides com.acme.y", events.get(0).detail());

        service.agents().syncReport(new SyncState("m1", "9", SyncState.STATE_APPLIED, null));
        assertEquals("revision 9: nothing to change", service.events().events(lastEventSeq() - 1, 10).get(0).detail());
    }

    @Test
    public void syncFieldsOfAnAgentSurviveItsOtherChanges() throws Exception {
        Agent m1 = register("m1");
        service.agents().syncReport(new SyncState("m1", "3", SyncState.STATE_FAILED, List.of()));
        register("m1");
        service.polls().poll("m1", 10);
        service.agents().changeStatus("m1", Agent.STATUS_PAUSED);
        service.agents().updateAgent(m1.sysId(), new AgentChange(Agent.STATUS_UP, true, null, null, null, null));
        restart();
        Agent after = agentNamed("m1");
        assertEquals("3", after.syncRevision());
        assertEquals("failed", after.syncState());
        Agent fresh = register("m2");
        assertNull(fresh.syncRevision());
        assertNull(agentNamed("m2").syncState());
    }

    @Test
    public void badReportsAre400AndUnknownAgents404() {
        register("m1");
        assertBad(new SyncState(null, "1", "applied", List.of()), "field 'name' is required");
        assertBad(new SyncState("m1", null, "applied", List.of()), "field 'revision' must be a revision number");
        assertBad(new SyncState("m1", "seven", "applied", List.of()), "field 'revision' must be a revision number");
        assertBad(new SyncState("m1", "1", "done", List.of()), "field 'state' must be one of: applied, failed");
        assertBad(new SyncState("m1", "1", "applied", java.util.Arrays.asList((SyncState.Result) null)),
                "files[0] must be an object");
        assertBad(new SyncState("m1", "1", "applied", List.of(new SyncState.Result(null, "1", null, "install", "ok",
                null))), "files[0].symbolic_name is required");
        assertBad(new SyncState("m1", "1", "applied", List.of(new SyncState.Result("a", "1", null, "reinstall", "ok",
                null))), "files[0].action must be one of: install, update, uninstall, skip");
        assertBad(new SyncState("m1", "1", "applied", List.of(new SyncState.Result("a", "1", null, "install", "meh",
                null))), "files[0].outcome must be one of: ok, failed, skipped");
        try {
            service.agents().syncReport(new SyncState("ghost", "1", "applied", List.of()));
            fail();
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.NOT_FOUND, e.reason());
        }
        assertNull(agentNamed("m1").syncRevision());
    }

    private void assertBad(SyncState report, String message) {
        try {
            service.agents().syncReport(report);
            fail("accepted " + report);
        } catch (InstanceException e) {
            assertEquals(InstanceException.Reason.INVALID, e.reason());
            assertEquals(message, e.getMessage());
        }
    }

    private long lastEventSeq() {
        List<InstanceEvent> all = service.events().events(0, 10000);
        return all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
    }

    @Test
    public void aPollFromAnAgentBehindOnTheRevisionAnswersAtOnce() throws Exception {
        register("m1");
        upload(echo, "probe");
        CompletableFuture<PollResult> behind = service.polls().longPoll("m1", 10, 10_000, "0");
        assertTrue("the agent has revision 0, the instance 1: no waiting", behind.isDone());
        assertEquals("1", behind.get().syncRevision());
        CompletableFuture<PollResult> current = service.polls().longPoll("m1", 10, 10_000, "1");
        assertFalse("an agent up to date waits for work", current.isDone());
        files.delete(TestBundles.ECHO);
        assertEquals("2", current.get(500, TimeUnit.MILLISECONDS).syncRevision());
    }
}
