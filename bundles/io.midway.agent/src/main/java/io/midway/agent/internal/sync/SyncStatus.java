package io.midway.agent.internal.sync;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.midway.api.agent.SyncResultDTO;
import io.midway.wire.SyncSnapshot;

/**
 * What file sync shows and knows: the state it applied (revision, outcome, files), {@code syncing}
 * while a sync runs, the last result since the start, and the last snapshot seen. Written by the
 * sync thread only; read from any thread.
 */
final class SyncStatus {

    /** The state while a sync runs. */
    static final String SYNCING = "syncing";

    private volatile SyncState state;
    /** What the status shows: the revision applied and {@code syncing} or the outcome, changed together. */
    private volatile Shown shown;
    private volatile SyncSnapshot lastSnapshot;
    /** The outcome of the last sync since the start, per file, or {@code null}. */
    private volatile SyncResultDTO lastResult;

    /** The revision and state the status shows. */
    private record Shown(String revision, String state) {
    }

    /** @param loaded the state saved by the last sync (empty on a first start) */
    SyncStatus(SyncState loaded) {
        this.state = loaded;
        this.shown = new Shown(loaded.revision(), loaded.state());
    }

    /** @return the state applied last */
    SyncState state() {
        return state;
    }

    /** @return the revision last applied, or {@code null} before the first sync */
    String appliedRevision() {
        return shown.revision();
    }

    /** @return {@code syncing} while a sync runs, else the outcome of the last one, or {@code null} */
    String syncState() {
        return shown.state();
    }

    /** @return the outcome of the last sync since the start, or {@code null} when none ran yet */
    SyncResultDTO lastResult() {
        return lastResult;
    }

    /** @return the snapshot of the last sync since the start, or {@code null} when none ran yet */
    SyncSnapshot lastSnapshot() {
        return lastSnapshot;
    }

    /** @return what sync installed, by symbolic name */
    Map<String, SyncState.Installed> installed() {
        return state.files();
    }

    /** A sync starts applying {@code snapshot}. */
    void syncing(SyncSnapshot snapshot) {
        shown = new Shown(state.revision(), SYNCING);
        lastSnapshot = snapshot;
    }

    /** The sync's new state, before it is saved and reported. */
    void applied(SyncState after) {
        state = after;
    }

    /** The sync's outcome, as the status shows it. */
    void finished(SyncResultDTO result) {
        shown = new Shown(state.revision(), state.state());
        lastResult = result;
    }

    /** The sync ended, whether it finished or not: the status shows the state applied. */
    void settled() {
        shown = new Shown(state.revision(), state.state());
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return whether file sync provides it: it is in the last snapshot, or sync installed it
     */
    boolean provides(String symbolicName) {
        return inLastSnapshot(symbolicName) || state.files().containsKey(symbolicName);
    }

    boolean inLastSnapshot(String name) {
        SyncSnapshot snapshot = lastSnapshot;
        return snapshot != null && snapshot.files() != null
                && snapshot.files().stream().anyMatch(f -> name.equals(f.symbolicName()));
    }

    /**
     * @return the hashes of the cached jars sync needs — what it installed and what the last
     *     snapshot names — or empty while no snapshot was seen since the start
     */
    Optional<Set<String>> cachedJarsInUse() {
        SyncSnapshot snapshot = lastSnapshot;
        if (snapshot == null) {
            return Optional.empty();
        }
        Set<String> keep = new HashSet<>();
        state.files().values().forEach(i -> keep.add(i.sha256()));
        if (snapshot.files() != null) {
            snapshot.files().forEach(f -> keep.add(f.sha256()));
        }
        return Optional.of(keep);
    }
}
