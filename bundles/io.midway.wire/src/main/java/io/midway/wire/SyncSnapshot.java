package io.midway.wire;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reply of {@code GET /api/mid/file_sync/snapshot}: what every agent should have from sync.
 *
 * @param revision changes with every change of the set; the same value rides on every poll reply
 *     as {@code sync_revision}
 * @param files the files, sorted by symbolic name
 */
public record SyncSnapshot(
        @JsonProperty("revision") String revision,
        @JsonProperty("files") List<SyncFile> files) {
}
