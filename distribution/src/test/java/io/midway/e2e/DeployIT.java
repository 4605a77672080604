package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.testing.jars.TestJars;

/**
 * The deploy folder on the real distribution, as an operator uses it: each agent has its own
 * folder; a copy of a shipped or synced bundle dropped there takes over and, once removed, what
 * ran before serves again at once; a jar that does not resolve is shown with the reason (shell
 * and console) and prints no stack trace; a bundle installed through the Web Console shows with
 * origin {@code console}.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class DeployIT {

    /** A hung step fails within minutes, not at CI's limit. */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final String AGENT = "deploy-a";
    private static final String OTHER = "deploy-b";
    private static final String TCP = "io.midway.probe.tcp";
    private static final String ECHO = "io.midway.testing.echo";

    static AgentAndInstance midway;
    static Path echoJar;
    static Path jars;

    @BeforeClass
    public static void start() throws Exception {
        String echo = System.getProperty("midway.echo.jar");
        assertTrue("system property midway.echo.jar names the echo fixture jar (set by failsafe): " + echo,
                echo != null && Files.isRegularFile(Path.of(echo)));
        midway = AgentAndInstance.start(AGENT, true, null);
        midway.addAgent(OTHER);
        jars = Files.createDirectories(midway.work.resolve("jars"));
        echoJar = Files.copy(Path.of(echo), jars.resolve("echo.jar"));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    private static Path deployOf(String agent) {
        return midway.agentData(agent).resolve("deploy");
    }

    /** Copies a jar into the folder as an operator's copy lands: whole, by an atomic rename. */
    private static Path drop(Path jar, Path folder, String name) throws Exception {
        Path partial = midway.work.resolve(name + ".partial");
        Files.copy(jar, partial, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(partial, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return the agent's plug-in bundles, from its Midway console page's JSON */
    private static List<JsonNode> bundles(String agent) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        midway.agentConsole(agent).json("/system/console/midway.json").path("bundles").forEach(out::add);
        return out;
    }

    private static List<JsonNode> bundles(String agent, String symbolicName) throws Exception {
        return bundles(agent).stream().filter(b -> symbolicName.equals(b.path("symbolicName").asText())).toList();
    }

    private static boolean has(String agent, String symbolicName, String origin, String state) throws Exception {
        return bundles(agent, symbolicName).stream().anyMatch(b -> origin.equals(b.path("origin").asText())
                && state.equals(b.path("state").asText()));
    }

    private static ObjectNode scanOf(int port) {
        ObjectNode p = Http.JSON.createObjectNode();
        p.put("host", "127.0.0.1");
        p.putArray("ports").add(port);
        return p;
    }

    /** One TCPScan record, answered: it must be processed at the first try (no "No probe for topic"). */
    private static void tcpScanWorksAtOnce() throws Exception {
        int port = Ports.free();
        JsonNode answer = midway.probe("TCPScan", "deploy-check", scanOf(port), input -> true);
        assertEquals("TCPScan answered at once: " + answer, "processed", answer.path("state").asText());
    }

    private static String sendEcho() throws Exception {
        return midway.probe("Echo", "deploy-echo", Http.JSON.createObjectNode(), input -> true).toString();
    }

    private static void awaitEchoVersion(String version) throws Exception {
        midway.probe("Echo", "deploy-echo", Http.JSON.createObjectNode(),
                input -> "processed".equals(input.path("state").asText())
                        && version.equals(input.path("payload").path("bundle_version").asText()));
    }

    @Test
    public void t1_aShippedProbeCopiedIntoDeployTakesOverForThatAgentOnlyAndComesBackWhenRemoved() throws Exception {
        Path shipped;
        try (Stream<Path> s = Files.list(midway.home.resolve("system/agent"))) {
            shipped = s.filter(p -> p.getFileName().toString().startsWith(TCP)).findFirst().orElseThrow();
        }
        assertTrue("each agent has its own deploy folder: " + deployOf(AGENT), Files.isDirectory(deployOf(AGENT)));
        Path copy = drop(shipped, deployOf(AGENT), shipped.getFileName().toString());

        Wait.until(Duration.ofSeconds(30), "the deploy copy of " + TCP + " runs and the shipped one is stopped",
                () -> has(AGENT, TCP, "deploy", "ACTIVE") && has(AGENT, TCP, "distribution", "RESOLVED"),
                midway.instance, midway.agent);
        tcpScanWorksAtOnce();
        List<String> shell = midway.agent.shell("mid:status", out -> out.contains("Deploy folder"), Duration.ofSeconds(20));
        assertTrue("mid:status names the agent's own deploy folder: " + shell,
                String.join("\n", shell).contains(deployOf(AGENT).toString()));

        // The other agent of the same distribution has its own (empty) folder and runs the shipped probe.
        assertFalse("the jar is not in the other agent's folder", Files.exists(deployOf(OTHER).resolve(copy.getFileName())));
        List<JsonNode> other = bundles(OTHER, TCP);
        assertEquals("the other agent has only the shipped " + TCP + ": " + other, 1, other.size());
        assertEquals("distribution", other.get(0).path("origin").asText());
        assertEquals("ACTIVE", other.get(0).path("state").asText());

        Files.delete(copy);
        Wait.until(Duration.ofSeconds(30), "the deploy copy is gone and the shipped " + TCP + " runs again",
                () -> bundles(AGENT, TCP).size() == 1 && has(AGENT, TCP, "distribution", "ACTIVE"),
                midway.instance, midway.agent);
        tcpScanWorksAtOnce();
    }

    @Test
    public void t2_aDeployCopyOfASyncedProbeTakesOverAndTheSyncedVersionServesAgainWhenRemoved() throws Exception {
        Path v2 = TestJars.withVersion(echoJar, jars.resolve("echo-2.jar"), "2.0.0");
        HttpResponse<String> pushed = midway.admin.sendBytes("POST", "/api/mid/admin/files?kind=probe",
                Files.readAllBytes(v2), "application/java-archive");
        assertEquals(pushed.body(), 201, pushed.statusCode());
        awaitEchoVersion("2.0.0");

        Path v9 = TestJars.withVersion(echoJar, jars.resolve("echo-9.jar"), "9.0.0");
        Path copy = drop(v9, deployOf(AGENT), "echo-9.jar");
        awaitEchoVersion("9.0.0");
        Wait.until(Duration.ofSeconds(30), "only the deploy copy of the echo probe is installed",
                () -> bundles(AGENT, ECHO).size() == 1 && has(AGENT, ECHO, "deploy", "ACTIVE"), midway.agent);

        Files.delete(copy);
        awaitEchoVersion("2.0.0");
        Wait.until(Duration.ofSeconds(30), "the synced echo probe is back", () -> has(AGENT, ECHO, "sync", "ACTIVE"),
                midway.agent);
    }

    @Test
    public void t3_aJarThatDoesNotResolveIsShownWithTheReasonAndPrintsNoStackTrace() throws Exception {
        long before = Files.size(midway.agent.log);
        Path bad = drop(TestJars.unresolvable(echoJar, jars.resolve("echo-bad.jar"), "5.0.0"), deployOf(AGENT),
                "echo-bad.jar");
        Wait.until(Duration.ofSeconds(30), "the unresolved jar is listed with why", () -> bundles(AGENT).stream()
                .anyMatch(b -> "echo-bad.jar".equals(b.path("file").asText())
                        && b.path("problem").asText().contains("missing requirement")), midway.agent);
        List<String> listing = midway.agent.shell("mid:bundles", out -> out.contains("echo-bad.jar"), Duration.ofSeconds(20));
        String text = String.join("\n", listing);
        assertTrue("mid:bundles shows the reason: " + text, text.contains("deploy/echo-bad.jar: ")
                && text.contains("missing requirement"));
        HttpResponse<String> page = midway.agentConsole(AGENT).get("/system/console/midway");
        assertEquals(200, page.statusCode());
        assertTrue("the Midway page shows the reason", page.body().contains("deploy/echo-bad.jar: ")
                && page.body().contains("missing requirement"));
        // The synced echo probe keeps serving: a deploy jar that does not run takes nothing over.
        assertTrue(sendEcho(), sendEcho().contains("\"bundle_version\":\"2.0.0\""));

        String printed = new String(Files.readAllBytes(midway.agent.log), StandardCharsets.UTF_8)
                .substring((int) Math.min(before, Files.size(midway.agent.log)));
        assertFalse("no stack trace on the agent's terminal:\n" + printed, printed.contains("\tat ")
                || printed.contains("BundleException"));
        Files.delete(bad);
        Wait.until(Duration.ofSeconds(30), "the jar is gone from the list", () -> bundles(AGENT).stream()
                .noneMatch(b -> "echo-bad.jar".equals(b.path("file").asText())), midway.agent);
    }

    @Test
    public void t4_aBundleInstalledThroughTheWebConsoleShowsWithOriginConsole() throws Exception {
        Path library;
        try (Stream<Path> s = Files.list(midway.home.resolve("system/instance"))) {
            library = s.filter(p -> p.getFileName().toString().startsWith("h2-")).findFirst().orElseThrow();
        }
        String boundary = "midway" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String[] field : new String[][] {{"action", "install"}, {"bundlestart", "start"},
                {"bundlestartlevel", "20"}}) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"
                    + field[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"bundlefile\"; filename=\""
                + library.getFileName() + "\"\r\nContent-Type: application/java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(library));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> installed = midway.agentConsole(AGENT).sendBytes("POST", "/system/console/bundles",
                body.toByteArray(), "multipart/form-data; boundary=" + boundary);
        assertTrue("the Web Console took the upload: " + installed.statusCode() + " " + installed.body(),
                installed.statusCode() < 400);
        Wait.until(Duration.ofSeconds(30), "the console-installed bundle shows with origin console",
                () -> bundles(AGENT, "com.h2database").stream()
                        .anyMatch(b -> "console".equals(b.path("origin").asText())), midway.agent);
        HttpResponse<String> page = midway.agentConsole(AGENT).get("/system/console/midway");
        assertTrue("the Midway page lists it", page.body().contains("com.h2database"));
    }
}
