package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.bundle.CollisionHook;

import io.midway.agent.internal.Await;
import io.midway.agent.internal.FakeInstance;
import io.midway.agent.internal.deploy.DeployFolder;
import io.midway.agent.internal.signing.AgentSigning;
import io.midway.agent.internal.signing.ConsoleInstallGuard;
import io.midway.agent.internal.transport.InstanceClient;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.SyncFileResultDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.signing.SignerPolicy;
import io.midway.testing.jars.TestJars;
import io.midway.testing.jars.TestSigner;

/**
 * Signatures required on a real Felix framework: a jar that is not signed by an allowed signer
 * never runs, whether it comes by file sync, through deploy/, or from the console or the shell;
 * one that is, does.
 */
public class SignedBundlesTest {

    private static final String ECHO = "io.midway.testing.echo";
    private static final String SYNC_LOCATION = BundleOrigins.syncLocation(ECHO);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private Path home;
    private Path deploy;
    private TestFelix felix;
    private FakeInstance instance;
    private FileSyncer syncer;
    private DeployFolder folder;
    private ConsoleInstallGuard guard;
    private ServiceRegistration<CollisionHook> hook;
    private OsgiPluginFramework framework;
    private Path echo;
    private TestSigner ours;
    private TestSigner theirs;

    @Before
    public void setUp() throws Exception {
        root = tmp.getRoot().toPath();
        home = Files.createDirectories(root.resolve("home"));
        deploy = Files.createDirectories(root.resolve("data/deploy"));
        Files.createDirectories(home.resolve("system/agent"));
        echo = TestJars.withVersion(EchoFixture.jar(), root.resolve("echo-2.jar"), "2.0.0");
        Path keystore = root.resolve("signers.p12");
        ours = TestSigner.make(keystore, "ours", "CN=Plug-in signer");
        theirs = TestSigner.make(keystore, "theirs", "CN=Someone else");
        instance = FakeInstance.start();
        felix = new TestFelix(root.resolve("cache"), true);
        // The system bundle plays the core: its installs are sync's and the deploy folder's.
        hook = felix.context().registerService(CollisionHook.class, new SyncCollisionHook(0), null);
        AgentSigning signing = new AgentSigning(SignerPolicy.of(true, List.of(ours.fingerprint())));
        BundleOrigins origins = new BundleOrigins(home, deploy);
        framework = new OsgiPluginFramework(felix.context(), felix.scr(), origins, signing);
        InstanceClient client = new InstanceClient(instance.url(), "mid", "secret", Duration.ofSeconds(2), null);
        syncer = new FileSyncer("test", client, framework, root.resolve("data/sync"), Duration.ofSeconds(3),
                Duration.ofMillis(50), Duration.ofMillis(200));
        syncer.start();
        folder = new DeployFolder(deploy, framework, syncer::provides, root.resolve("data/deploy-state.properties"));
        folder.start();
        guard = new ConsoleInstallGuard(felix.context(), origins, signing);
        guard.open();
    }

    @After
    public void tearDown() throws Exception {
        guard.close();
        folder.stop();
        syncer.stop();
        try {
            hook.unregister();
        } catch (IllegalStateException e) {
            // the framework is gone already
        }
        felix.close();
        instance.close();
    }

    private SyncFileResultDTO synced(Path jar) throws IOException {
        instance.publish(String.valueOf(System.nanoTime()), List.of(Map.entry("probe", jar)));
        SyncResultDTO result = syncer.syncNow(line -> { });
        assertEquals(Arrays.toString(result.files), 1, result.files.length);
        return result.files[0];
    }

    @Test
    public void fileSyncInstallsASignedPlugInAndRefusesAnUnsignedOneNamingWhy() throws Exception {
        SyncFileResultDTO unsigned = synced(echo);
        assertEquals("failed", unsigned.outcome);
        assertTrue(unsigned.message, unsigned.message.startsWith("refused: it is not signed; signatures are required"));
        assertFalse("never installed", Optional.ofNullable(felix.context().getBundle(SYNC_LOCATION)).isPresent());

        SyncFileResultDTO other = synced(theirs.signCopy(echo, root.resolve("theirs.jar")));
        assertEquals("failed", other.outcome);
        assertEquals("refused: it is signed by CN=Someone else (SHA-256 " + theirs.fingerprint()
                + "), not by a signer on the allow-list", other.message);
        assertFalse(Optional.ofNullable(felix.context().getBundle(SYNC_LOCATION)).isPresent());

        SyncFileResultDTO signed = synced(ours.signCopy(echo, root.resolve("ours.jar")));
        assertEquals(signed.message, "ok", signed.outcome);
        Bundle b = felix.context().getBundle(SYNC_LOCATION);
        assertEquals(Bundle.ACTIVE, b.getState());
        assertEquals("2.0.0", b.getVersion().toString());
    }

    @Test
    public void aDeployJarThatIsNotSignedIsListedWithTheReasonAndNotInstalled() throws Exception {
        Path unsigned = drop(echo, "unsigned.jar");
        Await.until("deploy/unsigned.jar is listed with its problem", () -> listed("unsigned.jar")
                .map(b -> b.problem != null).orElse(false));
        PluginBundleDTO dto = listed("unsigned.jar").get();
        assertEquals(PluginBundleDTO.STATE_NOT_INSTALLED, dto.state);
        assertTrue(dto.problem, dto.problem.contains("refused: it is not signed"));
        assertTrue(Optional.ofNullable(felix.context().getBundle(unsigned.toUri().toString())).isEmpty());

        Files.delete(unsigned);
        Path signed = drop(ours.signCopy(echo, root.resolve("signed.jar")), "signed.jar");
        Await.until("the signed jar is installed and active", () -> Optional.ofNullable(
                felix.context().getBundle(signed.toUri().toString())).map(b -> b.getState() == Bundle.ACTIVE).orElse(false));
    }

    @Test
    public void aBundleInstalledFromTheConsoleThatIsNotSignedIsUninstalledAtOnce() throws Exception {
        Path changed = ours.signCopy(echo, root.resolve("changed.jar"));
        // a signed jar whose manifest was changed afterwards: its signature no longer matches
        Path tampered = TestJars.withHeaders(changed, root.resolve("tampered.jar"), Map.of("X-Changed", "yes"));
        for (Path refused : List.of(echo, theirs.signCopy(echo, root.resolve("theirs.jar")), tampered)) {
            Bundle b;
            try (InputStream in = Files.newInputStream(refused)) {
                b = felix.context().installBundle(BundleOrigins.CONSOLE_LOCATION_PREFIX + refused.getFileName(), in);
            }
            assertEquals(refused + " is gone before anything could start it", Bundle.UNINSTALLED, b.getState());
            try {
                b.start();
                fail("an uninstalled bundle started");
            } catch (IllegalStateException expected) {
                // uninstalled
            }
        }
        // the shell's felix:install takes a URL: the same check
        Bundle byUrl = felix.context().installBundle(echo.toUri().toString() + "?shell");
        assertEquals(Bundle.UNINSTALLED, byUrl.getState());

        // mid:bundles and the Midway page list what was refused, newest first, with the reason
        PluginBundles listing = new PluginBundles(framework, syncer::installed, folder);
        listing.refusals(guard::refusals);
        List<PluginBundleDTO> refusedRows = Arrays.stream(listing.list())
                .filter(b -> PluginBundleDTO.STATE_NOT_INSTALLED.equals(b.state) && b.file == null).toList();
        assertEquals(4, refusedRows.size());
        assertTrue(refusedRows.stream().allMatch(b -> ECHO.equals(b.symbolicName) && "console".equals(b.origin)
                && b.problem.startsWith("refused: ")));
        assertTrue(refusedRows.stream().anyMatch(b -> b.problem.startsWith("refused: it is signed by CN=Someone else")));

        Path signed = ours.signCopy(echo, root.resolve("console-signed.jar"));
        Bundle kept;
        try (InputStream in = Files.newInputStream(signed)) {
            kept = felix.context().installBundle(BundleOrigins.CONSOLE_LOCATION_PREFIX + "console-signed.jar", in);
        }
        assertEquals(Bundle.INSTALLED, kept.getState());
        kept.start();
        assertEquals(Bundle.ACTIVE, kept.getState());

        // an update from the console with unsigned bytes: the bundle does not run them, and goes
        try (InputStream in = Files.newInputStream(echo)) {
            kept.update(in);
        } catch (org.osgi.framework.BundleException notStartedAgain) {
            // the framework's start after the update finds it unresolvable
        }
        assertTrue("not running the refused bytes", (kept.getState() & (Bundle.ACTIVE | Bundle.STARTING)) == 0);
        Await.until("the refused update is uninstalled", () -> kept.getState() == Bundle.UNINSTALLED);
    }

    @Test
    public void theDistributionsOwnBundlesAreNotCheckedButAConsoleUpdateOfOneIs() throws Exception {
        Path shipped = Files.copy(echo, home.resolve("system/agent/io.midway.testing.echo-2.0.0.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        Bundle b = felix.context().installBundle(shipped.toUri().toString());
        b.start();
        assertEquals("shipped, unsigned, and running", Bundle.ACTIVE, b.getState());

        try (InputStream in = Files.newInputStream(TestJars.withVersion(echo, root.resolve("echo-7.jar"), "7.0.0"))) {
            b.update(in);
        } catch (org.osgi.framework.BundleException notStartedAgain) {
            // the framework's start after the update finds it unresolvable
        }
        Await.until("the shipped bundle updated with unsigned bytes is uninstalled", () -> b.getState() == Bundle.UNINSTALLED);
    }

    @Test
    public void aConsoleBundleThatCallsItselfTheCoreIsCheckedLikeAnyOther() throws Exception {
        Path core = TestJars.withHeaders(echo, root.resolve("fake-core.jar"),
                Map.of("Bundle-SymbolicName", "io.midway.agent", "Bundle-Version", "99.0.0"));
        Bundle b;
        try (InputStream in = Files.newInputStream(core)) {
            b = felix.context().installBundle(BundleOrigins.CONSOLE_LOCATION_PREFIX + "fake-core.jar", in);
        }
        assertEquals(Bundle.UNINSTALLED, b.getState());
    }

    private Path drop(Path jar, String name) throws IOException {
        Path partial = root.resolve(name + ".partial");
        Files.copy(jar, partial, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(partial, deploy.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private Optional<PluginBundleDTO> listed(String file) {
        return Arrays.stream(new PluginBundles(framework, syncer::installed, folder).list())
                .filter(b -> file.equals(b.file)).findFirst();
    }
}
