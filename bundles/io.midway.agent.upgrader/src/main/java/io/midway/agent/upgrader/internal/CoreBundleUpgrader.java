package io.midway.agent.upgrader.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.upgrade.CoreUpgrader;
import io.midway.api.upgrade.UpgradeRecordDTO;

/**
 * Replaces the agent core bundle ({@value #CORE_SYMBOLIC_NAME}) in place and puts the previous
 * jar back when the new core is not healthy in time.
 *
 * <p>Each upgrade runs on a fresh thread of its own that nothing joins (TOOLCHAIN #15): it records
 * {@code running}, takes what the running core has (its active DS components, probes and
 * protocols), calls {@code core.update(jar)} (the core exports nothing, so no refresh is needed
 * unless bundles are removal-pending, TOOLCHAIN #14), then waits up to the health timeout for the
 * new core to be healthy by itself ({@link CoreHealthCheck}): reaching the instance is not asked
 * for, so an instance that is away does not roll back a healthy core. Anything else rolls back to
 * the kept jar, and the record says whether the core itself failed ({@code core}) or something
 * outside it ({@code outside}: the JVM stopped before the new core ran, the upgrader failed). A
 * {@code running} record found at activation (the JVM stopped mid-upgrade) is finished the same way.
 */
@Component(service = CoreUpgrader.class, immediate = true, configurationPid = UpgraderConfiguration.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = UpgraderConfiguration.class)
public class CoreBundleUpgrader implements CoreUpgrader {

    /** The agent core's symbolic name. */
    public static final String CORE_SYMBOLIC_NAME = "io.midway.agent";
    /** Framework property (from MIDWAY_DATA): the agent's state directory. */
    public static final String DATA_PROPERTY = "midway.data";
    /** State directory when {@value #DATA_PROPERTY} is not set. */
    public static final String DEFAULT_DATA_DIR = "./data/agent";

    private static final Logger LOG = LoggerFactory.getLogger(CoreBundleUpgrader.class);
    private static final long REFRESH_TIMEOUT_SECONDS = 30;

    private final BundleContext context;
    private final Path dir;
    private final Duration healthTimeout;
    private final UpgradeHistory history;
    private final KeptCore kept;
    private final CoreHealthCheck health;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Thread worker;
    private volatile CoreHealthCheck.Baseline baseline = CoreHealthCheck.Baseline.NONE;

    /**
     * Reads the history and the kept jar, adopts the distribution's core jar when none is kept,
     * and finishes an upgrade the JVM stopped in the middle of.
     *
     * @param config the configuration
     * @param context the upgrader's bundle context
     */
    @Activate
    public CoreBundleUpgrader(UpgraderConfiguration config, BundleContext context) {
        this.context = context;
        String data = context.getProperty(DATA_PROPERTY);
        this.dir = Path.of(data == null || data.isBlank() ? DEFAULT_DATA_DIR : data.trim())
                .resolve("upgrader").toAbsolutePath().normalize();
        this.healthTimeout = Duration.ofSeconds(healthSeconds(config, context.getProperty(
                UpgraderConfiguration.HEALTH_PROPERTY)));
        this.history = new UpgradeHistory(dir.resolve("history.json"));
        this.kept = new KeptCore(dir);
        this.health = new CoreHealthCheck(context);
        UpgradeRecordDTO last = history.last();
        boolean unfinished = last != null && UpgradeRecordDTO.OUTCOME_RUNNING.equals(last.outcome);
        Bundle core = core();
        if (core == null) {
            LOG.warn("No {} bundle is installed: nothing to upgrade", CORE_SYMBOLIC_NAME);
        } else if (!unfinished) {
            keepRunningCore(core);
        }
        LOG.info("Core upgrader ready: state {}, health timeout {} s, kept core {}", dir, healthTimeout.toSeconds(),
                kept.present() ? kept.version() : "none");
        if (unfinished) {
            busy.set(true);
            LOG.warn("The upgrade of the core from {} to {} was interrupted by a restart; finishing it",
                    last.fromVersion, last.toVersion);
            startThread(() -> resume(last));
        }
    }

    /** The health timeout: the framework property when set, else the configuration, at least 1 s. */
    static int healthSeconds(UpgraderConfiguration config, String property) {
        if (property != null && !property.isBlank()) {
            try {
                return Math.max(1, Integer.parseInt(property.trim()));
            } catch (NumberFormatException e) {
                LOG.warn("{}='{}' is not a number of seconds; using {}", UpgraderConfiguration.HEALTH_PROPERTY,
                        property, config.upgrade_health_seconds());
            }
        }
        return Math.max(1, config.upgrade_health_seconds());
    }

    /** Keeps a copy of the running core's jar unless the kept one is already its version. */
    private void keepRunningCore(Bundle core) {
        Version running = core.getVersion();
        if (kept.present() && running.equals(Version.parseVersion(kept.version()))) {
            return;
        }
        try {
            String notAdopted = kept.adopt(core.getLocation(), CORE_SYMBOLIC_NAME, running);
            if (notAdopted == null) {
                LOG.info("Kept a copy of the running core {} {} in {}", CORE_SYMBOLIC_NAME, running, kept.jar());
            } else {
                LOG.warn("Cannot keep a copy of the running core {} {}: {}{}", CORE_SYMBOLIC_NAME, running, notAdopted,
                        kept.present() ? "; the kept core is " + kept.version() : "; upgrades are refused until one is kept");
            }
        } catch (IOException e) {
            LOG.error("Cannot copy the running core's jar to {}: {}", kept.jar(), e.getMessage());
        }
    }

    /**
     * Interrupts a running upgrade without waiting for it (nothing joins the upgrade thread): its
     * {@code running} record stays, and the next activation finishes it.
     */
    @Deactivate
    void deactivate() {
        history.close();
        Thread running = worker;
        if (running != null && busy.get()) {
            LOG.warn("The upgrader stops while an upgrade is running; the next start finishes it");
            running.interrupt();
        }
    }

    @Override
    public void upgrade(Path jar, String version, String sha256) {
        if (jar == null || version == null || sha256 == null) {
            throw new IllegalArgumentException("jar, version and sha256 are required");
        }
        Version target = Version.parseVersion(version);
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("an upgrade of the core is already running");
        }
        boolean started = false;
        try {
            Bundle core = core();
            if (core == null) {
                throw new IllegalStateException("no " + CORE_SYMBOLIC_NAME + " bundle is installed");
            }
            keepRunningCore(core);
            if (!kept.present() || !core.getVersion().equals(Version.parseVersion(kept.version()))) {
                throw new IllegalStateException("the upgrader keeps no copy of the running core "
                        + core.getVersion() + " to roll back to" + (kept.present() ? " (it keeps " + kept.version() + ")" : ""));
            }
            Path incoming = incoming(sha256);
            Files.createDirectories(incoming.getParent());
            Files.copy(jar, incoming, StandardCopyOption.REPLACE_EXISTING);
            String actual = KeptCore.sha256(incoming);
            if (!actual.equals(sha256)) {
                Files.deleteIfExists(incoming);
                throw new IllegalArgumentException("the jar's SHA-256 is " + actual + ", not " + sha256);
            }
            baseline = health.baseline(core);
            UpgradeRecordDTO record = history.start(core.getVersion().toString(), target.toString(), sha256);
            LOG.info("Upgrading the core from {} to {} (sha256 {})", record.fromVersion, record.toVersion, sha256);
            startThread(() -> run(record));
            started = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the upgrade in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (!started) {
                busy.set(false);
            }
        }
    }

    @Override
    public UpgradeRecordDTO[] history() {
        return history.snapshot();
    }

    @Override
    public UpgradeRecordDTO[] awaitNotRunning(Duration timeout) throws InterruptedException {
        return history.awaitNotRunning(timeout);
    }

    private void startThread(Runnable work) {
        Thread thread = new Thread(work, "midway-core-upgrader");
        thread.setDaemon(true);
        worker = thread;
        thread.start();
    }

    /** Updates the core to the incoming jar and judges it; rolls back when it is not healthy. */
    private void run(UpgradeRecordDTO record) {
        try {
            Bundle core = core();
            if (core == null) {
                history.finish(record, UpgradeRecordDTO.OUTCOME_ROLLED_BACK, "the core bundle is gone",
                        UpgradeRecordDTO.CAUSE_OUTSIDE);
                return;
            }
            Path jar = incoming(record.sha256);
            String failure = null;
            try (InputStream in = Files.newInputStream(jar)) {
                LOG.info("Updating bundle {} [{}] to {}", CORE_SYMBOLIC_NAME, core.getBundleId(), record.toVersion);
                core.update(in);
            } catch (BundleException e) {
                failure = "core " + record.toVersion + " did not start: " + describe(e);
            }
            if (failure == null) {
                refreshIfPending();
                LOG.info("Core {} installed; waiting up to {} s for it to be healthy (components, service, probes {}, "
                        + "protocols {})", record.toVersion, healthTimeout.toSeconds(), baseline.probes(),
                        baseline.capabilities());
                String problem = health.await(core, record.toVersion, baseline, healthTimeout);
                if (problem != null) {
                    failure = "core " + record.toVersion + " was not healthy within " + healthTimeout.toSeconds()
                            + " s: " + problem;
                }
            }
            if (failure == null) {
                succeeded(record, jar);
            } else {
                rollBack(core, record, failure, UpgradeRecordDTO.CAUSE_CORE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("The upgrade to {} was interrupted; the next start of the upgrader finishes it",
                    record.toVersion);
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                LOG.warn("The upgrade to {} stopped with the upgrader ({}); the next start finishes it",
                        record.toVersion, e.toString());
                return;
            }
            LOG.error("The upgrade to {} failed unexpectedly", record.toVersion, e);
            try {
                Bundle core = core();
                if (core != null && UpgradeRecordDTO.OUTCOME_RUNNING.equals(record.outcome)) {
                    rollBackQuietly(core, record, "the upgrader failed: " + e, UpgradeRecordDTO.CAUSE_OUTSIDE);
                }
            } catch (IllegalStateException stopped) {
                LOG.warn("The framework stops; the next start finishes the upgrade to {}", record.toVersion);
            }
        } finally {
            busy.set(false);
        }
    }

    /** Finishes an upgrade found {@code running} at activation. */
    private void resume(UpgradeRecordDTO record) {
        try {
            Bundle core = core();
            if (core == null) {
                history.finish(record, UpgradeRecordDTO.OUTCOME_ROLLED_BACK, "the core bundle is gone",
                        UpgradeRecordDTO.CAUSE_OUTSIDE);
                return;
            }
            String failure;
            String cause;
            if (core.getVersion().equals(Version.parseVersion(record.toVersion))) {
                // What the old core had died with the JVM: the new core is judged by itself alone.
                String problem = health.await(core, record.toVersion, CoreHealthCheck.Baseline.NONE, healthTimeout);
                failure = problem == null ? null : "core " + record.toVersion + " was not healthy within "
                        + healthTimeout.toSeconds() + " s after a restart during the upgrade: " + problem;
                cause = UpgradeRecordDTO.CAUSE_CORE;
            } else {
                failure = "the agent restarted during the upgrade before core " + record.toVersion + " ran (core "
                        + core.getVersion() + " runs)";
                cause = UpgradeRecordDTO.CAUSE_OUTSIDE;
            }
            if (failure == null) {
                succeeded(record, incoming(record.sha256));
            } else {
                rollBack(core, record, failure, cause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.error("Finishing the interrupted upgrade to {} failed", record.toVersion, e);
        } finally {
            busy.set(false);
        }
    }

    private void succeeded(UpgradeRecordDTO record, Path jar) throws IOException {
        if (Files.isRegularFile(jar)) {
            kept.replace(jar, record.toVersion);
            Files.deleteIfExists(jar);
        } else {
            LOG.warn("The jar of core {} is gone from {}; the kept copy stays {}", record.toVersion, jar,
                    kept.version());
        }
        history.finish(record, UpgradeRecordDTO.OUTCOME_UPGRADED, null, null);
        LOG.info("Upgraded the core from {} to {}", record.fromVersion, record.toVersion);
    }

    private void rollBackQuietly(Bundle core, UpgradeRecordDTO record, String failure, String cause) {
        try {
            rollBack(core, record, failure, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.error("Rolling back failed", e);
            history.finish(record, UpgradeRecordDTO.OUTCOME_ROLLED_BACK, failure + "; rolling back failed: " + e, cause);
        }
    }

    /** Puts the kept jar back, waits for it to come up, and records {@code rolled_back} with its cause. */
    private void rollBack(Bundle core, UpgradeRecordDTO record, String failure, String cause)
            throws IOException, InterruptedException {
        LOG.warn("Upgrade to {} failed: {}; rolling back to {}", record.toVersion, failure, kept.version());
        StringBuilder reason = new StringBuilder(failure);
        String back = kept.version() == null ? record.fromVersion : kept.version();
        boolean alreadyBack = core.getVersion().equals(Version.parseVersion(back)) && core.getState() == Bundle.ACTIVE;
        if (!alreadyBack) {
            if (!kept.present()) {
                reason.append("; no previous core is kept to roll back to");
            } else {
                try (InputStream in = kept.open()) {
                    core.update(in);
                } catch (BundleException e) {
                    reason.append("; putting back core ").append(back).append(" failed too: ").append(describe(e));
                }
                refreshIfPending();
            }
        }
        if (core.getState() != Bundle.ACTIVE && core.getState() != Bundle.UNINSTALLED) {
            // A core whose start failed is left INSTALLED, and update() restarts only an ACTIVE bundle.
            try {
                core.start();
            } catch (BundleException e) {
                reason.append("; starting core ").append(back).append(" again failed: ").append(describe(e));
            }
        }
        String problem = health.await(core, back, CoreHealthCheck.Baseline.NONE, healthTimeout);
        if (problem != null) {
            reason.append("; the previous core ").append(back).append(" did not come back: ").append(problem);
            LOG.error("Core {} did not come back after the rollback: {}", back, problem);
        } else {
            LOG.info("Rolled back to core {}", back);
        }
        Files.deleteIfExists(incoming(record.sha256));
        history.finish(record, UpgradeRecordDTO.OUTCOME_ROLLED_BACK, reason.toString(), cause);
    }

    /** Refreshes removal-pending bundles, if any, and waits for the refresh (TOOLCHAIN #14). */
    private void refreshIfPending() throws InterruptedException {
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        Collection<Bundle> pending = wiring.getRemovalPendingBundles();
        if (pending.isEmpty()) {
            return;
        }
        LOG.info("Refreshing {} removal-pending bundles", pending.size());
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(pending, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        if (!done.await(REFRESH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("The refresh did not finish within {} s", REFRESH_TIMEOUT_SECONDS);
        }
    }

    private Path incoming(String sha256) {
        return dir.resolve("incoming").resolve(sha256 + ".jar");
    }

    /** @return the core bundle, or {@code null} */
    private Bundle core() {
        for (Bundle bundle : context.getBundles()) {
            if (CORE_SYMBOLIC_NAME.equals(bundle.getSymbolicName()) && bundle.getState() != Bundle.UNINSTALLED) {
                return bundle;
            }
        }
        return null;
    }

    /** A bundle exception's message, with its cause's when there is one. */
    static String describe(BundleException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause + ")";
        }
        return message;
    }
}
