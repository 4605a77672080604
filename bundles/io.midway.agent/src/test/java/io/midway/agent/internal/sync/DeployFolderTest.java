package io.midway.agent.internal.sync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.bundle.CollisionHook;

import io.midway.agent.internal.Await;
import io.midway.agent.internal.FakeInstance;
import io.midway.agent.internal.transport.InstanceClient;
import io.midway.agent.internal.deploy.DeployFolder;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.probe.Probe;
import io.midway.testing.jars.TestJars;

/**
 * The deploy folder in a real Felix with SCR and file sync beside it: every sequence of drops and
 * removals leaves the Echo topic served, by exactly one bundle, the one precedence says (deploy/,
 * else sync, else the distribution).
 */
public class DeployFolderTest {

    private static final String ECHO = "io.midway.testing.echo";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private Path home;
    private Path deploy;
    private TestFelix felix;
    private FakeInstance instance;
    private FileSyncer syncer;
    private DeployFolder folder;
    private ServiceRegistration<CollisionHook> hook;
    private OsgiPluginFramework framework;
    private Path echoV1;

    @Before
    public void setUp() throws Exception {
        root = tmp.getRoot().toPath();
        home = Files.createDirectories(root.resolve("home"));
        deploy = Files.createDirectories(root.resolve("data/deploy"));
        Files.createDirectories(home.resolve("system/agent"));
        echoV1 = EchoFixture.jar();
        instance = FakeInstance.start();
        start(true);
    }

    private void start(boolean clean) throws Exception {
        felix = new TestFelix(root.resolve("cache"), clean);
        // The system bundle plays the core: its installs are sync's and the deploy folder's.
        hook = felix.context().registerService(CollisionHook.class, new SyncCollisionHook(0), null);
        framework = new OsgiPluginFramework(felix.context(), felix.scr(), new BundleOrigins(home, deploy));
        InstanceClient client = new InstanceClient(instance.url(), "mid", "secret", Duration.ofSeconds(2), null);
        syncer = new FileSyncer("test", client, framework, root.resolve("data/sync"), Duration.ofSeconds(3),
                Duration.ofMillis(50), Duration.ofMillis(200));
        syncer.start();
        folder = new DeployFolder(deploy, framework, syncer::provides, root.resolve("data/deploy-state.properties"));
        folder.start();
    }

    private void stop() throws Exception {
        if (folder != null) {
            folder.stop();
        }
        if (syncer != null) {
            syncer.stop();
        }
        try {
            hook.unregister();
        } catch (IllegalStateException e) {
            // the framework is gone already
        }
        felix.close();
    }

    @After
    public void tearDown() throws Exception {
        stop();
        instance.close();
    }

    /** A shipped copy of the echo probe, as the launcher installs it from system/agent. */
    private Bundle shipped() throws Exception {
        Path jar = Files.copy(echoV1, home.resolve("system/agent/io.midway.testing.echo-0.1.0.jar"));
        Bundle b = felix.context().installBundle(jar.toUri().toString());
        b.start();
        return b;
    }

    /** Drops a jar into deploy/ the way an operator's copy lands: whole, by an atomic rename. */
    private Path drop(Path jar, String name) throws IOException {
        Path partial = root.resolve(name + ".partial");
        Files.copy(jar, partial, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(partial, deploy.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private Optional<Bundle> at(Path file) {
        return Optional.ofNullable(felix.context().getBundle(file.toUri().toString()));
    }

    /** @return the bundle ids that register the Echo probe */
    private List<Long> echoProviders() {
        Collection<ServiceReference<Probe>> refs;
        try {
            refs = felix.context().getServiceReferences(Probe.class, "(" + Probe.TOPIC_PROPERTY + "=Echo)");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        List<Long> ids = new ArrayList<>();
        for (ServiceReference<Probe> r : refs) {
            // a service unregistered since the lookup has no bundle any more (the swap under way)
            org.osgi.framework.Bundle bundle = r.getBundle();
            if (bundle != null) {
                ids.add(bundle.getBundleId());
            }
        }
        return ids;
    }

    private void awaitServedBy(String what, long id) {
        Await.until("Echo served by " + what + " only (bundle " + id + ")", () -> echoProviders().equals(List.of(id)));
    }

    private PluginBundleDTO listed(String file) {
        return find(file).orElseThrow(() -> new AssertionError("deploy/" + file + " is not listed"));
    }

    private Optional<PluginBundleDTO> find(String file) {
        return Arrays.stream(new PluginBundles(framework, syncer::installed, folder).list())
                .filter(b -> file.equals(b.file)).findFirst();
    }

    private boolean hasProblem(String file) {
        return find(file).map(b -> b.problem != null).orElse(false);
    }

    @Test
    public void aDeployCopyOfAShippedBundleTakesOverAndTheShippedOneComesBackWhenItGoes() throws Exception {
        Bundle shipped = shipped();
        awaitServedBy("the shipped bundle", shipped.getBundleId());

        // The same symbolic name and version as the shipped bundle: installed beside it, not over it.
        Path copy = drop(echoV1, "echo.jar");
        Await.until("the deploy copy runs", () -> at(copy).map(b -> b.getState() == Bundle.ACTIVE).orElse(false));
        Bundle deployed = at(copy).orElseThrow();
        assertTrue("another bundle than the shipped one", deployed.getBundleId() != shipped.getBundleId());
        awaitServedBy("the deploy copy", deployed.getBundleId());
        Await.until("the shipped bundle is stopped, not gone", () -> shipped.getState() == Bundle.RESOLVED);
        assertEquals("deploy", listed("echo.jar").origin);
        assertEquals("ACTIVE", listed("echo.jar").state);

        Files.delete(copy);
        Await.until("the deploy copy is uninstalled", () -> at(copy).isEmpty());
        awaitServedBy("the shipped bundle again", shipped.getBundleId());
        Await.until("the shipped bundle is active", () -> shipped.getState() == Bundle.ACTIVE);
        assertEquals("the shipped bundle stays installed", shipped, felix.context().getBundle(shipped.getBundleId()));
    }

    @Test
    public void aDeployCopyOfASyncedBundleTakesOverAndTheSyncedVersionComesBackWhenItGoes() throws Exception {
        Path v2 = TestJars.withVersion(echoV1, root.resolve("echo-2.jar"), "2.0.0");
        instance.publish("1", List.of(Map.entry("probe", v2)));
        syncer.syncNow(line -> { });
        Bundle synced = felix.context().getBundle(BundleOrigins.syncLocation(ECHO));
        assertNotNull(synced);
        awaitServedBy("the synced bundle", synced.getBundleId());

        Path copy = drop(TestJars.withVersion(echoV1, root.resolve("echo-9.jar"), "9.0.0"), "echo-9.jar");
        Await.until("the deploy copy runs", () -> at(copy).map(b -> b.getState() == Bundle.ACTIVE).orElse(false));
        awaitServedBy("the deploy copy", at(copy).orElseThrow().getBundleId());

        // The instance is gone: sync's copy must come back from its own cache.
        instance.close();
        Files.delete(copy);
        Await.until("the synced version is back", () -> {
            Bundle b = felix.context().getBundle(BundleOrigins.syncLocation(ECHO));
            return b != null && b.getState() == Bundle.ACTIVE && "2.0.0".equals(b.getVersion().toString())
                    && echoProviders().equals(List.of(b.getBundleId()));
        });
        instance = FakeInstance.start();
    }

    @Test
    public void theHighestVersionInTheFolderWinsAndTheOtherTakesOverWhenItGoes() throws Exception {
        Bundle shipped = shipped();
        Path low = drop(TestJars.withVersion(echoV1, root.resolve("e3.jar"), "3.0.0"), "a-echo-3.jar");
        Path high = drop(TestJars.withVersion(echoV1, root.resolve("e4.jar"), "4.0.0"), "b-echo-4.jar");
        Await.until("4.0.0 runs", () -> at(high).map(b -> b.getState() == Bundle.ACTIVE).orElse(false));
        awaitServedBy("4.0.0", at(high).orElseThrow().getBundleId());
        Await.until("3.0.0 is listed as not installed", () -> at(low).isEmpty()
                && find("a-echo-3.jar").map(b -> PluginBundleDTO.STATE_NOT_INSTALLED.equals(b.state)).orElse(false));
        assertTrue(listed("a-echo-3.jar").problem, listed("a-echo-3.jar").problem.contains("b-echo-4.jar provides"));

        Files.delete(high);
        Await.until("3.0.0 runs", () -> at(low).map(b -> b.getState() == Bundle.ACTIVE).orElse(false));
        awaitServedBy("3.0.0", at(low).orElseThrow().getBundleId());
        Files.delete(low);
        awaitServedBy("the shipped bundle again", shipped.getBundleId());
    }

    @Test
    public void aJarThatDoesNotResolveIsListedWithTheReasonAndTheShippedOneKeepsServing() throws Exception {
        Bundle shipped = shipped();
        Path bad = drop(TestJars.unresolvable(echoV1, root.resolve("bad.jar"), "5.0.0"), "bad.jar");
        Path notABundle = drop(TestJars.corrupt(root.resolve("corrupt.jar")), "corrupt.jar");
        Await.until("the unresolved jar is listed with why",
                () -> hasProblem("bad.jar") && hasProblem("corrupt.jar"));
        PluginBundleDTO unresolved = listed("bad.jar");
        assertEquals("INSTALLED", unresolved.state);
        assertTrue(unresolved.problem, unresolved.problem.contains("missing requirement"));
        PluginBundleDTO corrupt = listed("corrupt.jar");
        assertEquals(PluginBundleDTO.STATE_NOT_INSTALLED, corrupt.state);
        assertTrue(corrupt.problem, corrupt.problem.contains("not a jar") || corrupt.problem.contains("not a bundle"));
        assertEquals("the shipped bundle keeps serving", List.of(shipped.getBundleId()), echoProviders());
        assertEquals(Bundle.ACTIVE, shipped.getState());

        Files.delete(bad);
        Files.delete(notABundle);
        Await.until("both are gone from the list", () -> Arrays.stream(new PluginBundles(framework, syncer::installed,
                folder).list()).noneMatch(b -> b.file != null));
        assertEquals(List.of(shipped.getBundleId()), echoProviders());
    }

    @Test
    public void afterARestartTheDeployCopyStillWinsAndARemovalWhileDownBringsTheShippedOneBack() throws Exception {
        Bundle shipped = shipped();
        long shippedId = shipped.getBundleId();
        Path copy = drop(echoV1, "echo.jar");
        Await.until("the deploy copy runs", () -> at(copy).map(b -> b.getState() == Bundle.ACTIVE).orElse(false));

        // A restart: the launcher starts every bundle again, the shipped one too.
        stop();
        start(false);
        felix.context().getBundle(shippedId).start();
        Await.until("the shipped bundle is stopped again", () -> felix.context().getBundle(shippedId).getState()
                == Bundle.RESOLVED);
        awaitServedBy("the deploy copy", at(copy).orElseThrow().getBundleId());

        // Removed while the agent is down.
        stop();
        Files.delete(copy);
        start(false);
        felix.context().getBundle(shippedId).start();
        Await.until("the deploy copy is uninstalled", () -> at(copy).isEmpty());
        awaitServedBy("the shipped bundle", shippedId);
    }
}
