package io.midway.agent.internal.sync;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Tells where a bundle came from by its location: {@code midway-sync:<symbolic name>} for file
 * sync, a {@code file:} URI under the deploy folder (framework property {@code midway.deploy}), a {@code file:} URI under {@code <midway.home>/system/} for the
 * distribution.
 */
public final class BundleOrigins {

    /** Location prefix of the bundles the Web Console's Install dialog installs. */
    public static final String CONSOLE_LOCATION_PREFIX = "inputstream:";

    /** Location prefix of the bundles file sync installs. */
    public static final String SYNC_LOCATION_PREFIX = "midway-sync:";

    private final Path system;
    private final Path deploy;

    /**
     * @param home the distribution folder ({@code midway.home}), or {@code null} when unknown
     * @param deploy the deploy folder, or {@code null} when there is none
     */
    public BundleOrigins(Path home, Path deploy) {
        this.system = home == null ? null : real(home.resolve("system"));
        this.deploy = deploy == null ? null : real(deploy);
    }

    /** @return the deploy folder (real path), or {@code null} when there is none */
    public Path deployDir() {
        return deploy;
    }

    /**
     * @param symbolicName a Bundle-SymbolicName
     * @return the location sync installs it under
     */
    public static String syncLocation(String symbolicName) {
        return SYNC_LOCATION_PREFIX + symbolicName;
    }

    /**
     * @param location a bundle location
     * @return the symbolic name in a sync location, or {@code null} when it is none
     */
    public static String syncedName(String location) {
        return location != null && location.startsWith(SYNC_LOCATION_PREFIX)
                ? location.substring(SYNC_LOCATION_PREFIX.length())
                : null;
    }

    /**
     * @param location a bundle location
     * @return where the bundle came from
     */
    public BundleOrigin of(String location) {
        if (syncedName(location) != null) {
            return BundleOrigin.SYNC;
        }
        if (location != null && location.startsWith(CONSOLE_LOCATION_PREFIX)) {
            return BundleOrigin.CONSOLE;
        }
        Optional<Path> file = file(location).map(BundleOrigins::real);
        if (file.isPresent()) {
            if (deploy != null && file.get().startsWith(deploy)) {
                return BundleOrigin.DEPLOY;
            }
            if (system != null && file.get().startsWith(system)) {
                return BundleOrigin.DISTRIBUTION;
            }
        }
        return BundleOrigin.OTHER;
    }

    /**
     * @param location a bundle location
     * @return the file of a {@code file:} or {@code reference:file:} location
     */
    public static Optional<Path> file(String location) {
        if (location == null) {
            return Optional.empty();
        }
        String uri = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
        if (!uri.startsWith("file:")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(URI.create(uri)));
        } catch (IllegalArgumentException e) {
            // "file:relative/path" or an opaque URI: take the rest as a path
            try {
                return Optional.of(Path.of(uri.substring("file:".length())));
            } catch (IllegalArgumentException notAPath) {
                return Optional.empty();
            }
        }
    }

    /**
     * The real path (symbolic links resolved) of the file, or of its folder when the file is gone
     * (a jar removed from deploy/), else the normalized absolute path.
     */
    private static Path real(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            if (Files.exists(absolute)) {
                return absolute.toRealPath();
            }
            Path parent = absolute.getParent();
            if (parent != null && absolute.getFileName() != null && Files.exists(parent)) {
                return parent.toRealPath().resolve(absolute.getFileName());
            }
        } catch (IOException e) {
            // fall through to the normalized path
        }
        return absolute;
    }
}
