package io.midway.agent.internal.sync;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code io.midway.testing.echo} fixture jar, from system property {@value #PROPERTY} (set by
 * Maven from the dependency: the local repository's jar, or the reactor module's jar once it is
 * packaged).
 */
final class EchoFixture {

    static final String PROPERTY = "midway.test.echo.jar";

    private EchoFixture() {
    }

    /** @return the echo fixture jar */
    static Path jar() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            throw new IllegalStateException("system property " + PROPERTY + " is not set: run the tests with Maven");
        }
        Path path = Path.of(value);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(PROPERTY + " is " + path + ", not a jar: in a reactor build the echo "
                    + "fixture is a jar only from the package phase on (mvn verify), or install it first "
                    + "(mvn install -pl bundles/io.midway.testing.echo)");
        }
        return path;
    }
}
