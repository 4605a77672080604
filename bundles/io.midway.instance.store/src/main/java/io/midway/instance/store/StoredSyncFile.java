package io.midway.instance.store;

import io.midway.instance.api.RepositoryFile;

/**
 * A file of the file-sync repository as stored.
 *
 * @param file the file
 * @param uploadedOn when its bytes were uploaded, wire format
 */
public record StoredSyncFile(RepositoryFile file, String uploadedOn) {
}
