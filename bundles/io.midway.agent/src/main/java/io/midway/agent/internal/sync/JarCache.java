package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jars file sync downloaded, as {@code <dir>/<sha256>.jar}. A jar enters the cache only
 * after its bytes were verified against the hash the instance announced, and each use checks the
 * hash again, so a file damaged on disk is never installed. The jars of what sync installed are
 * kept, so that a failed update can go back to the previous jar; the rest is pruned.
 */
public final class JarCache {

    private static final Logger LOG = LoggerFactory.getLogger(JarCache.class);
    private static final String SUFFIX = ".jar";

    /** Fetches bytes into a file. */
    @FunctionalInterface
    public interface Download {
        /**
         * @param target where the bytes go (created or replaced)
         * @throws IOException when the bytes cannot be fetched
         * @throws InterruptedException when the calling thread is interrupted
         */
        void to(Path target) throws IOException, InterruptedException;
    }

    private final Path dir;

    /**
     * @param dir the cache folder, created when needed
     */
    public JarCache(Path dir) {
        this.dir = dir;
    }

    /** @return the cache folder */
    public Path directory() {
        return dir;
    }

    /**
     * @param sha256 a hash
     * @return where the jar with that hash is kept
     */
    public Path path(String sha256) {
        if (!Sha256.isValid(sha256)) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return dir.resolve(sha256 + SUFFIX);
    }

    /**
     * The cached jar with this hash, if it is there and its bytes still have that hash. A file
     * whose bytes do not match is deleted.
     *
     * @param sha256 a hash
     * @return the jar
     */
    public Optional<Path> verified(String sha256) {
        if (!Sha256.isValid(sha256)) {
            return Optional.empty();
        }
        Path jar = path(sha256);
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        try {
            String actual = Sha256.of(jar);
            if (actual.equals(sha256)) {
                return Optional.of(jar);
            }
            LOG.warn("Cached jar {} has sha256 {}: deleting it", jar, actual);
            Files.deleteIfExists(jar);
        } catch (IOException e) {
            LOG.warn("Cannot read cached jar {}: {}", jar, e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Downloads a jar into the cache, unless it is there already, and verifies its size and hash.
     *
     * @param sha256 the hash announced by the snapshot
     * @param size the size announced by the snapshot, or a negative number when unknown
     * @param download fetches the bytes
     * @return the verified jar in the cache
     * @throws SyncFailure when the bytes cannot be fetched or are not the announced ones (nothing
     *     is kept then)
     * @throws InterruptedException when the calling thread is interrupted
     */
    public Path fetch(String sha256, long size, Download download) throws SyncFailure, InterruptedException {
        if (!Sha256.isValid(sha256)) {
            throw new SyncFailure("the snapshot's sha256 '" + sha256 + "' is not 64 hex digits");
        }
        Optional<Path> cached = verified(sha256);
        if (cached.isPresent()) {
            return cached.get();
        }
        Path target = path(sha256);
        Path part = dir.resolve("." + sha256 + ".part");
        try {
            Files.createDirectories(dir);
            try {
                download.to(part);
            } catch (IOException e) {
                throw new SyncFailure("download failed: " + e.getMessage(), e);
            }
            long actualSize = Files.size(part);
            if (size >= 0 && actualSize != size) {
                throw new SyncFailure("wrong size: downloaded " + actualSize + " bytes, the snapshot says " + size);
            }
            String actual = Sha256.of(part);
            if (!actual.equals(sha256)) {
                throw new SyncFailure("wrong hash: the downloaded bytes have sha256 " + actual
                        + ", the snapshot says " + sha256);
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new SyncFailure("cannot store the jar in " + dir + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                LOG.debug("Cannot delete {}", part, e);
            }
        }
    }

    /**
     * Deletes every cached jar whose hash is not kept, and leftovers of interrupted downloads.
     *
     * @param keep the hashes to keep
     */
    public void prune(Set<String> keep) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean wanted = name.endsWith(SUFFIX)
                        && keep.contains(name.substring(0, name.length() - SUFFIX.length()));
                if (!wanted && Files.isRegularFile(file)) {
                    Files.deleteIfExists(file);
                    LOG.debug("Pruned {} from the sync cache", name);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot prune the sync cache {}: {}", dir, e.getMessage());
        }
    }
}
