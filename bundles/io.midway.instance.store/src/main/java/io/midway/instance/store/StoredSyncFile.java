package io.midway.instance.store;

import io.midway.wire.SyncFile;

/**
 * A file of the file-sync repository as stored.
 *
 * @param file the file
 * @param uploadedOn when its bytes were uploaded, wire format
 */
public record StoredSyncFile(SyncFile file, String uploadedOn) {
}
