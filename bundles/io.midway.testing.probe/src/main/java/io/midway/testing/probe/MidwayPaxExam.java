package io.midway.testing.probe;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/**
 * Pax Exam options for a real Felix framework with what a probe bundle needs: Declarative
 * Services (Felix SCR), Config Admin, slf4j (with slf4j-simple, started first), Jackson, the
 * Midway API and wire bundles, and this kit (so that tests inside the framework can use
 * {@link ProbeHarness} and {@link ProbeServices}). Runs in the test driver, in the
 * {@code @Configuration} method.
 *
 * <pre>
 * &#64;Configuration
 * public Option[] configuration() {
 *     return new Option[] {MidwayPaxExam.probeRuntime(), MidwayPaxExam.projectBundle()};
 * }
 * </pre>
 *
 * <p>The bundles are taken from the test class path (the jars Maven resolved for the test: this
 * kit's dependencies), found by {@code Bundle-SymbolicName} and installed from {@code file:}
 * URLs, so their versions are the ones the test compiles against and nothing is downloaded. Pax
 * Exam's own bundles ({@code junitBundles()} and its injection and invoker bundles) come through
 * {@code mvn:} links of {@code pax-exam-link-mvn}: the test project declares them as test
 * dependencies and tells pax-url to read the local repository only (see the README).
 *
 * <p>Felix's implicit boot delegation is switched off, so that classes and
 * {@code META-INF/services} files on the test class path (slf4j-simple, for one) do not leak into
 * the framework: bundles see only what they import, as in the agent.
 */
public final class MidwayPaxExam {

    /** System property naming the project's bundle jar for {@link #projectBundle()}. */
    public static final String PROJECT_BUNDLE_PROPERTY = "midway.probe.bundle";

    /** Bundles started at level 1, before the rest, so that nothing logs before the backend is there. */
    static final List<String> LOGGING = List.of("slf4j.api", "slf4j.simple", "org.apache.aries.spifly.dynamic.bundle",
            "org.objectweb.asm", "org.objectweb.asm.tree", "org.objectweb.asm.tree.analysis", "org.objectweb.asm.commons",
            "org.objectweb.asm.util");

    /** The rest of a probe's runtime. */
    static final List<String> RUNTIME = List.of("org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", "org.apache.felix.scr", "org.apache.felix.configadmin",
            "com.fasterxml.jackson.core.jackson-annotations", "com.fasterxml.jackson.core.jackson-core",
            "com.fasterxml.jackson.core.jackson-databind", "io.midway.api", "io.midway.wire", "io.midway.testing.probe");

    private static final int LOGGING_START_LEVEL = 1;

    private MidwayPaxExam() {
    }

    /**
     * @return the framework a probe bundle runs in, as one composite option (add your own bundle,
     *     e.g. with {@link #projectBundle()})
     * @throws IllegalStateException when a bundle is not on the test class path
     */
    public static Option probeRuntime() {
        Map<String, URL> onClassPath = bundlesOnClassPath();
        List<Option> options = new ArrayList<>();
        options.add(junitBundles());
        options.add(frameworkProperty("felix.bootdelegation.implicit").value("false"));
        for (String symbolicName : LOGGING) {
            options.add(bundle(require(onClassPath, symbolicName)).startLevel(LOGGING_START_LEVEL));
        }
        for (String symbolicName : RUNTIME) {
            options.add(bundle(require(onClassPath, symbolicName)));
        }
        return composite(options.toArray(Option[]::new));
    }

    /**
     * @param symbolicName the {@code Bundle-SymbolicName} of a jar on the test class path, e.g. a
     *     protocol bundle your probe imports
     * @return an option installing and starting it
     * @throws IllegalStateException when no such jar is on the test class path
     */
    public static UrlProvisionOption bundleOnClassPath(String symbolicName) {
        return bundle(require(bundlesOnClassPath(), symbolicName));
    }

    /**
     * The bundle this project builds: the jar named by the system property
     * {@value #PROJECT_BUNDLE_PROPERTY} when set, else the newest jar in {@code target/} (of the
     * working directory, where Maven runs the tests) that has a {@code Bundle-SymbolicName},
     * leaving out {@code -sources}, {@code -javadoc} and {@code -tests} jars. Run the test after
     * {@code package}, e.g. with failsafe in {@code mvn verify}.
     *
     * @return an option installing and starting it
     * @throws IllegalStateException when there is no such jar
     */
    public static UrlProvisionOption projectBundle() {
        String named = System.getProperty(PROJECT_BUNDLE_PROPERTY);
        Path jar;
        if (named != null && !named.isBlank()) {
            jar = Path.of(named);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(PROJECT_BUNDLE_PROPERTY + "=" + named + " is not a file");
            }
        } else {
            jar = newestBundleIn(Path.of("target")).orElseThrow(() -> new IllegalStateException("No bundle jar in "
                    + Path.of("target").toAbsolutePath() + ": build it first (mvn verify runs integration tests after"
                    + " package), or set -D" + PROJECT_BUNDLE_PROPERTY + "=path/to/bundle.jar"));
        }
        return bundle(jar.toAbsolutePath().toUri().toString());
    }

    private static Optional<Path> newestBundleIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".jar") && !name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar")
                        && !name.endsWith("-tests.jar") && symbolicName(f).isPresent();
            }).max(Comparator.comparing(MidwayPaxExam::lastModified));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static Optional<String> symbolicName(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            return manifest == null ? Optional.empty() : symbolicName(manifest);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String require(Map<String, URL> onClassPath, String symbolicName) {
        URL jar = onClassPath.get(symbolicName);
        if (jar == null) {
            throw new IllegalStateException("Bundle " + symbolicName + " is not on the test class path. It comes with"
                    + " io.midway:io.midway.testing.probe as a dependency (runtime scope); is the kit a test dependency,"
                    + " and not excluded? Bundles found: " + new java.util.TreeSet<>(onClassPath.keySet()));
        }
        return jar.toString();
    }

    /** @return the jars on the class path that are bundles: symbolic name → {@code file:} URL of the jar */
    static Map<String, URL> bundlesOnClassPath() {
        Map<String, URL> bundles = new LinkedHashMap<>();
        ClassLoader loader = MidwayPaxExam.class.getClassLoader();
        try {
            for (URL manifestUrl : Collections.list(loader.getResources(JarFile.MANIFEST_NAME))) {
                if (!"jar".equals(manifestUrl.getProtocol())) {
                    continue; // a folder such as target/classes: not an installable bundle
                }
                JarURLConnection connection = (JarURLConnection) manifestUrl.openConnection();
                connection.setUseCaches(false);
                URL jar = connection.getJarFileURL();
                Manifest manifest;
                try (InputStream in = connection.getInputStream()) {
                    manifest = new Manifest(in);
                }
                symbolicName(manifest).ifPresent(name -> bundles.putIfAbsent(name, jar));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifests on the class path", e);
        }
        return bundles;
    }

    private static Optional<String> symbolicName(Manifest manifest) {
        String value = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        int semicolon = value.indexOf(';');
        return Optional.of((semicolon < 0 ? value : value.substring(0, semicolon)).trim());
    }
}
