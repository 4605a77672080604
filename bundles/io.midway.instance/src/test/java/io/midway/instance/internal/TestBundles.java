package io.midway.instance.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import io.midway.testing.jars.TestJars;

/** Bundle jars for the file-sync tests: the real echo fixture bundle, and small hand-made ones. */
public final class TestBundles {

    /** The echo fixture's symbolic name. */
    public static final String ECHO = "io.midway.testing.echo";

    private TestBundles() {
    }

    /**
     * Copies the echo fixture bundle (the jar on the test class path; when the class path has its
     * classes folder instead, as in a reactor build before packaging, a jar made from it).
     *
     * @param out where the jar goes
     * @return {@code out}
     * @throws IOException when reading or writing fails
     */
    public static Path echo(Path out) throws IOException {
        Path location;
        try {
            location = Path.of(TestJars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if (Files.isRegularFile(location)) {
            return Files.copy(location, out, StandardCopyOption.REPLACE_EXISTING);
        }
        Manifest manifest;
        try (var in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest);
                Stream<Path> walk = Files.walk(location)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = location.relativize(p).toString().replace('\\', '/');
                if (!name.equals("META-INF/MANIFEST.MF")) {
                    jar.putNextEntry(new JarEntry(name));
                    Files.copy(p, jar);
                    jar.closeEntry();
                }
            }
        }
        return out;
    }

    /**
     * @param out where the jar goes
     * @param headers main manifest headers (none: a manifest with only Manifest-Version)
     * @return a jar with that manifest and one text entry
     * @throws IOException when writing fails
     */
    public static Path bundle(Path out, Map<String, String> headers) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        headers.forEach(main::putValue);
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest)) {
            jar.putNextEntry(new JarEntry("readme.txt"));
            jar.write(("bundle " + headers).getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return out;
    }

    /**
     * @param out where the jar goes
     * @param symbolicName its Bundle-SymbolicName
     * @param version its Bundle-Version
     * @return a minimal bundle jar
     * @throws IOException when writing fails
     */
    public static Path bundle(Path out, String symbolicName, String version) throws IOException {
        return bundle(out, Map.of("Bundle-SymbolicName", symbolicName, "Bundle-Version", version));
    }

    /**
     * @param out where the zip goes
     * @param entries entry names, each with its name as content
     * @return a zip without a manifest
     * @throws IOException when writing fails
     */
    public static Path zipWithoutManifest(Path out, List<String> entries) throws IOException {
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file)) {
            for (String name : entries) {
                jar.putNextEntry(new JarEntry(name));
                jar.write(name.getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return out;
    }

    /** @return the files of a directory, by name */
    public static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
