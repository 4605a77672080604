package io.midway.agent.internal.upgrade;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.wire.EccRecord;
import io.midway.wire.Json;

/**
 * Work that was queued but not started when the core stopped for an upgrade:
 * {@code <midway.data>/journal/<n>-<sys_id>.json}, one {@link EccRecord} per file. The next core
 * (new, or old after a rollback) runs it at start. The instance's input is idempotent on
 * {@code response_to}, so a record the instance also hands out again does no harm.
 */
public final class WorkJournal {

    private static final Logger LOG = LoggerFactory.getLogger(WorkJournal.class);

    private final ObjectMapper mapper = Json.mapper();
    private final Path dir;

    /** @param dir {@code <midway.data>/journal} */
    public WorkJournal(Path dir) {
        this.dir = dir;
    }

    /** @return the folder */
    public Path directory() {
        return dir;
    }

    /**
     * Writes records, each atomically.
     *
     * @param records the work to keep
     * @throws IOException when a record cannot be written
     */
    public void write(List<EccRecord> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Files.createDirectories(dir);
        long now = System.currentTimeMillis();
        int n = 0;
        for (EccRecord record : records) {
            String name = String.format("%d-%04d-%s.json", now, n++, record.sysId().replaceAll("[^A-Za-z0-9_.-]", "_"));
            Path tmp = dir.resolve("." + name + ".tmp");
            Files.write(tmp, mapper.writeValueAsBytes(record));
            try {
                Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(name));
            }
        }
        LOG.info("Journaled {} queued records in {}; the next core runs them", records.size(), dir);
    }

    /** @return how many records wait in the journal */
    public int count() {
        return files().size();
    }

    /**
     * @return the sys_ids of the journaled records, oldest first (an unreadable file is skipped:
     *     its record is not held)
     */
    public List<String> sysIds() {
        List<String> ids = new ArrayList<>();
        for (Path file : files()) {
            try {
                EccRecord record = mapper.readValue(file.toFile(), EccRecord.class);
                if (record.sysId() != null) {
                    ids.add(record.sysId());
                }
            } catch (IOException e) {
                LOG.warn("Journaled work {} is unreadable ({})", file, e.getMessage());
            }
        }
        return ids;
    }

    /**
     * Hands every journaled record to {@code run}, oldest first, and removes it. An unreadable file
     * is moved to {@code journal/unreadable/}.
     *
     * @param run runs a record
     * @return how many records were handed over
     */
    public int replay(Consumer<EccRecord> run) {
        int replayed = 0;
        for (Path file : files()) {
            EccRecord record;
            try {
                record = mapper.readValue(file.toFile(), EccRecord.class);
            } catch (IOException e) {
                LOG.error("Journaled work {} is unreadable ({}); moving it to unreadable/", file, e.getMessage());
                try {
                    Files.createDirectories(dir.resolve("unreadable"));
                    Files.move(file, dir.resolve("unreadable").resolve(file.getFileName()),
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException moveFailed) {
                    LOG.error("Cannot move {} aside: {}", file, moveFailed.getMessage());
                }
                continue;
            }
            run.accept(record);
            replayed++;
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.error("Cannot remove journaled work {}: {}", file, e.getMessage());
            }
        }
        if (replayed > 0) {
            LOG.info("Running {} records journaled before an upgrade or restart", replayed);
        }
        return replayed;
    }

    private List<Path> files() {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : stream) {
                if (!p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            LOG.error("Cannot read the journal {}: {}", dir, e.getMessage());
        }
        out.sort(null);
        return out;
    }
}
