package io.midway.agent.internal.cleaner;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.api.cleaner.CleanerRunDTO;
import io.midway.api.cleaner.CleanerStatusDTO;
import io.midway.api.cleaner.FileCleaner;

/**
 * The File Cleaner as a DS component of its own, pid {@value CleanerConfiguration#PID}: the agent
 * core does not depend on it, and a configuration change is applied by {@link #modified} without
 * restarting anything. It runs {@value #START_DELAY_SECONDS} s after start (so start-up is not
 * delayed and file sync has seen the instance's snapshot) and then every interval, on its own
 * thread.
 */
@Component(service = FileCleaner.class, immediate = true, configurationPid = CleanerConfiguration.PID)
@Designate(ocd = CleanerConfiguration.class)
public class FileCleanerService implements FileCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(FileCleanerService.class);
    /** Seconds between activation and the first run. */
    static final long START_DELAY_SECONDS = 15;

    private final Path data;
    private final Path logFile;
    private final int logFiles;
    private final DataFolderCleaner cleaner;
    private final ScheduledExecutorService executor;
    private volatile CleanerConfiguration config;
    private volatile CleanerRunDTO lastRun;
    private volatile Instant nextRun;
    private ScheduledFuture<?> next;
    private boolean started;

    /** What the core uses in the data folder, when it runs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile FilesInUse filesInUse;

    /**
     * @param config the settings
     * @param context for the framework properties {@code midway.data}, {@code midway.role} and
     *     {@code midway.log.*}
     */
    @Activate
    public FileCleanerService(CleanerConfiguration config, BundleContext context) {
        this(config, context::getProperty, Clock.systemUTC(), START_DELAY_SECONDS);
    }

    /**
     * @param config the settings
     * @param property the framework properties
     * @param clock the time
     * @param startDelaySeconds seconds before the first run
     */
    FileCleanerService(CleanerConfiguration config, Function<String, String> property, Clock clock,
            long startDelaySeconds) {
        String dataProperty = property.apply("midway.data");
        this.data = Path.of(dataProperty == null || dataProperty.isBlank() ? "./data/agent" : dataProperty.trim())
                .toAbsolutePath().normalize();
        this.logFile = logFile(property, data);
        this.logFiles = logFiles(property.apply("midway.log.max.files"));
        this.cleaner = new DataFolderCleaner(data, clock, OpenFiles::ofThisProcess);
        this.config = config;
        this.executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("midway-file-cleaner"));
        synchronized (this) {
            schedule(Duration.ofSeconds(startDelaySeconds), "start");
        }
    }

    /**
     * Applies new settings: switched off, the next run is cancelled; on, it is due one interval
     * after the last run (at once if that is past), or as planned when none ran yet.
     *
     * @param changed the new settings
     */
    @Modified
    synchronized void modified(CleanerConfiguration changed) {
        this.config = changed;
        if (!started) {
            schedule(Duration.ofSeconds(START_DELAY_SECONDS), "start");
            return;
        }
        CleanerRunDTO last = lastRun;
        Duration delay = Duration.ofHours(interval(changed));
        if (last != null) {
            Instant due = Instant.parse(last.started).plus(delay);
            delay = Duration.between(Instant.now(), due);
            if (delay.isNegative()) {
                delay = Duration.ZERO;
            }
        }
        schedule(delay, "schedule");
        LOG.info("File Cleaner settings: {}", describe(changed));
    }

    /** Stops the schedule; a run under way is interrupted between files at most. */
    @Deactivate
    synchronized void stop() {
        executor.shutdownNow();
    }

    private void schedule(Duration delay, String trigger) {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        if (!config.enabled()) {
            nextRun = null;
            return;
        }
        nextRun = Instant.now().plus(delay);
        next = executor.schedule(() -> scheduled(trigger), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void scheduled(String trigger) {
        synchronized (this) {
            started = true;
        }
        clean(trigger);
        synchronized (this) {
            if (!executor.isShutdown()) {
                schedule(Duration.ofHours(interval(config)), "schedule");
            }
        }
    }

    @Override
    public CleanerStatusDTO status() {
        CleanerConfiguration c = config;
        CleanerStatusDTO s = new CleanerStatusDTO();
        s.enabled = c.enabled();
        s.maxAgeDays = maxAge(c);
        s.intervalHours = interval(c);
        s.lastRun = lastRun;
        Instant n = nextRun;
        s.nextRun = c.enabled() && n != null ? n.toString() : null;
        return s;
    }

    @Override
    public CleanerRunDTO runNow() {
        return clean("command");
    }

    /** Called under {@link #running}: one run at a time, the schedule's and mid:clean's. */
    private CleanerRunDTO cleanLocked(String trigger) {
        CleanerConfiguration c = config;
        List<CleanupRule> rules = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        rules.add(new RotatedLogs(logFile, logFiles));
        rules.add(new OldCores(data));
        FilesInUse core = filesInUse;
        if (core == null) {
            skipped.add("spool and jar cache: the agent core is not running");
        } else {
            rules.add(new SpoolLeftovers(core.spoolDirectory()));
            Optional<Set<String>> jars = core.cachedJarsInUse();
            if (jars.isPresent()) {
                rules.add(new UnusedCachedJars(core.jarCacheDirectory(), jars.get()));
            } else {
                skipped.add("jar cache: the instance's file-sync snapshot is not known yet");
            }
        }
        CleanerRunDTO run = cleaner.run(trigger, rules, Duration.ofDays(maxAge(c)), skipped);
        lastRun = run;
        return run;
    }

    private final Object running = new Object();

    private CleanerRunDTO clean(String trigger) {
        synchronized (running) {
            return cleanLocked(trigger);
        }
    }

    private static int maxAge(CleanerConfiguration c) {
        return Math.max(1, Math.min(3650, c.max_age_days()));
    }

    private static int interval(CleanerConfiguration c) {
        return Math.max(1, Math.min(8760, c.interval_hours()));
    }

    private static String describe(CleanerConfiguration c) {
        return c.enabled() ? "on, files older than " + maxAge(c) + " days, every " + interval(c) + " h" : "off";
    }

    /** The log file as the logging bundle names it: {@code midway.log.file}, else {@code <data>/<role>.log}. */
    static Path logFile(Function<String, String> property, Path data) {
        String file = property.apply("midway.log.file");
        if (file != null && !file.isBlank()) {
            return Path.of(file.trim()).toAbsolutePath().normalize();
        }
        String role = property.apply("midway.role");
        return data.resolve((role == null || role.isBlank() ? "midway" : role.trim()) + ".log");
    }

    /** {@code midway.log.max.files} as the logging bundle reads it (1 to 1000, default 5). */
    static int logFiles(String text) {
        try {
            int n = text == null || text.isBlank() ? 5 : Integer.parseInt(text.trim());
            return n < 1 || n > 1000 ? 5 : n;
        } catch (NumberFormatException e) {
            return 5;
        }
    }
}
