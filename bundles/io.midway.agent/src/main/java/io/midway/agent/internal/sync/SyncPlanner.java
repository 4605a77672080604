package io.midway.agent.internal.sync;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.midway.wire.SyncFile;

/**
 * Compares a snapshot with what sync installed and what else is in the framework, and decides
 * per symbolic name what to do. Precedence for one symbolic name: deploy/ &gt; sync &gt;
 * distribution. Pure: no I/O, no framework.
 */
public final class SyncPlanner {

    /** Symbolic names of the agent core and its runtime: upgraded with the core, never synced. */
    private static final Set<String> CORE_NAMES = Set.of("io.midway.agent", "io.midway.api", "io.midway.wire",
            "org.apache.felix.framework", "org.apache.felix.scr", "org.apache.felix.configadmin",
            "org.apache.felix.fileinstall", "system.bundle");

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return whether it belongs to the agent core, which is upgraded and not synced
     */
    public static boolean isCore(String symbolicName) {
        return CORE_NAMES.contains(symbolicName) || symbolicName.startsWith("io.midway.agent.")
                || symbolicName.startsWith("io.midway.instance");
    }

    /**
     * @param files the snapshot's files
     * @param state what sync installed, as the state file says
     * @param installed every bundle in the framework
     * @return the steps: removals first, then the snapshot's files by symbolic name
     */
    public List<SyncStep> plan(Collection<SyncFile> files, SyncState state, Collection<InstalledBundle> installed) {
        Map<String, InstalledBundle> synced = new HashMap<>();
        Map<String, InstalledBundle> deployed = new HashMap<>();
        Map<String, List<InstalledBundle>> shipped = new HashMap<>();
        for (InstalledBundle bundle : installed) {
            switch (bundle.origin()) {
                case SYNC -> synced.put(BundleOrigins.syncedName(bundle.location()), bundle);
                case DEPLOY -> {
                    // Only a deploy bundle that runs stands in for sync's copy: one that does not
                    // resolve or start leaves sync's copy running.
                    if (bundle.symbolicName() != null && (bundle.running()
                            || bundle.fragment() && bundle.state() == org.osgi.framework.Bundle.RESOLVED)) {
                        deployed.put(bundle.symbolicName(), bundle);
                    }
                }
                case DISTRIBUTION -> {
                    if (bundle.symbolicName() != null) {
                        shipped.computeIfAbsent(bundle.symbolicName(), k -> new ArrayList<>()).add(bundle);
                    }
                }
                default -> {
                    // the framework, the shell, a test harness: not sync's business
                }
            }
        }

        Map<String, SyncFile> wanted = new TreeMap<>();
        List<SyncStep> invalid = new ArrayList<>();
        for (SyncFile file : files) {
            String problem = problem(file);
            if (problem != null) {
                invalid.add(new SyncStep(SyncStep.Action.INVALID, String.valueOf(file.symbolicName()), file, null,
                        null, List.of(), problem));
            } else {
                wanted.putIfAbsent(file.symbolicName().trim(), file);
            }
        }

        List<SyncStep> steps = new ArrayList<>();
        Set<String> known = new LinkedHashSet<>(new TreeMap<>(state.files()).keySet());
        known.addAll(new TreeMap<>(synced).keySet());
        for (String name : known) {
            if (wanted.containsKey(name)) {
                continue;
            }
            // Gone from the snapshot. Without a bundle any more, the state entry is just dropped.
            steps.add(new SyncStep(SyncStep.Action.UNINSTALL, name, null, state.files().get(name), synced.get(name),
                    shipped.getOrDefault(name, List.of()), null));
        }
        steps.addAll(invalid);
        for (Map.Entry<String, SyncFile> entry : wanted.entrySet()) {
            String name = entry.getKey();
            SyncFile file = entry.getValue();
            SyncState.Installed previous = state.files().get(name);
            InstalledBundle bundle = synced.get(name);
            List<InstalledBundle> twins = shipped.getOrDefault(name, List.of());
            if (isCore(name)) {
                steps.add(new SyncStep(SyncStep.Action.SKIP, name, file, previous, bundle, List.of(),
                        name + " is part of the agent core; it is upgraded, not synced"));
            } else if (deployed.containsKey(name)) {
                InstalledBundle local = deployed.get(name);
                steps.add(new SyncStep(SyncStep.Action.SKIP, name, file, previous, bundle, List.of(),
                        "deploy/ provides " + name + " " + local.version()));
            } else if (bundle != null && previous != null && previous.sha256().equals(file.sha256())) {
                steps.add(new SyncStep(SyncStep.Action.UNCHANGED, name, file, previous, bundle, twins, null));
            } else if (bundle != null) {
                steps.add(new SyncStep(SyncStep.Action.UPDATE, name, file, previous, bundle, twins, null));
            } else {
                steps.add(new SyncStep(SyncStep.Action.INSTALL, name, file, previous, null, twins, null));
            }
        }
        return steps;
    }

    private static String problem(SyncFile file) {
        if (file.symbolicName() == null || file.symbolicName().isBlank()) {
            return "the snapshot's entry " + file.name() + " has no symbolic name";
        }
        if (!Sha256.isValid(file.sha256())) {
            return "the snapshot's sha256 '" + file.sha256() + "' is not 64 lower-case hex digits";
        }
        return null;
    }
}
