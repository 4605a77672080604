package io.midway.agent.internal.upgrade;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.midway.agent.internal.sync.Sha256;
import io.midway.api.upgrade.CoreUpgrader;
import io.midway.api.upgrade.UpgradeRecordDTO;

/** A CoreUpgrader that records what it was handed and serves the history a test sets. */
public class FakeCoreUpgrader implements CoreUpgrader {

    /** What upgrade() was called with; the hash is of the jar's bytes at the call. */
    public record Call(String version, String sha256, String actualSha256) {
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    public volatile UpgradeRecordDTO[] history = new UpgradeRecordDTO[0];

    @Override
    public void upgrade(Path jar, String version, String sha256) {
        try {
            calls.add(new Call(version, sha256, Sha256.of(jar)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public UpgradeRecordDTO[] history() {
        return history.clone();
    }

    /** How often a core waited for the outcome through {@link #awaitNotRunning}. */
    public final java.util.concurrent.atomic.AtomicInteger outcomeWaits = new java.util.concurrent.atomic.AtomicInteger();

    /** Returns the history a test set: its outcome is already there, as when the upgrader has finished. */
    @Override
    public UpgradeRecordDTO[] awaitNotRunning(java.time.Duration timeout) {
        outcomeWaits.incrementAndGet();
        return history.clone();
    }

    public static UpgradeRecordDTO record(String from, String to, String sha, String outcome, String reason) {
        UpgradeRecordDTO r = new UpgradeRecordDTO();
        r.fromVersion = from;
        r.toVersion = to;
        r.sha256 = sha;
        r.outcome = outcome;
        r.reason = reason;
        r.started = "2026-11-21T10:00:00Z";
        r.finished = "2026-11-21T10:00:05Z";
        return r;
    }
}
