package io.midway.agent.internal.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.agent.internal.sync.BundleOrigin;
import io.midway.agent.internal.sync.FileHashes;
import io.midway.agent.internal.sync.InstalledBundle;
import io.midway.agent.internal.sync.JarManifest;
import io.midway.agent.internal.sync.PluginFramework;
import io.midway.agent.internal.sync.SyncFailure;

/**
 * The agent's {@code deploy/} folder: jars dropped there are installed and started, updated when
 * they change, and uninstalled when they are removed; what they replaced comes back at once (see
 * {@link DeployPlanner} for the rules). One thread watches the folder (a look at its entries'
 * names, sizes and times every {@link #WAKE_MS}, then a quiet time so that a jar being copied is
 * read once whole) and the framework (a shipped bundle started again while a deploy bundle of its
 * name runs is stopped again); a full scan also runs every minute, in case a change was missed.
 *
 * <p>A jar that is no bundle, or that does not resolve or start, stays listed with the reason
 * ({@link #problems()}, {@link #notInstalled()}); the reason is logged once, as one line.
 */
public final class DeployFolder {

    private static final Logger LOG = LoggerFactory.getLogger(DeployFolder.class);

    /** How long the folder must be quiet before it is read. */
    static final long QUIET_MS = 300;
    /** A full scan at least this often. */
    static final long RESCAN_MS = 60_000;
    /**
     * How often the waiting thread looks at the folder and whether a bundle event asked for a scan
     * (an idle agent's thread wakes this often: a listing of a small folder).
     */
    static final long WAKE_MS = 1000;

    /** What the folder held at the last look: its entries' names, sizes and modification times. */
    private String stamp = "";

    private String stamp() {
        StringBuilder b = new StringBuilder();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            files.sorted().forEach(f -> {
                b.append(f.getFileName()).append('/');
                try {
                    java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(f,
                            java.nio.file.attribute.BasicFileAttributes.class);
                    b.append(a.size()).append('/').append(a.lastModifiedTime().toMillis());
                } catch (IOException gone) {
                    b.append('-');
                }
                b.append('\n');
            });
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
        return b.toString();
    }

    private final Path dir;
    private final PluginFramework framework;
    private final Predicate<String> syncProvides;
    private final Path stateFile;
    private final Map<String, String> installedSha = new ConcurrentHashMap<>();
    private final Set<Long> stoppedTwins = ConcurrentHashMap.newKeySet();
    private final FileHashes hashes = new FileHashes();
    private final PluginFramework.BundleChangeListener listener = this::bundleChanged;

    private volatile Map<String, String> problems = Map.of();
    private volatile Map<DeployJar, String> notInstalled = Map.of();
    private volatile long dueAt = Long.MAX_VALUE;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param dir the folder (created when missing)
     * @param framework the bundles
     * @param syncProvides whether file sync provides a symbolic name
     * @param stateFile where the hash each jar was installed from is kept across restarts
     */
    public DeployFolder(Path dir, PluginFramework framework, Predicate<String> syncProvides, Path stateFile) {
        this.dir = dir;
        this.framework = framework;
        this.syncProvides = syncProvides;
        this.stateFile = stateFile;
    }

    /** @return the folder */
    public Path directory() {
        return dir;
    }

    /** Reads the folder once, then watches it on its own thread. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        loadState();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            LOG.warn("Cannot create the deploy folder {}: {}", dir, e.getMessage());
        }
        // The folder is looked at every WAKE_MS (names, sizes and times of its files), as
        // FileInstall and Karaf's deploy folder do: no watch service, whose own thread an idle
        // agent would keep for a folder that rarely changes
        stamp = stamp();
        framework.listen(listener);
        dueAt = 0;
        thread = DaemonThreads.newThread("midway-deploy", this::run);
        thread.start();
    }

    /** Stops watching; what the folder installed stays installed. */
    public void stop() {
        Thread t;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
            thread = null;
        }
        framework.unlisten(listener);
        t.interrupt();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return for each bundle location the folder installed that does not run, why (the
     *     resolver's or the activator's message)
     */
    public Map<String, String> problems() {
        return problems;
    }

    /** @return the jars in the folder that are not installed, with why */
    public Map<DeployJar, String> notInstalled() {
        return notInstalled;
    }

    private void run() {
        long lastScan = System.currentTimeMillis();
        while (running) {
            long now = System.currentTimeMillis();
            if (now >= dueAt || now - lastScan >= RESCAN_MS) {
                dueAt = Long.MAX_VALUE;
                lastScan = now;
                synchronized (this) {
                    if (!running) {
                        return;
                    }
                    try {
                        scan();
                    } catch (RuntimeException e) {
                        LOG.error("The deploy folder scan failed: {}", e.toString());
                    }
                }
                continue;
            }
            // at most WAKE_MS: a bundle event (another thread) may have set dueAt meanwhile
            long wait = Math.max(1, Math.min(Math.min(dueAt, lastScan + RESCAN_MS) - now, WAKE_MS));
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            String now2 = stamp();
            if (!now2.equals(stamp)) {
                stamp = now2;
                long due = System.currentTimeMillis() + QUIET_MS;
                if (due < dueAt) {
                    dueAt = due;
                }
            }
        }
    }

    private void bundleChanged(InstalledBundle bundle, int type) {
        // A shipped bundle started while a deploy bundle of its name runs (by the launcher, or by
        // hand), or a deploy bundle that stopped or went: precedence is checked again.
        boolean distributionStarted = bundle.origin() == BundleOrigin.DISTRIBUTION && type == BundleEvent.STARTED;
        boolean deployChanged = bundle.origin() == BundleOrigin.DEPLOY
                && (type == BundleEvent.STOPPED || type == BundleEvent.UNINSTALLED);
        if (distributionStarted || deployChanged) {
            long due = System.currentTimeMillis() + QUIET_MS;
            if (due < dueAt) {
                dueAt = due;
            }
        }
    }

    /** One pass: read the folder, change the framework, start, and apply precedence. */
    private void scan() {
        List<DeployJar> jars = read();
        List<InstalledBundle> before = framework.bundles();
        DeployPlanner.Plan plan = DeployPlanner.plan(jars, before, installedSha);
        Set<Long> touched = new HashSet<>();
        Map<String, String> failures = new TreeMap<>();
        // jars the framework did not take (refused, or its install failed) are listed as not installed
        Map<DeployJar, String> notInstalledNow = new java.util.LinkedHashMap<>(plan.notInstalled());

        // What a leaving deploy bundle stood in for starts first, so that its topic or protocol is
        // never without a provider (for a moment both run; the deploy one goes next).
        Set<String> leaving = new HashSet<>();
        plan.uninstall().keySet().forEach(b -> leaving.add(b.symbolicName()));
        for (InstalledBundle twin : before) {
            if (twin.origin() == BundleOrigin.DISTRIBUTION && leaving.contains(twin.symbolicName()) && !twin.running()
                    && stoppedTwins.contains(twin.id()) && !syncProvides.test(twin.symbolicName())
                    && plan.chosen().get(twin.symbolicName()) == null) {
                startTwin(twin);
            }
        }
        for (Map.Entry<InstalledBundle, String> gone : plan.uninstall().entrySet()) {
            InstalledBundle b = gone.getKey();
            try {
                framework.uninstall(b.id());
                touched.add(b.id());
                installedSha.remove(b.location());
                LOG.info("deploy/: uninstalled {} {} ({})", b.symbolicName(), b.version(), gone.getValue());
            } catch (SyncFailure e) {
                LOG.warn("deploy/: cannot uninstall {} {}: {}", b.symbolicName(), b.version(), e.getMessage());
            }
        }
        for (DeployJar jar : plan.install()) {
            try {
                framework.install(jar.location(), jar.path());
                installedSha.put(jar.location(), jar.sha256());
                LOG.info("deploy/: installed {} {} from {}", jar.symbolicName(), jar.version(), jar.fileName());
            } catch (SyncFailure e) {
                notInstalledNow.put(jar, e.getMessage());
            }
        }
        for (DeployPlanner.Update u : plan.update()) {
            try {
                framework.update(u.bundle().id(), u.jar().path());
                touched.add(u.bundle().id());
                installedSha.put(u.jar().location(), u.jar().sha256());
                LOG.info("deploy/: updated {} to {} from {}", u.jar().symbolicName(), u.jar().version(),
                        u.jar().fileName());
            } catch (SyncFailure e) {
                failures.put(u.jar().location(), e.getMessage());
            }
        }
        if (!plan.isEmpty()) {
            saveState();
        }
        if (!touched.isEmpty()) {
            try {
                framework.refresh(touched);
            } catch (SyncFailure e) {
                LOG.warn("deploy/: refresh after the change failed: {}", e.getMessage());
            }
        }

        // Start what the folder installed and is not running (again on every scan, so that a
        // bundle whose missing requirement arrived later starts).
        for (InstalledBundle b : framework.bundles()) {
            DeployJar jar = b.origin() == BundleOrigin.DEPLOY ? plan.chosen().get(b.symbolicName()) : null;
            if (jar == null || !jar.location().equals(b.location()) || b.fragment() || b.running()) {
                continue;
            }
            try {
                framework.start(b.id());
                LOG.info("deploy/: started {} {}", b.symbolicName(), b.version());
            } catch (SyncFailure e) {
                failures.put(b.location(), e.getMessage());
            }
        }

        applyPrecedence();
        report(failures, notInstalledNow);
    }

    private void applyPrecedence() {
        DeployPlanner.Twins twins = DeployPlanner.twins(framework.bundles(), stoppedTwins, syncProvides);
        for (InstalledBundle b : twins.stop()) {
            try {
                framework.stop(b.id());
                stoppedTwins.add(b.id());
                LOG.info("deploy/: stopped the distribution's {} {}: deploy/ provides {}", b.symbolicName(),
                        b.version(), b.symbolicName());
            } catch (SyncFailure e) {
                LOG.warn("deploy/: cannot stop the distribution's {} {}: {}", b.symbolicName(), b.version(),
                        e.getMessage());
            }
        }
        twins.start().forEach(this::startTwin);
        // A twin sync now provides for is sync's to start; forget it.
        for (InstalledBundle b : framework.bundles()) {
            if (stoppedTwins.contains(b.id()) && (b.running() || b.state() == Bundle.UNINSTALLED)) {
                stoppedTwins.remove(b.id());
            }
        }
    }

    private void startTwin(InstalledBundle b) {
        try {
            framework.start(b.id());
            stoppedTwins.remove(b.id());
            LOG.info("deploy/: started the distribution's {} {} again", b.symbolicName(), b.version());
        } catch (SyncFailure e) {
            LOG.warn("deploy/: cannot start the distribution's {} {} again: {}", b.symbolicName(), b.version(),
                    e.getMessage());
        }
    }

    /** Logs each new problem once, as one line, and keeps them for the shell and the console. */
    private void report(Map<String, String> failures, Map<DeployJar, String> notInstalledNow) {
        Map<String, String> previous = problems;
        for (Map.Entry<String, String> f : failures.entrySet()) {
            if (!f.getValue().equals(previous.get(f.getKey()))) {
                LOG.warn("deploy/: {} does not run: {}", fileName(f.getKey()), f.getValue());
            }
        }
        Map<DeployJar, String> before = notInstalled;
        for (Map.Entry<DeployJar, String> n : notInstalledNow.entrySet()) {
            if (!n.getValue().equals(reasonFor(before, n.getKey().path()))) {
                LOG.warn("deploy/: {}: {}", n.getKey().fileName(), n.getValue());
            }
        }
        problems = Map.copyOf(failures);
        notInstalled = Map.copyOf(notInstalledNow);
    }

    private static String reasonFor(Map<DeployJar, String> map, Path path) {
        return map.entrySet().stream().filter(e -> e.getKey().path().equals(path)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private static String fileName(String location) {
        int slash = location.lastIndexOf('/');
        return slash >= 0 ? location.substring(slash + 1) : location;
    }

    /** @return the jars in the folder, each read (hash and manifest) */
    private List<DeployJar> read() {
        List<DeployJar> jars = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return jars;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path file : files) {
                if (Files.isRegularFile(file) && !file.getFileName().toString().startsWith(".")) {
                    jars.add(read(file.toRealPath()));
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the deploy folder {}: {}", dir, e.getMessage());
        }
        hashes.retain(jars.stream().map(DeployJar::path).toList());
        return jars;
    }

    private DeployJar read(Path file) {
        String sha;
        try {
            sha = hashes.sha256(file);
        } catch (IOException e) {
            return new DeployJar(file, "", null, null, "cannot read the file: " + e.getMessage());
        }
        try {
            JarManifest manifest = JarManifest.read(file);
            return new DeployJar(file, sha, manifest.symbolicName(), manifest.version(), null);
        } catch (SyncFailure e) {
            return new DeployJar(file, sha, null, null, e.getMessage());
        }
    }


    private void loadState() {
        installedSha.clear();
        if (stateFile == null || !Files.isRegularFile(stateFile)) {
            return;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(stateFile)) {
            p.load(in);
            p.stringPropertyNames().forEach(k -> installedSha.put(k, p.getProperty(k)));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Cannot read {}: {}; deploy jars are compared afresh", stateFile, e.getMessage());
        }
    }

    private void saveState() {
        if (stateFile == null) {
            return;
        }
        Properties p = new Properties();
        p.putAll(installedSha);
        try {
            Files.createDirectories(stateFile.toAbsolutePath().getParent());
            Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "deploy/: the SHA-256 each bundle location was installed from");
            }
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Cannot write {}: {}", stateFile, e.getMessage());
        }
    }
}
