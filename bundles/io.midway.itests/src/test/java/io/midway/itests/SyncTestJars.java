package io.midway.itests;

import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.ops4j.pax.exam.Option;

import io.midway.testing.jars.TestJars;

/**
 * The jars {@link FileSyncIT} pushes to the instance, made in the test driver (where
 * {@link TestJars} is on the class path; inside the framework it is not) before the framework
 * starts, and handed to the test inside the framework as framework properties
 * {@code midway.itests.jar.<key>} holding absolute paths.
 *
 * <p>The echo fixture comes from system property {@value #ECHO_JAR_PROPERTY}, the library bundle
 * from {@value #LIBRARY_JAR_PROPERTY}; failsafe sets both from the Maven artifacts.
 */
public final class SyncTestJars {

    /** System property (set by failsafe): the echo test fixture jar. */
    public static final String ECHO_JAR_PROPERTY = "midway.itests.echo.jar";
    /** System property (set by failsafe): a plain third-party OSGi bundle (commons-lang3). */
    public static final String LIBRARY_JAR_PROPERTY = "midway.itests.library.jar";

    /** The echo fixture as built. */
    public static final String ECHO_V1 = "echo-v1";
    /** The echo fixture at version 2.0.0. */
    public static final String ECHO_V2 = "echo-v2";
    /** Version 3.0.0, whose DS component fails its activation. */
    public static final String ECHO_FAILING_ACTIVATION = "echo-v3-failing-activation";
    /** Version 4.0.0, importing a package no bundle exports. */
    public static final String ECHO_UNRESOLVABLE = "echo-v4-unresolvable";
    /** The echo fixture at version 5.0.0 (its stored copy gets tampered with). */
    public static final String ECHO_V5 = "echo-v5";
    /** Bytes that start like a zip but are none. */
    public static final String CORRUPT = "corrupt";
    /** The echo fixture renamed {@code io.midway.agent}: a core symbolic name, never synced. */
    public static final String RESERVED = "reserved";
    /** commons-lang3 from Maven Central. */
    public static final String LIBRARY = "library";

    private static final String PREFIX = "midway.itests.jar.";

    private SyncTestJars() {
    }

    /**
     * Makes the jars in a fresh folder under the itests data root.
     *
     * @return framework properties naming each jar
     */
    public static Option[] options() {
        Path echo = artifact(ECHO_JAR_PROPERTY);
        Path library = artifact(LIBRARY_JAR_PROPERTY);
        try {
            Path base = Path.of(System.getProperty(MidwayExamOptions.DATA_ROOT_PROPERTY, "target/itest-data"));
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base.toAbsolutePath(), "sync-jars-");
            List<Option> options = new ArrayList<>();
            options.add(jar(ECHO_V1, Files.copy(echo, dir.resolve("io.midway.testing.echo.jar"),
                    StandardCopyOption.REPLACE_EXISTING)));
            options.add(jar(ECHO_V2, TestJars.withVersion(echo, dir.resolve("echo-2.0.0.jar"), "2.0.0")));
            options.add(jar(ECHO_FAILING_ACTIVATION,
                    TestJars.failingActivation(echo, dir.resolve("echo-3.0.0-failing.jar"), "3.0.0")));
            options.add(jar(ECHO_UNRESOLVABLE,
                    TestJars.unresolvable(echo, dir.resolve("echo-4.0.0-unresolvable.jar"), "4.0.0")));
            options.add(jar(ECHO_V5, TestJars.withVersion(echo, dir.resolve("echo-5.0.0.jar"), "5.0.0")));
            options.add(jar(CORRUPT, TestJars.corrupt(dir.resolve("corrupt.jar"))));
            options.add(jar(RESERVED, TestJars.withHeaders(echo, dir.resolve("reserved.jar"),
                    Map.of("Bundle-SymbolicName", "io.midway.agent;singleton:=true", "Bundle-Version", "9.9.9"))));
            options.add(jar(LIBRARY, Files.copy(library, dir.resolve(library.getFileName()),
                    StandardCopyOption.REPLACE_EXISTING)));
            return options.toArray(Option[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the file-sync test jars", e);
        }
    }

    /**
     * @param key one of the keys above
     * @return the framework property naming that jar
     */
    public static String property(String key) {
        return PREFIX + key;
    }

    private static Option jar(String key, Path file) {
        return frameworkProperty(property(key)).value(file.toAbsolutePath().toString());
    }

    private static Path artifact(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("System property " + property + " is not set: run the tests with Maven "
                    + "(mvn verify), which sets it from the artifact (dependency:properties)");
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(property + "=" + value + " is not a file: build "
                    + "bundles/io.midway.testing.echo first (it must be a packaged jar, not target/classes)");
        }
        return file;
    }
}
