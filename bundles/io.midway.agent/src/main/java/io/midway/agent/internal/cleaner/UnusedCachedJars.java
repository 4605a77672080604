package io.midway.agent.internal.cleaner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Jars in file sync's cache ({@code <sha256>.jar}) that no installed bundle came from and the
 * current snapshot does not name, and leftovers of interrupted downloads ({@code .<sha256>.part}).
 */
final class UnusedCachedJars implements CleanupRule {

    private static final String SUFFIX = ".jar";
    private final Path cache;
    private final Set<String> inUse;

    /**
     * @param cache the cache folder
     * @param inUse the hashes file sync needs
     */
    UnusedCachedJars(Path cache, Set<String> inUse) {
        this.cache = cache;
        this.inUse = inUse;
    }

    @Override
    public String name() {
        return "jar-cache";
    }

    @Override
    public List<Path> unused() throws IOException {
        return CleanupRule.list(cache, name -> name.endsWith(SUFFIX)
                ? !inUse.contains(name.substring(0, name.length() - SUFFIX.length()))
                : name.startsWith(".") && name.endsWith(".part"));
    }
}
