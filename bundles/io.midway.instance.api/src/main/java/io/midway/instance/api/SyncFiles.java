package io.midway.instance.api;

import java.util.List;

/**
 * What every agent should have from file sync (the wire record {@code io.midway.wire.SyncSnapshot},
 * sent by {@code GET /api/mid/file_sync/snapshot}).
 *
 * @param revision changes with every change of the set; the same value rides on every poll reply
 *     as {@code sync_revision}
 * @param files the files, sorted by symbolic name
 */
public record SyncFiles(
        String revision,
        List<RepositoryFile> files) {
}
