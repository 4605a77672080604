package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

import org.osgi.framework.Version;

import io.midway.wire.jar.BoundedManifest;
import io.midway.wire.jar.InvalidManifestException;

/**
 * The identity of a bundle jar, read from its manifest before it is installed, so that a jar
 * whose symbolic name is not the one the snapshot announced is refused. The manifest is read
 * within the bounds of {@link BoundedManifest}.
 *
 * @param symbolicName Bundle-SymbolicName without parameters such as {@code ;singleton:=true}
 * @param version Bundle-Version, {@code 0.0.0} when absent
 */
public record JarManifest(String symbolicName, String version) {

    /**
     * @param jar a jar file
     * @return its bundle identity
     * @throws SyncFailure when it is no jar or no bundle
     */
    public static JarManifest read(Path jar) throws SyncFailure {
        Manifest manifest;
        try {
            // Within bounds before the JDK parses it (size, lines, no repeated header).
            manifest = BoundedManifest.read(jar);
        } catch (InvalidManifestException e) {
            throw new SyncFailure(e.getMessage(), e);
        } catch (IOException e) {
            throw new SyncFailure("not a jar: " + e.getMessage(), e);
        }
        if (manifest == null) {
            throw new SyncFailure("not a bundle: the jar has no manifest");
        }
        Attributes main = manifest.getMainAttributes();
        String name = main.getValue("Bundle-SymbolicName");
        if (name != null) {
            int semicolon = name.indexOf(';');
            name = (semicolon >= 0 ? name.substring(0, semicolon) : name).trim();
        }
        if (name == null || name.isEmpty()) {
            throw new SyncFailure("not a bundle: no Bundle-SymbolicName in the manifest");
        }
        String version = main.getValue("Bundle-Version");
        try {
            version = version == null || version.isBlank() ? "0.0.0" : Version.parseVersion(version.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new SyncFailure("not a valid Bundle-Version '" + version + "': " + e.getMessage(), e);
        }
        return new JarManifest(name, version);
    }
}
