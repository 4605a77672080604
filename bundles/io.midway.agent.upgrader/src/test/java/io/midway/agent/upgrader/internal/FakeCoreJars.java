package io.midway.agent.upgrader.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import io.midway.agent.upgrader.testcore.FakeCoreActivator;

/** Builds fake {@code io.midway.agent} bundles from the {@code testcore} classes. */
final class FakeCoreJars {

    private static final String PACKAGE = "io/midway/agent/upgrader/testcore/";

    private FakeCoreJars() {
    }

    /** A healthy core: registers a connected MidAgent. */
    static Path core(Path out, String version) throws IOException {
        return core(out, version, Map.of());
    }

    /**
     * @param out where the jar goes
     * @param version its Bundle-Version
     * @param headers extra or replaced main headers; an empty value removes the header
     * @return {@code out}
     */
    static Path core(Path out, String version, Map<String, String> headers) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", CoreBundleUpgrader.CORE_SYMBOLIC_NAME);
        main.putValue("Bundle-Version", version);
        main.putValue("Bundle-Activator", FakeCoreActivator.class.getName());
        main.putValue("Import-Package", "org.osgi.framework,io.midway.api.agent,io.midway.api.upgrade,org.osgi.dto");
        headers.forEach(main::putValue);
        headers.forEach((name, value) -> {
            if (value.isEmpty()) {
                main.remove(new Attributes.Name(name));
            }
        });
        Path classes;
        try {
            classes = Path.of(FakeCoreActivator.class.getResource("FakeCoreActivator.class").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(classes)) {
            files = list.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        Files.createDirectories(out.getParent());
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (Path c : files) {
                jar.putNextEntry(new JarEntry(PACKAGE + c.getFileName()));
                jar.write(Files.readAllBytes(c));
                jar.closeEntry();
            }
        }
        return out;
    }
}
