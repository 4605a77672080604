package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The distribution also starts on a newer JDK than 17 (the README's tested pair is 17 and 25):
 * instance and agent come up on it and the agent is Up. The JDK is the one {@value #VARIABLE} names
 * (a JDK home, as for JAVA_HOME), else the newest JDK 21+ under /usr/lib/jvm (e.g. Temurin 25); a
 * machine with neither fails this test, saying so. {@code .ci/run} checks for one before the build.
 */
public class NewerJdkIT {

    /** The environment variable that names the newer JDK's home. */
    static final String VARIABLE = "MIDWAY_IT_NEWER_JDK";

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @Rule
    public final Timeout perTestLimit = Timeout.seconds(300);

    /** @return the JDK home to run on; fails the test naming what is missing when there is none */
    static Path newerJdk() throws Exception {
        String named = System.getenv(VARIABLE);
        if (named != null && !named.isBlank()) {
            Path home = Path.of(named);
            int version = featureVersion(home);
            if (!Files.isExecutable(home.resolve("bin/java")) || version < 21) {
                fail(VARIABLE + "=" + named + " is not the home of a JDK 21 or newer (no bin/java, or a 'release' file with "
                        + "JAVA_VERSION below 21; found version " + version + ")");
            }
            return home;
        }
        Path jvm = Path.of("/usr/lib/jvm");
        List<Path> homes = new ArrayList<>();
        if (Files.isDirectory(jvm)) {
            try (Stream<Path> s = Files.list(jvm)) {
                s.filter(home -> Files.isExecutable(home.resolve("bin/java"))).forEach(homes::add);
            }
        }
        Path newest = null;
        int best = 20;
        for (Path home : homes) {
            int version = featureVersion(home);
            if (version > best) {
                best = version;
                newest = home;
            }
        }
        if (newest == null) {
            fail("no JDK 21 or newer to run the distribution on: none under /usr/lib/jvm (found: " + homes + ") and " + VARIABLE
                    + " is not set. Unpack one there (e.g. Temurin 25 as /usr/lib/jvm/temurin-25-jdk-amd64) or set " + VARIABLE
                    + " to its home; .ci/run checks this before the build.");
        }
        return newest;
    }

    /** @return the JDK's feature version from its {@code release} file (JAVA_VERSION="25.0.1"), or 0 */
    static int featureVersion(Path home) throws Exception {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        for (String line : Files.readAllLines(release, StandardCharsets.ISO_8859_1)) {
            Matcher m = Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)").matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
    }

    @Test
    public void instanceAndAgentRunOnTheNewerJdk() throws Exception {
        Path jdk = newerJdk();
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = TestFolders.temporary("midway-jdk");
        int port = Ports.free();
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", Map.of("JAVA_HOME", jdk.toString(),
                "MIDWAY_HTTP_PORT", Integer.toString(port), "MIDWAY_DATA", work.resolve("i").toString(),
                "MIDWAY_ADMIN_PASSWORD", "jdk-test-admin", "MIDWAY_AGENT_PASSWORD", "jdk-test-agent"),
                work.resolve("instance.log"), false);
             MidwayProcess agent = MidwayProcess.start(dist, "agent", Map.of("JAVA_HOME", jdk.toString(),
                "MIDWAY_HTTP_PORT", Integer.toString(Ports.free()), "MIDWAY_DATA", work.resolve("a").toString(),
                "MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + port, "MIDWAY_AGENT_NAME", "jdk-agent",
                "MIDWAY_AGENT_PASSWORD", "jdk-test-agent"), work.resolve("agent.log"), false)) {
            Http admin = new Http("http://127.0.0.1:" + port, "admin", "jdk-test-admin");
            Wait.until(Duration.ofSeconds(90), "jdk-agent Up on " + jdk, () -> {
                JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=jdk-agent").path("result");
                return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
            }, instance, agent);
            for (MidwayProcess p : List.of(instance, agent)) {
                String java = ProcessHandle.of(p.jvmPid()).flatMap(h -> h.info().command()).orElse("(no JVM found)");
                assertTrue("runs on " + jdk + ": " + java, java.startsWith(jdk.toRealPath().toString()));
            }
            assertEquals(200, admin.get("/system/console/bundles").statusCode());
            String log = Files.readString(work.resolve("instance.log"), StandardCharsets.ISO_8859_1)
                    + Files.readString(work.resolve("i").resolve("instance.log"), StandardCharsets.ISO_8859_1);
            assertTrue("no class-file version trouble:\n" + log, !log.contains("Unsupported class file major version"));
        }
    }
}
