package io.midway.agent.upgrader.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.upgrade.UpgradeRecordDTO;

/**
 * Every upgrade attempt, oldest first, in {@code history.json}. Each change is written (atomically)
 * before the upgrader acts on it, so a JVM that stops mid-upgrade finds a {@code running} record
 * at the next start.
 */
final class UpgradeHistory {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeHistory.class);
    /** Most records kept; older ones are dropped. */
    static final int MAX_RECORDS = 100;

    private final Path file;
    private final List<UpgradeRecordDTO> records = new ArrayList<>();

    /**
     * Reads the history; an unreadable file is moved aside to {@code history.json.unreadable}.
     *
     * @param file {@code <midway.data>/upgrader/history.json}
     */
    /** Set when the upgrader stops: waits end. */
    private boolean closed;

    UpgradeHistory(Path file) {
        this.file = file;
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            for (Map<String, String> m : JsonText.readArray(Files.readString(file, StandardCharsets.UTF_8))) {
                UpgradeRecordDTO r = new UpgradeRecordDTO();
                r.fromVersion = m.get("from_version");
                r.toVersion = m.get("to_version");
                r.sha256 = m.get("sha256");
                r.outcome = m.get("outcome");
                r.reason = m.get("reason");
                r.cause = m.get("cause");
                r.started = m.get("started");
                r.finished = m.get("finished");
                records.add(r);
            }
        } catch (IOException | IllegalArgumentException e) {
            records.clear();
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
            LOG.error("Upgrade history {} is unreadable ({}); moved it to {} and starting a new one", file,
                    e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                LOG.error("Cannot move {} aside: {}", file, moveFailed.getMessage());
            }
        }
    }

    /**
     * Records an attempt as {@code running} and writes the history.
     *
     * @param from the running core's version
     * @param to the new core's version
     * @param sha256 the new jar's hash
     * @return the record
     * @throws IOException when the history cannot be written (then nothing is recorded)
     */
    synchronized UpgradeRecordDTO start(String from, String to, String sha256) throws IOException {
        UpgradeRecordDTO r = new UpgradeRecordDTO();
        r.fromVersion = from;
        r.toVersion = to;
        r.sha256 = sha256;
        r.outcome = UpgradeRecordDTO.OUTCOME_RUNNING;
        r.started = now();
        records.add(r);
        try {
            write();
        } catch (IOException e) {
            records.remove(records.size() - 1);
            throw e;
        }
        return r;
    }

    /**
     * Ends an attempt and writes the history; a failure to write is logged (the outcome holds in
     * memory).
     *
     * @param record a record of this history
     * @param outcome {@code upgraded} or {@code rolled_back}
     * @param reason why it was rolled back, or {@code null}
     * @param cause {@code core} or {@code outside} for a rollback, else {@code null}
     */
    synchronized void finish(UpgradeRecordDTO record, String outcome, String reason, String cause) {
        record.outcome = outcome;
        record.reason = reason;
        record.cause = cause;
        record.finished = now();
        try {
            write();
        } catch (IOException e) {
            LOG.error("Cannot write the upgrade history {}: {}", file, e.getMessage());
        }
        notifyAll();
    }

    /**
     * Waits until the newest record is not {@code running}, the time is up, or {@link #close()}.
     *
     * @param timeout the longest wait
     * @return copies of every record then
     * @throws InterruptedException when interrupted while waiting
     */
    synchronized UpgradeRecordDTO[] awaitNotRunning(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            UpgradeRecordDTO last = last();
            if (last == null || !UpgradeRecordDTO.OUTCOME_RUNNING.equals(last.outcome)) {
                break;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return snapshot();
    }

    /** Ends every {@link #awaitNotRunning} wait: the upgrader stops. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** @return the newest record, or {@code null} */
    synchronized UpgradeRecordDTO last() {
        return records.isEmpty() ? null : records.get(records.size() - 1);
    }

    /** @return copies of every record, oldest first */
    synchronized UpgradeRecordDTO[] snapshot() {
        UpgradeRecordDTO[] out = new UpgradeRecordDTO[records.size()];
        for (int i = 0; i < out.length; i++) {
            UpgradeRecordDTO r = records.get(i);
            UpgradeRecordDTO c = new UpgradeRecordDTO();
            c.fromVersion = r.fromVersion;
            c.toVersion = r.toVersion;
            c.sha256 = r.sha256;
            c.outcome = r.outcome;
            c.reason = r.reason;
            c.cause = r.cause;
            c.started = r.started;
            c.finished = r.finished;
            out[i] = c;
        }
        return out;
    }

    private void write() throws IOException {
        while (records.size() > MAX_RECORDS) {
            records.remove(0);
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (UpgradeRecordDTO r : records) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("from_version", r.fromVersion);
            m.put("to_version", r.toVersion);
            m.put("sha256", r.sha256);
            m.put("outcome", r.outcome);
            m.put("reason", r.reason);
            m.put("cause", r.cause);
            m.put("started", r.started);
            m.put("finished", r.finished);
            out.add(m);
        }
        writeAtomically(file, JsonText.writeArray(out));
    }

    /**
     * Writes a file under a temporary name, then renames it over the old one.
     *
     * @param target the file
     * @param text its new content
     * @throws IOException when writing fails
     */
    static void writeAtomically(Path target, String text) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        moveAtomically(tmp, target);
    }

    /**
     * @param from a file
     * @param to where it goes, replacing what is there
     * @throws IOException when the move fails
     */
    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
