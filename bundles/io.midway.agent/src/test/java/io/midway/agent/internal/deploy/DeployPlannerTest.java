package io.midway.agent.internal.deploy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;
import org.osgi.framework.Bundle;

import io.midway.agent.internal.sync.BundleOrigin;
import io.midway.agent.internal.sync.InstalledBundle;

/** The deploy folder's decisions, case by case, without a framework. */
public class DeployPlannerTest {

    private static final Path DIR = Path.of("/agent/deploy");

    private static DeployJar jar(String file, String bsn, String version, String sha) {
        return new DeployJar(DIR.resolve(file), sha, bsn, version, null);
    }

    private static InstalledBundle deployed(long id, DeployJar jar, int state) {
        return new InstalledBundle(id, jar.symbolicName(), jar.version(), jar.location(), BundleOrigin.DEPLOY, state,
                false);
    }

    private static InstalledBundle shipped(long id, String bsn, int state) {
        return new InstalledBundle(id, bsn, "1.0.0", "file:/midway/system/agent/" + bsn + ".jar",
                BundleOrigin.DISTRIBUTION, state, false);
    }

    @Test
    public void aNewJarIsInstalled() {
        DeployJar a = jar("a.jar", "x", "1.0.0", "s1");
        DeployPlanner.Plan plan = DeployPlanner.plan(List.of(a), List.of(), Map.of());
        assertEquals(List.of(a), plan.install());
        assertTrue(plan.uninstall().isEmpty());
        assertTrue(plan.update().isEmpty());
    }

    @Test
    public void anUnchangedJarChangesNothingAndAChangedOneIsUpdated() {
        DeployJar a = jar("a.jar", "x", "1.0.0", "s1");
        InstalledBundle b = deployed(7, a, Bundle.ACTIVE);
        assertTrue(DeployPlanner.plan(List.of(a), List.of(b), Map.of(a.location(), "s1")).isEmpty());
        DeployPlanner.Plan changed = DeployPlanner.plan(List.of(a), List.of(b), Map.of(a.location(), "s0"));
        assertEquals(1, changed.update().size());
        assertEquals(7, changed.update().get(0).bundle().id());
    }

    @Test
    public void aRemovedJarIsUninstalledAndNothingElseIsTouched() {
        DeployJar a = jar("a.jar", "x", "1.0.0", "s1");
        InstalledBundle gone = deployed(7, a, Bundle.ACTIVE);
        InstalledBundle ship = shipped(3, "x", Bundle.RESOLVED);
        DeployPlanner.Plan plan = DeployPlanner.plan(List.of(), List.of(gone, ship), Map.of());
        assertEquals(Map.of(gone, "the file was removed"), plan.uninstall());
        assertTrue(plan.install().isEmpty());
    }

    @Test
    public void theHighestVersionOfANameWinsAndTheOthersAreListedWithWhy() {
        DeployJar low = jar("a.jar", "x", "1.0.0", "s1");
        DeployJar high = jar("b.jar", "x", "2.0.0", "s2");
        DeployJar other = jar("c.jar", "y", "1.0.0", "s3");
        DeployPlanner.Plan plan = DeployPlanner.plan(List.of(low, high, other), List.of(deployed(5, low, Bundle.ACTIVE)),
                Map.of(low.location(), "s1"));
        assertEquals(List.of(high, other), plan.install());
        assertEquals(Set.of(5L), Set.of(plan.uninstall().keySet().iterator().next().id()));
        String why = plan.notInstalled().get(low);
        assertTrue(why, why.contains("b.jar provides x 2.0.0"));
    }

    @Test
    public void aFileThatIsNoBundleIsListedAndNotInstalled() {
        DeployJar broken = new DeployJar(DIR.resolve("broken.jar"), "s9", null, null, "not a jar: zip END header not found");
        DeployPlanner.Plan plan = DeployPlanner.plan(List.of(broken), List.of(), Map.of());
        assertTrue(plan.install().isEmpty());
        assertEquals("not a jar: zip END header not found", plan.notInstalled().get(broken));
    }

    @Test
    public void aRunningDeployBundleStopsItsShippedTwin() {
        DeployJar a = jar("a.jar", "x", "1.0.0", "s1");
        InstalledBundle ship = shipped(3, "x", Bundle.ACTIVE);
        InstalledBundle unrelated = shipped(4, "y", Bundle.ACTIVE);
        DeployPlanner.Twins twins = DeployPlanner.twins(List.of(deployed(7, a, Bundle.ACTIVE), ship, unrelated),
                Set.of(), name -> false);
        assertEquals(List.of(ship), twins.stop());
        assertTrue(twins.start().isEmpty());
    }

    @Test
    public void aDeployBundleThatDoesNotRunLeavesTheShippedTwinRunningOrStartsItAgain() {
        DeployJar a = jar("a.jar", "x", "1.0.0", "s1");
        InstalledBundle unresolved = deployed(7, a, Bundle.INSTALLED);
        assertTrue(DeployPlanner.twins(List.of(unresolved, shipped(3, "x", Bundle.ACTIVE)), Set.of(), n -> false)
                .stop().isEmpty());
        InstalledBundle stopped = shipped(3, "x", Bundle.RESOLVED);
        assertEquals(List.of(stopped), DeployPlanner.twins(List.of(unresolved, stopped), Set.of(3L), n -> false).start());
    }

    @Test
    public void whenTheDeployBundleGoesTheShippedTwinStartsUnlessSyncProvidesTheName() {
        InstalledBundle stopped = shipped(3, "x", Bundle.RESOLVED);
        assertEquals(List.of(stopped), DeployPlanner.twins(List.of(stopped), Set.of(3L), n -> false).start());
        assertTrue("sync installs its copy again and keeps the shipped one stopped",
                DeployPlanner.twins(List.of(stopped), Set.of(3L), n -> n.equals("x")).start().isEmpty());
        assertTrue("a shipped bundle stopped by hand stays stopped",
                DeployPlanner.twins(List.of(stopped), Set.of(), n -> false).start().isEmpty());
    }
}
