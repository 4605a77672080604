package io.midway.agent.internal.sync;

import java.util.List;

import io.midway.wire.SyncFile;

/**
 * What one sync does with one symbolic name.
 *
 * @param action what to do
 * @param symbolicName the bundle's symbolic name
 * @param file the snapshot's entry, or {@code null} when the name is no longer in the snapshot
 * @param previous what sync had installed under this name (from the state file), or {@code null}
 * @param synced the bundle sync installed under this name, or {@code null} when there is none
 * @param shipped the distribution's bundles of the same symbolic name (stopped while a synced
 *     one is installed)
 * @param reason why it is skipped or invalid; {@code null} otherwise
 */
public record SyncStep(Action action, String symbolicName, SyncFile file, SyncState.Installed previous,
        InstalledBundle synced, List<InstalledBundle> shipped, String reason) {

    /** What to do. */
    public enum Action {
        /** New to the agent: download, install, start. */
        INSTALL,
        /** Sync installed it with other bytes: download, update, start. */
        UPDATE,
        /** No longer in the snapshot: uninstall (and start the shipped one again). */
        UNINSTALL,
        /** Left alone on purpose: deploy/ provides it, or it is part of the agent core. */
        SKIP,
        /** Already as the snapshot says. */
        UNCHANGED,
        /** The snapshot's entry cannot be applied (no symbolic name, a bad hash). */
        INVALID
    }

    /** @return the version the snapshot asks for, else the version sync had installed */
    public String version() {
        if (file != null && file.version() != null) {
            return file.version();
        }
        if (previous != null && previous.version() != null) {
            return previous.version();
        }
        return synced == null ? null : synced.version();
    }
}
