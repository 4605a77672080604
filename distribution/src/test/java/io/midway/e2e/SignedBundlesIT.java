package io.midway.e2e;

import static org.junit.Assert.assertEquals;
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
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.testing.jars.TestJars;
import io.midway.testing.jars.TestSigner;

/**
 * Signatures required on the real distribution, set as an operator does (etc/ of the instance and
 * of the agent): uploads, deploy/ and the agent's Web Console refuse what an allowed signer did not
 * sign, with the reason, and what was signed runs; the agent stays Up throughout.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SignedBundlesIT {

    private static final String AGENT = "signed-a";
    private static final String ECHO = "io.midway.testing.echo";

    static AgentAndInstance midway;
    static Path jars;
    static Path echo;
    static TestSigner ours;
    static TestSigner theirs;

    @BeforeClass
    public static void start() throws Exception {
        String fixture = System.getProperty("midway.echo.jar");
        assertTrue("system property midway.echo.jar names the echo fixture jar (set by failsafe): " + fixture,
                fixture != null && Files.isRegularFile(Path.of(fixture)));
        Path keys = TestFolders.temporary("midway-signers");
        ours = TestSigner.make(keys.resolve("signers.p12"), "ours", "CN=Our plug-ins, O=Example");
        theirs = TestSigner.make(keys.resolve("signers.p12"), "theirs", "CN=Someone else");
        String policy = "required = true\nsigners = " + ours.fingerprint() + "\n";
        midway = AgentAndInstance.start(AGENT, true, copy -> {
            Files.writeString(copy.resolve("etc/io.midway.instance.signing.cfg"), policy);
            Files.writeString(copy.resolve("etc/io.midway.agent.signing.cfg"), policy);
        });
        jars = Files.createDirectories(midway.work.resolve("jars"));
        echo = TestJars.withVersion(Path.of(fixture), jars.resolve("echo-2.jar"), "2.0.0");
    }

    @AfterClass
    public static void stop() throws Exception {
        if (midway != null) {
            midway.close();
        }
    }

    @Test
    public void t4_anAgentThatRequiresSignaturesRefusesWhatAnOpenInstanceOffersAndStaysUp() throws Exception {
        // the instance stops requiring signatures (its etc/ file, read again within seconds); the agent still does
        Files.writeString(midway.home.resolve("etc/io.midway.instance.signing.cfg"), "required = false\n");
        InstanceWatch watch = new InstanceWatch(midway.admin, AGENT);
        long since = watch.lastEventSeq();
        Path v3 = TestJars.withVersion(echo, jars.resolve("echo-3.jar"), "3.0.0");
        Wait.until(Duration.ofSeconds(30), "the instance takes the unsigned jar once it no longer requires signatures",
                () -> upload("/api/mid/admin/files?kind=probe", v3).statusCode() < 300, midway.instance);
        Wait.until(Duration.ofSeconds(30), "the agent reports that file sync refused it", () -> {
            for (JsonNode e : watch.events(since)) {
                if (AGENT.equals(e.path("agent").asText()) && "file_sync.failed".equals(e.path("name").asText())
                        && e.path("detail").asText().contains("refused: it is not signed")) {
                    return true;
                }
            }
            return false;
        }, midway.agent);
        JsonNode answer = midway.probe("Echo", "signed-echo-3", Http.JSON.createObjectNode(), input -> true);
        assertEquals("the signed version it ran keeps answering: " + answer, "2.0.0",
                answer.path("payload").path("bundle_version").asText());

        Path core;
        try (var s = Files.list(midway.home.resolve("system/agent"))) {
            core = s.filter(p -> p.getFileName().toString().startsWith("io.midway.agent-")).findFirst().orElseThrow();
        }
        HttpResponse<String> published = upload("/api/mid/admin/upgrade",
                TestJars.withVersion(core, jars.resolve("core-9.1.jar"), "9.1.0"));
        assertEquals(published.body(), 201, published.statusCode());
        Wait.until(Duration.ofSeconds(60), "the agent refuses the unsigned core", () -> {
            for (JsonNode e : watch.events(since)) {
                if (AGENT.equals(e.path("agent").asText()) && "mid_server.upgrade_failed".equals(e.path("name").asText())
                        && e.path("detail").asText().contains("core 9.1.0 is refused: it is not signed")) {
                    return true;
                }
            }
            return false;
        }, midway.agent);
        Wait.until(Duration.ofSeconds(30), "the agent is Up again on its own core",
                () -> "Up".equals(midway.agentRecord().path("status").asText()), midway.agent);
    }

    private static HttpResponse<String> upload(String path, Path jar) throws Exception {
        return midway.admin.sendBytes("POST", path, Files.readAllBytes(jar), "application/java-archive");
    }

    private static String refusal(HttpResponse<String> r) throws Exception {
        assertEquals(r.body(), 400, r.statusCode());
        return Http.parse(r).path("error").path("message").asText();
    }

    private static List<JsonNode> bundles() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        midway.agentConsole(AGENT).json("/system/console/midway.json").path("bundles").forEach(out::add);
        return out;
    }

    private static void stillUp() throws Exception {
        assertEquals("the agent stays Up", "Up", midway.agentRecord().path("status").asText());
    }

    @Test
    public void t1_theInstanceRefusesUploadsNotSignedByAnAllowedSignerAndTheSignedOneRuns() throws Exception {
        String unsigned = refusal(upload("/api/mid/admin/files?kind=probe", echo));
        assertTrue(unsigned, unsigned.startsWith("the plug-in is refused: it is not signed; signatures are required"));
        String other = refusal(upload("/api/mid/admin/files?kind=probe", theirs.signCopy(echo, jars.resolve("theirs.jar"))));
        assertEquals("the plug-in is refused: it is signed by CN=Someone else (SHA-256 " + theirs.fingerprint()
                + "), not by a signer on the allow-list", other);
        Path core;
        try (var s = Files.list(midway.home.resolve("system/agent"))) {
            core = s.filter(p -> p.getFileName().toString().startsWith("io.midway.agent-")).findFirst().orElseThrow();
        }
        Path newerCore = TestJars.withVersion(core, jars.resolve("core-9.jar"), "9.0.0");
        String coreRefusal = refusal(upload("/api/mid/admin/upgrade", newerCore));
        assertTrue(coreRefusal, coreRefusal.startsWith("the agent core is refused: it is not signed"));
        assertEquals("nothing was stored", 0, midway.admin.json("/api/mid/admin/files").path("result").size());

        String page = midway.admin.get("/system/console/file-sync").body();
        assertTrue("the File sync page says so: " + page, page.contains("Signatures: required")
                && page.contains("<li><code>" + ours.fingerprint() + "</code></li>"));
        HttpResponse<String> config = midway.admin.send("POST", "/system/console/configMgr/io.midway.instance.signing", null);
        assertEquals(config.body(), 200, config.statusCode());
        JsonNode properties = Http.parse(config).path("properties");
        assertTrue("the Web Console's configuration page edits it: " + properties,
                properties.path("required").path("value").asBoolean() && properties.has("signers"));

        HttpResponse<String> signed = upload("/api/mid/admin/files?kind=probe", ours.signCopy(echo, jars.resolve("ours.jar")));
        assertEquals(signed.body(), 201, signed.statusCode());
        JsonNode answer = midway.probe("Echo", "signed-echo", Http.JSON.createObjectNode(),
                input -> "processed".equals(input.path("state").asText())
                        && "2.0.0".equals(input.path("payload").path("bundle_version").asText()));
        assertEquals("the signed plug-in, synced, answers: " + answer, "processed", answer.path("state").asText());
        stillUp();
    }

    @Test
    public void t2_aDeployJarThatIsNotSignedIsListedAsRefusedAndDoesNotRun() throws Exception {
        Path deploy = midway.agentData(AGENT).resolve("deploy");
        Path partial = midway.work.resolve("echo-9.partial");
        Files.copy(TestJars.withVersion(echo, jars.resolve("echo-9.jar"), "9.0.0"), partial, StandardCopyOption.REPLACE_EXISTING);
        Files.move(partial, deploy.resolve("echo-9.jar"), StandardCopyOption.ATOMIC_MOVE);
        Wait.until(Duration.ofSeconds(30), "deploy/echo-9.jar is listed as refused", () -> bundles().stream()
                .anyMatch(b -> "echo-9.jar".equals(b.path("file").asText())
                        && b.path("problem").asText().startsWith("refused: it is not signed")), midway.agent);
        List<String> listing = midway.agent.shell("mid:bundles", out -> out.contains("echo-9.jar"), Duration.ofSeconds(20));
        assertTrue("mid:bundles says why: " + listing, String.join("\n", listing).contains("refused: it is not signed"));
        JsonNode answer = midway.probe("Echo", "signed-echo-2", Http.JSON.createObjectNode(), input -> true);
        assertEquals("the signed synced version keeps answering: " + answer, "2.0.0",
                answer.path("payload").path("bundle_version").asText());
        Files.delete(deploy.resolve("echo-9.jar"));
        stillUp();
    }

    @Test
    public void t3_aBundleInstalledThroughTheAgentsWebConsoleThatIsNotSignedIsUninstalled() throws Exception {
        Path other = TestJars.withHeaders(echo, jars.resolve("console.jar"),
                Map.of("Bundle-SymbolicName", "io.midway.testing.console"));
        String boundary = "midway" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String[] field : new String[][] {{"action", "install"}, {"bundlestart", "start"},
                {"bundlestartlevel", "20"}}) {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"
                    + field[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"bundlefile\"; filename=\"console.jar\""
                + "\r\nContent-Type: application/java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(other));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> installed = midway.agentConsole(AGENT).sendBytes("POST", "/system/console/bundles",
                body.toByteArray(), "multipart/form-data; boundary=" + boundary);
        assertTrue("the Web Console took the upload: " + installed.statusCode(), installed.statusCode() < 400);
        Wait.until(Duration.ofSeconds(30), "the agent says it refused and uninstalled the console's bundle",
                () -> Files.readString(midway.agentData(AGENT).resolve("agent.log")).contains(
                        "Bundle io.midway.testing.console 2.0.0 (CONSOLE) installed from outside file sync and deploy/ "
                                + "is refused and uninstalled: it is not signed"), midway.agent);
        List<JsonNode> listed = bundles().stream()
                .filter(b -> "io.midway.testing.console".equals(b.path("symbolicName").asText())).toList();
        assertEquals("listed once, as refused and not installed: " + listed, 1, listed.size());
        assertEquals("NOT_INSTALLED", listed.get(0).path("state").asText());
        assertTrue(listed.toString(), listed.get(0).path("problem").asText().startsWith("refused: it is not signed"));
        stillUp();
    }
}
