package io.midway.instance.internal;

import io.midway.instance.api.InstanceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipException;

import org.osgi.framework.Version;

import io.midway.wire.jar.BoundedManifest;
import io.midway.wire.jar.InvalidManifestException;

/**
 * Checks that an uploaded file is an OSGi bundle jar and reads its identity: a zip whose every
 * entry reads to the end with the right CRC (so a truncated or damaged file fails here, not on an
 * agent), a manifest within the bounds of {@link BoundedManifest} (checked before it is parsed:
 * a hostile manifest once made the JDK log a gigabyte of warnings) with a
 * {@code Bundle-SymbolicName} and a valid {@code Bundle-Version}.
 */
final class BundleJarInspector {

    /**
     * What a bundle jar says it is.
     *
     * @param symbolicName its Bundle-SymbolicName, without parameters such as {@code singleton:=true}
     * @param version its Bundle-Version, normalised ({@code 1.0} becomes {@code 1.0.0}); {@code 0.0.0}
     *     when the manifest has none
     */
    record BundleIdentity(String symbolicName, String version) {
    }

    /** The most bytes all entries together may inflate to (against zip bombs). */
    static final long MAX_UNCOMPRESSED_BYTES = 1024L * 1024 * 1024;

    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private BundleJarInspector() {
    }

    /**
     * @param file the uploaded bytes
     * @return the bundle's identity
     * @throws InstanceException (400) with a precise reason when it is not a readable bundle jar
     */
    static BundleIdentity inspect(Path file) {
        Manifest manifest;
        try (JarFile jar = new JarFile(file.toFile(), false)) {
            readEveryEntry(jar);
            manifest = boundedManifest(file);
        } catch (ZipException e) {
            throw notAJar(e.getMessage());
        } catch (IOException e) {
            throw notAJar(e.toString());
        }
        if (manifest == null) {
            throw InstanceException.invalid("no manifest in the jar", "an OSGi bundle has META-INF/MANIFEST.MF");
        }
        Attributes main = manifest.getMainAttributes();
        String header = main.getValue("Bundle-SymbolicName");
        if (header == null || header.isBlank()) {
            throw InstanceException.invalid("no Bundle-SymbolicName in the manifest",
                    "only OSGi bundles can be synced");
        }
        int semicolon = header.indexOf(';');
        String symbolicName = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
        if (!SYMBOLIC_NAME.matcher(symbolicName).matches() || symbolicName.length() > 300) {
            throw InstanceException.invalid("invalid Bundle-SymbolicName '" + abbreviate(header) + "'",
                    "a symbolic name is dot-separated words of letters, digits, '_' and '-'");
        }
        String versionHeader = main.getValue("Bundle-Version");
        Version version;
        if (versionHeader == null || versionHeader.isBlank()) {
            version = Version.emptyVersion;
        } else {
            try {
                version = Version.parseVersion(versionHeader.trim());
            } catch (IllegalArgumentException e) {
                throw InstanceException.invalid("invalid Bundle-Version '" + abbreviate(versionHeader) + "'",
                        "an OSGi version is major[.minor[.micro[.qualifier]]]: " + e.getMessage());
            }
        }
        return new BundleIdentity(symbolicName, version.toString());
    }

    /**
     * @param file a file {@link #inspect} accepted
     * @return whether its manifest has a non-blank {@code Bundle-Version} (inspect reads absent as {@code 0.0.0})
     * @throws InstanceException (400) when it cannot be read
     */
    static boolean declaresVersion(Path file) {
        try {
            Manifest manifest = boundedManifest(file);
            String header = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-Version");
            return header != null && !header.isBlank();
        } catch (IOException e) {
            throw notAJar(e.toString());
        }
    }

    /** The manifest, read only when it is within bounds; never through {@link JarFile#getManifest()}. */
    private static Manifest boundedManifest(Path file) throws IOException {
        try {
            return BoundedManifest.read(file);
        } catch (InvalidManifestException e) {
            throw InstanceException.invalid("invalid manifest: " + e.getMessage(),
                    "a bundle's manifest is at most " + BoundedManifest.MAX_BYTES + " bytes and "
                            + BoundedManifest.MAX_LINES + " lines, and names each header once per section");
        }
    }

    private static void readEveryEntry(JarFile jar) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            JarEntry entry = entries.nextElement();
            if (entry.isDirectory()) {
                continue;
            }
            CRC32 crc = new CRC32();
            long size = 0;
            try (InputStream in = jar.getInputStream(entry)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    crc.update(buffer, 0, n);
                    size += n;
                    total += n;
                    if (total > MAX_UNCOMPRESSED_BYTES) {
                        throw notAJar("its entries inflate to more than " + MAX_UNCOMPRESSED_BYTES + " bytes");
                    }
                }
            } catch (ZipException e) {
                throw notAJar("entry " + entry.getName() + " cannot be read: " + e.getMessage());
            }
            if (entry.getSize() >= 0 && entry.getSize() != size) {
                throw notAJar("entry " + entry.getName() + " is damaged: " + size + " bytes where the zip says "
                        + entry.getSize());
            }
            if (entry.getCrc() >= 0 && entry.getCrc() != crc.getValue()) {
                throw notAJar("entry " + entry.getName() + " is damaged: its CRC does not match");
            }
        }
    }

    private static InstanceException notAJar(String reason) {
        return InstanceException.invalid("not a jar: " + reason, "upload the bundle jar as the request body");
    }

    private static String abbreviate(String text) {
        return text.length() <= 100 ? text : text.substring(0, 97) + "...";
    }
}
