package io.midway.agent.internal.sync;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What file sync has installed, as kept in {@code <midway.data>/sync/state.json}: the revision
 * last applied, how that went, and per symbolic name the hash, version and kind of the jar sync
 * installed.
 *
 * @param revision the snapshot revision last applied, or {@code null} before the first sync
 * @param state {@code applied} or {@code failed} for that revision, or {@code null}
 * @param files what sync installed, by symbolic name (sorted, unmodifiable)
 */
public record SyncState(String revision, String state, Map<String, Installed> files) {

    /** Nothing synced yet. */
    public static final SyncState EMPTY = new SyncState(null, null, Map.of());

    /**
     * A bundle sync installed.
     *
     * @param sha256 hash of the jar it was installed from
     * @param version its Bundle-Version
     * @param kind {@code probe}, {@code protocol}, {@code credential}, {@code library}, or {@code null}
     */
    public record Installed(String sha256, String version, String kind) {
    }

    /**
     * @param revision the revision last applied
     * @param state its outcome
     * @param files what sync installed
     */
    public SyncState {
        files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /**
     * @param newRevision the revision applied
     * @param newState its outcome
     * @param newFiles what sync installed now
     * @return a new state
     */
    public SyncState with(String newRevision, String newState, Map<String, Installed> newFiles) {
        return new SyncState(newRevision, newState, newFiles);
    }
}
