package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SHA-256 of files, remembered while a file's size and modification time stay the same, so
 * that listing bundles or scanning {@code deploy/} does not read every jar again.
 */
public final class FileHashes {

    private record Known(long size, long modified, String sha256) {
    }

    private final Map<Path, Known> known = new ConcurrentHashMap<>();

    /**
     * @param file a regular file
     * @return its hex SHA-256
     * @throws IOException when it cannot be read
     */
    public String sha256(Path file) throws IOException {
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        Known k = known.get(file);
        if (k != null && k.size() == size && k.modified() == modified) {
            return k.sha256();
        }
        String sha = Sha256.of(file);
        known.put(file, new Known(size, modified, sha));
        return sha;
    }

    /** @param files the files still of interest: the others are forgotten */
    public void retain(Collection<Path> files) {
        known.keySet().retainAll(files);
    }
}
