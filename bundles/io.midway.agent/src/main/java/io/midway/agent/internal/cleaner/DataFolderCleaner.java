package io.midway.agent.internal.cleaner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.cleaner.CleanerRunDTO;
import io.midway.api.cleaner.RemovedFileDTO;

/**
 * One run of the File Cleaner over the data folder: every file a rule finds unused is removed when
 * it is a plain file (not a symbolic link) whose real folder is inside the data folder, it was last
 * modified before the maximum age, and this process does not have it open. Each removal is logged
 * at info with its size (the first {@value #LOGGED} of a run; one summary line for the run), a
 * failure to remove is a warning and the run goes on.
 */
final class DataFolderCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(DataFolderCleaner.class);
    /** Most removals logged one by one per run. */
    static final int LOGGED = 20;
    /** Most removals listed in a run's DTO. */
    static final int LISTED = 100;

    private final Path data;
    private final Clock clock;
    private final Supplier<Set<Path>> openFiles;

    /**
     * @param data the agent's data folder
     * @param clock the time, for the age
     * @param openFiles the real paths of the files in use
     */
    DataFolderCleaner(Path data, Clock clock, Supplier<Set<Path>> openFiles) {
        this.data = data;
        this.clock = clock;
        this.openFiles = openFiles;
    }

    /**
     * @param trigger why it runs ({@code start}, {@code schedule}, {@code command})
     * @param rules what may be removed
     * @param maxAge only files older than this
     * @param skipped rules left out and why, reported with the run
     * @return what was removed
     */
    CleanerRunDTO run(String trigger, List<CleanupRule> rules, Duration maxAge, List<String> skipped) {
        Instant started = clock.instant();
        Instant cutoff = started.minus(maxAge);
        CleanerRunDTO run = new CleanerRunDTO();
        run.started = started.toString();
        run.trigger = trigger;
        List<RemovedFileDTO> removed = new ArrayList<>();
        List<String> notes = new ArrayList<>(skipped);
        Path root;
        try {
            root = data.toRealPath();
        } catch (IOException e) {
            notes.add("the data folder " + data + " cannot be read: " + e.getMessage());
            return finish(run, removed, notes);
        }
        Set<Path> open = openFiles.get();
        for (CleanupRule rule : rules) {
            List<Path> unused;
            try {
                unused = rule.unused();
            } catch (IOException | RuntimeException e) {
                LOG.warn("File Cleaner: cannot look for unused files ({}): {}", rule.name(), e.toString());
                notes.add(rule.name() + ": " + e.getMessage());
                continue;
            }
            for (Path file : unused) {
                removeIfOld(rule.name(), file, root, cutoff, open, run, removed);
            }
        }
        return finish(run, removed, notes);
    }

    private void removeIfOld(String rule, Path file, Path root, Instant cutoff, Set<Path> open, CleanerRunDTO run,
            List<RemovedFileDTO> removed) {
        try {
            if (file.getParent() == null || Files.isSymbolicLink(file)) {
                return;
            }
            Path folder = file.getParent().toRealPath();
            if (!folder.startsWith(root)) {
                return;
            }
            Path real = folder.resolve(file.getFileName());
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile() || !attributes.lastModifiedTime().toInstant().isBefore(cutoff)
                    || open.contains(real)) {
                return;
            }
            Files.delete(real);
            RemovedFileDTO r = new RemovedFileDTO();
            r.path = root.relativize(real).toString();
            r.size = attributes.size();
            r.rule = rule;
            run.filesRemoved++;
            run.bytesFreed += r.size;
            if (removed.size() < LISTED) {
                removed.add(r);
            }
            if (run.filesRemoved <= LOGGED) {
                LOG.info("File Cleaner removed {} ({} bytes, {})", r.path, r.size, rule);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // gone meanwhile
        } catch (IOException | SecurityException e) {
            run.failures++;
            LOG.warn("File Cleaner cannot remove {}: {}", file, e.toString());
        }
    }

    private CleanerRunDTO finish(CleanerRunDTO run, List<RemovedFileDTO> removed, List<String> notes) {
        run.removed = removed.toArray(new RemovedFileDTO[0]);
        run.skipped = notes.toArray(new String[0]);
        LOG.info("File Cleaner ({}): removed {} files, freed {} bytes{}{}{}", run.trigger, run.filesRemoved,
                run.bytesFreed, run.filesRemoved > LOGGED ? " (" + (run.filesRemoved - LOGGED) + " not listed)" : "",
                run.failures > 0 ? ", " + run.failures + " could not be removed" : "",
                notes.isEmpty() ? "" : "; skipped: " + String.join("; ", notes));
        return run;
    }
}
