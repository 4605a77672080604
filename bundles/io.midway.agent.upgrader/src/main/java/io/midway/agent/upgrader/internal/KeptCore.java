package io.midway.agent.upgrader.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.framework.Version;

/**
 * The upgrader's copy of the jar of the core that runs: {@code current.jar} and
 * {@code current.json} ({@code version}, {@code sha256}). It is what a failed upgrade goes back
 * to. The bundle's location is read only to adopt the distribution's jar the first time, and
 * only when its manifest matches the running core: after an update the location still names the
 * original file (TOOLCHAIN #13).
 */
final class KeptCore {

    private final Path jar;
    private final Path meta;
    private volatile String version;
    private volatile String sha256;

    /**
     * @param dir {@code <midway.data>/upgrader}
     */
    KeptCore(Path dir) {
        this.jar = dir.resolve("current.jar");
        this.meta = dir.resolve("current.json");
        if (Files.isRegularFile(jar) && Files.isRegularFile(meta)) {
            try {
                Map<String, String> m = JsonText.readObject(Files.readString(meta, StandardCharsets.UTF_8));
                version = m.get("version");
                sha256 = m.get("sha256");
            } catch (IOException | IllegalArgumentException e) {
                version = null;
                sha256 = null;
            }
        }
    }

    /** @return the kept core's version, or {@code null} when none is kept */
    String version() {
        return version;
    }

    /** @return the kept core's SHA-256, or {@code null} */
    String sha256() {
        return sha256;
    }

    /** @return the kept jar */
    Path jar() {
        return jar;
    }

    /** @return whether a jar is kept */
    boolean present() {
        return version != null && Files.isRegularFile(jar);
    }

    /**
     * Adopts the jar at a bundle location when it is a {@code file:} URL whose manifest says
     * {@code symbolicName} at {@code runningVersion}.
     *
     * @param location the core bundle's location
     * @param symbolicName the core's symbolic name
     * @param runningVersion the version the core runs
     * @return {@code null} when adopted, else why not
     * @throws IOException when copying fails
     */
    String adopt(String location, String symbolicName, Version runningVersion) throws IOException {
        if (location == null || !location.startsWith("file:")) {
            return "its location '" + location + "' is not a file: URL";
        }
        Path source;
        try {
            source = Path.of(URI.create(location));
        } catch (IllegalArgumentException e) {
            return "its location '" + location + "' is not a usable file URL";
        }
        if (!Files.isRegularFile(source)) {
            return "the file at its location " + source + " is gone";
        }
        Manifest manifest;
        try (JarFile file = new JarFile(source.toFile())) {
            manifest = file.getManifest();
        }
        Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
        String name = main.getValue("Bundle-SymbolicName");
        name = name == null ? null : name.split(";")[0].trim();
        String v = main.getValue("Bundle-Version");
        Version fileVersion;
        try {
            fileVersion = v == null ? Version.emptyVersion : Version.parseVersion(v.trim());
        } catch (IllegalArgumentException e) {
            fileVersion = null;
        }
        if (!symbolicName.equals(name) || !runningVersion.equals(fileVersion)) {
            return "the jar at its location " + source + " is " + name + " " + v + ", not the running "
                    + symbolicName + " " + runningVersion;
        }
        replace(source, runningVersion.toString());
        return null;
    }

    /**
     * Makes a jar the kept one.
     *
     * @param source the jar
     * @param newVersion its version
     * @throws IOException when copying fails
     */
    void replace(Path source, String newVersion) throws IOException {
        Files.createDirectories(jar.getParent());
        Path tmp = jar.resolveSibling(".current.jar.tmp");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        String sha = sha256(tmp);
        UpgradeHistory.moveAtomically(tmp, jar);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("version", newVersion);
        m.put("sha256", sha);
        UpgradeHistory.writeAtomically(meta, JsonText.writeObject(m));
        version = newVersion;
        sha256 = sha;
    }

    /**
     * @return the kept jar's bytes
     * @throws IOException when it cannot be read
     */
    InputStream open() throws IOException {
        return Files.newInputStream(jar);
    }

    /**
     * @param file a file
     * @return its SHA-256, lower-case hex
     * @throws IOException when it cannot be read
     */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[65536];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
