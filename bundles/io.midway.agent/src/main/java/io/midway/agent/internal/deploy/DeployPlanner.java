package io.midway.agent.internal.deploy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.osgi.framework.Version;

import io.midway.agent.internal.sync.BundleOrigin;
import io.midway.agent.internal.sync.InstalledBundle;

/**
 * Decides what the deploy folder changes in the framework; pure, so that every sequence of drops
 * and removals can be tested without a framework.
 *
 * <p>The folder is the truth for the bundles it installed: per symbolic name, the jar with the
 * highest version (then the first file name) is installed; other jars of that name and files
 * that are no bundle are listed with the reason and not installed. A bundle the folder installed
 * whose file is gone, or no longer the chosen one, is uninstalled.
 *
 * <p>Precedence between origins: a running deploy bundle wins over the distribution's bundle of
 * the same symbolic name, which is stopped while it runs and started again when it goes (unless
 * file sync provides that name: sync then installs its own copy again, and keeps the shipped one
 * stopped). Sync's own copy is sync's business: it steps aside while a deploy bundle runs.
 */
public final class DeployPlanner {

    private DeployPlanner() {
    }

    /** A bundle to update with a jar's new content. */
    public record Update(InstalledBundle bundle, DeployJar jar) {
    }

    /**
     * What one scan changes.
     *
     * @param uninstall deploy bundles to uninstall, with why
     * @param install jars to install
     * @param update bundles whose jar changed
     * @param chosen the jar installed for each symbolic name
     * @param notInstalled jars that are not installed, with why
     */
    public record Plan(Map<InstalledBundle, String> uninstall, List<DeployJar> install, List<Update> update,
            Map<String, DeployJar> chosen, Map<DeployJar, String> notInstalled) {

        /** @return whether the scan changes nothing in the framework */
        public boolean isEmpty() {
            return uninstall.isEmpty() && install.isEmpty() && update.isEmpty();
        }
    }

    /**
     * @param jars the jars in the folder
     * @param bundles every bundle in the framework
     * @param installedSha the hash each deploy location was installed from
     * @return the changes
     */
    public static Plan plan(Collection<DeployJar> jars, Collection<InstalledBundle> bundles,
            Map<String, String> installedSha) {
        Map<String, DeployJar> chosen = new TreeMap<>();
        Map<DeployJar, String> notInstalled = new LinkedHashMap<>();
        List<DeployJar> sorted = new ArrayList<>(jars);
        sorted.sort(Comparator.comparing(DeployJar::fileName));
        for (DeployJar jar : sorted) {
            if (jar.problem() != null) {
                notInstalled.put(jar, jar.problem());
                continue;
            }
            DeployJar current = chosen.get(jar.symbolicName());
            if (current == null || version(jar).compareTo(version(current)) > 0) {
                chosen.put(jar.symbolicName(), jar);
            }
        }
        for (DeployJar jar : sorted) {
            DeployJar winner = jar.problem() == null ? chosen.get(jar.symbolicName()) : null;
            if (winner != null && winner != jar) {
                notInstalled.put(jar, "not installed: " + winner.fileName() + " provides " + winner.symbolicName()
                        + " " + winner.version() + " (the highest version of that name in the folder wins)");
            }
        }

        Map<String, InstalledBundle> deployed = new LinkedHashMap<>();
        for (InstalledBundle b : bundles) {
            if (b.origin() == BundleOrigin.DEPLOY && b.state() != org.osgi.framework.Bundle.UNINSTALLED) {
                deployed.put(b.location(), b);
            }
        }
        Map<String, DeployJar> byLocation = new LinkedHashMap<>();
        for (DeployJar jar : chosen.values()) {
            byLocation.put(jar.location(), jar);
        }

        Map<InstalledBundle, String> uninstall = new LinkedHashMap<>();
        for (InstalledBundle b : deployed.values()) {
            if (!byLocation.containsKey(b.location())) {
                DeployJar there = sorted.stream().filter(j -> j.location().equals(b.location())).findFirst()
                        .orElse(null);
                uninstall.put(b, there == null ? "the file was removed" : notInstalled.get(there));
            }
        }
        List<DeployJar> install = new ArrayList<>();
        List<Update> update = new ArrayList<>();
        for (DeployJar jar : chosen.values()) {
            InstalledBundle b = deployed.get(jar.location());
            if (b == null) {
                install.add(jar);
            } else if (!jar.sha256().equals(installedSha.get(jar.location()))) {
                update.add(new Update(b, jar));
            }
        }
        return new Plan(uninstall, install, update, chosen, notInstalled);
    }

    /**
     * What precedence asks of the distribution's bundles, given the framework after the scan.
     *
     * @param stop distribution bundles to stop: a deploy bundle of their name runs
     * @param start distribution bundles to start again: the folder stopped them, no deploy bundle
     *     of their name runs any more, and file sync does not provide that name
     */
    public record Twins(List<InstalledBundle> stop, List<InstalledBundle> start) {
    }

    /**
     * @param bundles every bundle in the framework
     * @param stoppedByDeploy ids of the distribution bundles the folder stopped
     * @param syncProvides whether file sync provides a symbolic name (it then restores its copy)
     * @return the distribution bundles to stop and to start
     */
    public static Twins twins(Collection<InstalledBundle> bundles, Set<Long> stoppedByDeploy,
            Predicate<String> syncProvides) {
        Set<String> deployRunning = new java.util.HashSet<>();
        for (InstalledBundle b : bundles) {
            if (b.origin() == BundleOrigin.DEPLOY && b.symbolicName() != null
                    && (b.running() || b.fragment() && b.state() == org.osgi.framework.Bundle.RESOLVED)) {
                deployRunning.add(b.symbolicName());
            }
        }
        List<InstalledBundle> stop = new ArrayList<>();
        List<InstalledBundle> start = new ArrayList<>();
        for (InstalledBundle b : bundles) {
            if (b.origin() != BundleOrigin.DISTRIBUTION || b.symbolicName() == null || b.fragment()) {
                continue;
            }
            if (deployRunning.contains(b.symbolicName())) {
                if (b.running()) {
                    stop.add(b);
                }
            } else if (!b.running() && stoppedByDeploy.contains(b.id()) && !syncProvides.test(b.symbolicName())) {
                start.add(b);
            }
        }
        return new Twins(stop, start);
    }

    private static Version version(DeployJar jar) {
        try {
            return Version.parseVersion(jar.version());
        } catch (IllegalArgumentException e) {
            return Version.emptyVersion;
        }
    }
}
