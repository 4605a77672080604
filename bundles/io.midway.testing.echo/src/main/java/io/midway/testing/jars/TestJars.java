package io.midway.testing.jars;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Makes variants of a bundle jar for tests: another version, extra manifest headers (a failing
 * activation, an import nobody exports), or bytes that are no jar at all.
 */
public final class TestJars {

    private TestJars() {
    }

    /**
     * Copies a jar, changing or adding main manifest headers.
     *
     * @param jar the original
     * @param out where the variant goes
     * @param headers header name to value; {@code Bundle-Version} changes the version
     * @return {@code out}
     * @throws IOException when reading or writing fails
     */
    public static Path withHeaders(Path jar, Path out, Map<String, String> headers) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            Attributes main = manifest.getMainAttributes();
            headers.forEach((name, value) -> main.put(new Attributes.Name(name), value));
            try (OutputStream file = Files.newOutputStream(out); JarOutputStream target = new JarOutputStream(file, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    target.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(target);
                    target.closeEntry();
                }
            }
        }
        return out;
    }

    /**
     * @param jar the original
     * @param out where the variant goes
     * @param version the new Bundle-Version
     * @return {@code out}
     * @throws IOException when reading or writing fails
     */
    public static Path withVersion(Path jar, Path out, String version) throws IOException {
        return withHeaders(jar, out, Map.of("Bundle-Version", version));
    }

    /**
     * @param jar the original
     * @param out where the variant goes
     * @param version its Bundle-Version
     * @return a variant whose DS component throws in its activation
     * @throws IOException when reading or writing fails
     */
    public static Path failingActivation(Path jar, Path out, String version) throws IOException {
        return withHeaders(jar, out, Map.of("Bundle-Version", version, "Midway-Test-Fail-Activation", "true"));
    }

    /**
     * @param jar the original
     * @param out where the variant goes
     * @param version its Bundle-Version
     * @return a variant that imports a package no bundle exports, so it cannot resolve
     * @throws IOException when reading or writing fails
     */
    public static Path unresolvable(Path jar, Path out, String version) throws IOException {
        String imports;
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            imports = in.getManifest().getMainAttributes().getValue("Import-Package");
        }
        return withHeaders(jar, out, Map.of("Bundle-Version", version,
                "Import-Package", "io.midway.testing.nowhere;version=\"[1,2)\"" + (imports == null ? "" : "," + imports)));
    }

    /**
     * @param out where the bytes go
     * @return a file that starts like a zip but is none
     * @throws IOException when writing fails
     */
    public static Path corrupt(Path out) throws IOException {
        byte[] bytes = new byte[4096];
        bytes[0] = 'P';
        bytes[1] = 'K';
        for (int i = 2; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31);
        }
        Files.write(out, bytes);
        return out;
    }

    /**
     * A hostile upload: a jar whose manifest repeats one header {@code times} times (the JDK logs
     * a warning for each repeat when it parses it). Two million repeats make a 10 MB manifest that
     * compresses to a few kilobytes.
     *
     * @param out where the jar goes
     * @param times how often the header {@code X-Repeated} is repeated
     * @return {@code out}
     * @throws IOException when writing fails
     */
    public static Path repeatedManifestHeader(Path out, int times) throws IOException {
        try (OutputStream file = Files.newOutputStream(out);
                java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(file)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("META-INF/MANIFEST.MF"));
            zip.write(("Manifest-Version: 1.0\r\nBundle-ManifestVersion: 2\r\nBundle-SymbolicName: com.acme.hostile\r\n"
                    + "Bundle-Version: 1.0.0\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] line = "X-Repeated: again\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < times; i++) {
                zip.write(line);
            }
            zip.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.closeEntry();
            zip.putNextEntry(new java.util.zip.ZipEntry("com/acme/hostile/readme.txt"));
            zip.write("nothing here".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        return out;
    }

    /**
     * @param file a file
     * @return its SHA-256, hex, lower case
     * @throws IOException when reading fails
     */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
