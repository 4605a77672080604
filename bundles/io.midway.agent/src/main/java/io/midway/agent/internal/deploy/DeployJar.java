package io.midway.agent.internal.deploy;

import java.nio.file.Path;

/**
 * A jar file in the deploy folder, as read on the last scan.
 *
 * @param path the file (real path)
 * @param sha256 hex SHA-256 of its content
 * @param symbolicName its Bundle-SymbolicName, or {@code null} when it is no bundle
 * @param version its Bundle-Version, or {@code null} when it is no bundle
 * @param problem why it cannot be installed (not a jar, no bundle), or {@code null}
 */
public record DeployJar(Path path, String sha256, String symbolicName, String version, String problem) {

    /** @return the file name, as the operator knows it */
    public String fileName() {
        return path.getFileName().toString();
    }

    /** @return the bundle location the agent installs it under */
    public String location() {
        return path.toUri().toString();
    }
}
