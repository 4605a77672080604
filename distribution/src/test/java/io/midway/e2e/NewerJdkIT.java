package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The distribution also starts on the newest JDK installed on this machine (Java 21+ under
 * /usr/lib/jvm, e.g. Temurin 25): instance and agent come up and the agent is Up.
 */
public class NewerJdkIT {

    static Path newestJdk() throws Exception {
        Path jvm = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvm)) {
            return null;
        }
        try (Stream<Path> s = Files.list(jvm)) {
            return s.filter(p -> Files.isExecutable(p.resolve("bin/java")))
                    .filter(p -> p.getFileName().toString().matches(".*-(2[1-9]|[3-9][0-9])(-.*|\\.[0-9.]*)?"))
                    .sorted().reduce((a, b) -> b).orElse(null);
        }
    }

    @Test
    public void instanceAndAgentRunOnTheNewerJdk() throws Exception {
        Path jdk = newestJdk();
        assumeTrue("no JDK 21+ under /usr/lib/jvm on this machine", jdk != null);
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = Files.createTempDirectory("midway-jdk");
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
            assertEquals(200, admin.get("/system/console/bundles").statusCode());
            String log = Files.readString(work.resolve("instance.log"), StandardCharsets.ISO_8859_1)
                    + Files.readString(work.resolve("i").resolve("instance.log"), StandardCharsets.ISO_8859_1);
            assertTrue("no class-file version trouble:\n" + log, !log.contains("Unsupported class file major version"));
        }
    }
}
