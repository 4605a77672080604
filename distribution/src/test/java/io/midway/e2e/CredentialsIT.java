package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Credentials on the real distribution: one created on bin/instance reaches a running bin/agent
 * within seconds, opens there (mid:credential-test), follows changes and deletes, a tampered copy
 * on the agent's disk is refused with a clear error, and — the point of it all — a known secret
 * put through create → deliver → use is found in no file of either data folder, no log, no shell
 * output, no Web Console page and no API answer. The steps build on each other and run in name
 * order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class CredentialsIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    private static final Duration STARTUP = Duration.ofSeconds(90);
    /** A change on the instance reaches the agent within this. */
    private static final Duration DELIVERY = Duration.ofSeconds(10);
    private static final String AGENT = "e2e-cred";
    private static final String TABLE = "/api/now/table/discovery_credentials";
    private static final String NAME = "db-canary";

    static Path work;
    static int instancePort;
    static int agentPort;
    static String adminPassword;
    static String agentPassword;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static Http admin;
    static Path dist;
    /** A private copy of the distribution: step 5 writes its etc/. */
    static Path copy;
    /** The canary: a secret nothing may ever show. */
    static String secret;
    static String sysId;
    static final List<String> seen = new ArrayList<>();

    @BeforeClass
    public static void startInstanceAndAgent() throws Exception {
        dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        assertTrue("distribution not built at " + dist, Files.isExecutable(dist.resolve("bin/instance")));
        work = TestFolders.temporary("midway-e2e-cred");
        copy = FileSyncIT.copyDistribution(dist, work.resolve("dist"));
        secret = "Canary-" + random();
        adminPassword = random();
        agentPassword = random();
        instancePort = Ports.free();
        agentPort = Ports.free();
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_HTTP_PORT", Integer.toString(instancePort));
        env.put("MIDWAY_DATA", work.resolve("instance").toString());
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        instance = MidwayProcess.start(dist, "instance", env, work.resolve("instance.log"), false);
        Http anonymous = new Http("http://127.0.0.1:" + instancePort, null, null);
        Wait.until(STARTUP, "instance_info", () -> anonymous.get("/api/mid/instance_info").statusCode() == 200, instance);
        admin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        agent = startAgent(instancePort);
    }

    static MidwayProcess startAgent(int instancePort) throws Exception {
        return startAgent(instancePort, true);
    }

    static MidwayProcess startAgent(int instancePort, boolean passwordInEnvironment) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort);
        env.put("MIDWAY_AGENT_NAME", AGENT);
        if (passwordInEnvironment) {
            env.put("MIDWAY_AGENT_PASSWORD", agentPassword);
        }
        env.put("MIDWAY_ADMIN_PASSWORD", adminPassword);
        env.put("MIDWAY_HTTP_PORT", Integer.toString(agentPort));
        env.put("MIDWAY_DATA", work.resolve("agent").toString());
        MidwayProcess started = MidwayProcess.start(copy, "agent", env, work.resolve("agent.log"), true);
        Wait.until(STARTUP, "agent " + AGENT + " Up with its credential key", () -> {
            JsonNode a = agentRecord();
            return a != null && "Up".equals(a.path("status").asText())
                    && a.path("public_key_fingerprint").asText().startsWith("SHA256:");
        }, instance, started);
        // after a restart the instance still shows the record of the run before: wait for this
        // process itself to serve its Web Console page, which needs the running agent core
        Http console = new Http("http://127.0.0.1:" + agentPort, "admin", adminPassword);
        Wait.until(STARTUP, "the agent's Web Console page /system/console/midway",
                () -> console.get("/system/console/midway").statusCode() == 200, instance, started);
        return started;
    }

    @AfterClass
    public static void stopAll() throws Exception {
        for (MidwayProcess p : new MidwayProcess[] {agent, instance}) {
            if (p != null) {
                p.close();
            }
        }
        if (copy != null) {
            FileSyncIT.deleteTree(copy);
        }
    }

    @Test
    public void t1_aCredentialCreatedOnTheInstanceReachesTheAgentAndOpensThere() throws Exception {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("name", NAME);
        body.put("type", "basic");
        body.put("user_name", "scott");
        body.put("password", secret);
        HttpResponse<String> created = admin.send("POST", TABLE, body.toString());
        seen.add(created.body());
        assertEquals(created.body(), 201, created.statusCode());
        JsonNode record = Http.parse(created).path("result");
        sysId = record.path("sys_id").asText();
        assertFalse("no password field in the answer: " + record, record.has("password"));
        assertEquals("[\"password\"]", record.path("secrets_set").toString());

        List<String> listed = awaitShell("mid:credentials", out -> out.contains(NAME) && out.contains(sysId));
        String line = listed.stream().filter(l -> l.contains(NAME)).findFirst().orElseThrow();
        assertTrue("mid:credentials shows the type: " + line, line.contains("basic"));

        List<String> test = shell("mid:credential-test " + NAME + " 127.0.0.1", out -> out.contains("opens"));
        String text = String.join("\n", test);
        assertTrue(text, text.contains("credential '" + NAME + "' (basic) opens: user_name=scott, password set"));
    }

    @Test
    public void t2_changesAndDeletesReachTheAgentWithinSeconds() throws Exception {
        assertNotNull("step 1 ran", sysId);
        HttpResponse<String> patched = admin.send("PATCH", TABLE + "/" + sysId, "{\"user_name\":\"tiger\"}");
        seen.add(patched.body());
        assertEquals(patched.body(), 200, patched.statusCode());
        long started = System.nanoTime();
        awaitShell("mid:credential-test " + NAME + " 127.0.0.1", out -> out.contains("user_name=tiger"));
        assertTrue("the change took " + (System.nanoTime() - started) / 1_000_000 + " ms",
                Duration.ofNanos(System.nanoTime() - started).compareTo(DELIVERY) < 0);

        HttpResponse<String> other = admin.send("POST", TABLE, "{\"name\":\"short-lived\",\"type\":\"api_key\",\"api_key\":\"" + secret + "\"}");
        seen.add(other.body());
        assertEquals(other.body(), 201, other.statusCode());
        awaitShell("mid:credentials", out -> out.contains("short-lived"));
        String otherId = Http.parse(other).path("result").path("sys_id").asText();
        HttpResponse<String> deleted = admin.send("DELETE", TABLE + "/" + otherId, null);
        assertEquals(deleted.body(), 204, deleted.statusCode());
        awaitShell("mid:credentials", out -> out.contains(NAME) && !out.contains("short-lived"));
    }

    @Test
    public void t3_aTamperedCopyOnTheAgentIsRefusedNeverUsed() throws Exception {
        assertNotNull("step 1 ran", sysId);
        Path stored = work.resolve("agent/credentials/credentials.json");
        assertTrue(stored + " exists", Files.isRegularFile(stored));
        int exit = agent.stop(Duration.ofSeconds(30));
        assertTrue("the agent stops cleanly (exit " + exit + ")", exit == 0 || exit == 143);
        // Flip one character in the middle of the sealed password: still well-formed, no longer genuine
        JsonNode sync = Http.JSON.readTree(Files.readString(stored, StandardCharsets.UTF_8));
        ObjectNode sealed = null;
        for (JsonNode c : sync.path("result")) {
            if (NAME.equals(c.path("name").asText())) {
                sealed = (ObjectNode) c.path("sealed");
            }
        }
        assertNotNull("the credential is stored: " + sync, sealed);
        String text = sealed.path("password").asText();
        int at = text.length() - 10;
        char flipped = text.charAt(at) == 'A' ? 'B' : 'A';
        sealed.put("password", text.substring(0, at) + flipped + text.substring(at + 1));
        Files.writeString(stored, sync.toString(), StandardCharsets.UTF_8);

        agent = startAgent(instancePort);
        List<String> test = awaitShell("mid:credential-test " + NAME + " 127.0.0.1", out -> out.contains(NAME));
        String out = String.join("\n", test);
        assertTrue(out, out.contains("does not open")
                && out.contains("the secret password of credential '" + NAME + "' was altered or not sealed for this agent"));
    }

    @Test
    public void t4_theSecretIsNowhere() throws Exception {
        assertNotNull("step 1 ran", sysId);
        // API answers of the instance
        for (String path : List.of(TABLE, TABLE + "/" + sysId, "/api/now/table/ecc_agent", "/api/mid/events?since=0",
                "/api/now/table/ecc_queue")) {
            seen.add(admin.send("GET", path, null).body());
        }
        // Web Console pages of both processes
        Http agentConsole = new Http("http://127.0.0.1:" + agentPort, "admin", adminPassword);
        for (String page : List.of("/system/console/midway", "/system/console/configMgr", "/system/console/components",
                "/system/console/bundles", "/system/console/credentials", "/system/console/credentials.json")) {
            HttpResponse<String> r = agentConsole.get(page);
            assertEquals(page + " answers", 200, r.statusCode());
            seen.add(r.body());
        }
        String credentialsPage = agentConsole.get("/system/console/credentials").body();
        assertTrue("the Credentials page lists the credential: " + credentialsPage,
                credentialsPage.contains(NAME) && credentialsPage.contains(sysId) && credentialsPage.contains("password"));
        for (String page : List.of("/system/console/configMgr", "/system/console/components", "/system/console/bundles")) {
            seen.add(admin.get(page).body());
        }
        // Shell output
        seen.add(String.join("\n", shell("mid:credentials", out -> out.contains(NAME))));
        seen.add(String.join("\n", shell("mid:status", out -> !out.isBlank())));

        String base64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
        for (String text : seen) {
            assertFalse("an answer shows the secret", text.contains(secret));
            assertFalse("an answer shows the secret in base64", text.contains(base64));
        }
        // Every file of both data folders and both logs (the agent's log holds its terminal too)
        List<Path> files;
        try (Stream<Path> walk = Files.walk(work)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(f -> !f.startsWith(copy) || f.startsWith(copy.resolve("etc"))).toList();
        }
        assertTrue("the data folders are searched: " + files.size() + " files", files.size() > 20);
        byte[] plain = secret.getBytes(StandardCharsets.UTF_8);
        byte[] wide = secret.getBytes(StandardCharsets.UTF_16LE);
        byte[] encoded = base64.getBytes(StandardCharsets.US_ASCII);
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            assertFalse(file + " holds the secret", contains(bytes, plain));
            assertFalse(file + " holds the secret (UTF-16)", contains(bytes, wide));
            assertFalse(file + " holds the secret in base64", contains(bytes, encoded));
        }
    }

    @Test
    public void t5_anEncryptedAgentPasswordInEtcStartsTheAgent() throws Exception {
        assertNotNull("step 1 ran", sysId);
        List<String> printed = shell("mid:encrypt " + agentPassword, out -> out.contains("encrypted:"));
        String encrypted = printed.stream().map(String::trim).filter(l -> l.startsWith("encrypted:")).findFirst().orElseThrow();
        assertFalse("the encrypted form does not show the password", encrypted.contains(agentPassword));
        int exit = agent.stop(Duration.ofSeconds(30));
        assertTrue("the agent stops cleanly (exit " + exit + ")", exit == 0 || exit == 143);
        Path cfg = copy.resolve("etc/io.midway.agent.cfg");
        Files.writeString(cfg, Files.readString(cfg, StandardCharsets.UTF_8) + "\nagent.password = " + encrypted + "\n",
                StandardCharsets.UTF_8);
        // no MIDWAY_AGENT_PASSWORD and no agent.password file: only the encrypted value in etc/
        assertFalse(Files.exists(work.resolve("agent/agent.password")));
        agent = startAgent(instancePort, false);
        // the instance took the decrypted password: the agent itself says it is connected
        List<String> status = awaitShell("mid:status", out -> out.contains("connected"));
        assertFalse("not refused: " + status, String.join("\n", status).contains("answered 401"));
    }

    @Test
    public void t6_anExternalCredentialResolvesThroughAResolverPushedByFileSync() throws Exception {
        assertNotNull("step 1 ran", sysId);
        String vaultSecret = "Vault-" + random();
        Path vault = work.resolve("agent/vault.json");
        Files.writeString(vault, "{\"db1\":{\"user_name\":\"vaultuser\",\"password\":\"" + vaultSecret + "\"}}");
        Files.setPosixFilePermissions(vault, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String jar = System.getProperty("midway.vaultfile.jar");
        assertTrue("system property midway.vaultfile.jar names the example resolver (set by failsafe): " + jar,
                jar != null && Files.isRegularFile(Path.of(jar)));
        HttpResponse<String> pushed = admin.sendBytes("POST", "/api/mid/admin/files?kind=credential",
                Files.readAllBytes(Path.of(jar)), "application/java-archive");
        assertEquals(pushed.body(), 201, pushed.statusCode());
        HttpResponse<String> created = admin.send("POST", TABLE,
                "{\"name\":\"vaulted\",\"type\":\"basic\",\"resolver\":\"vault-file\",\"external_id\":\"db1\"}");
        seen.add(created.body());
        assertEquals(created.body(), 201, created.statusCode());

        // the resolver bundle arrives by file sync, the credential by its revision: then it opens
        List<List<String>> last = new ArrayList<>();
        Wait.until(Duration.ofSeconds(45), "the vaulted credential opening on the agent", () -> {
            List<String> lines = shell("mid:credential-test vaulted 127.0.0.1", out -> true);
            last.add(lines);
            return String.join("\n", lines).contains("opens: user_name=vaultuser, password set");
        }, instance, agent);

        // the vault file must stay owner-only
        Files.setPosixFilePermissions(vault, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        String refused = String.join("\n", shell("mid:credential-test vaulted 127.0.0.1", out -> out.contains("vaulted")));
        assertTrue(refused, refused.contains("does not open") && refused.contains("accessible to group or others")
                && refused.contains("chmod 600"));
        for (String text : seen) {
            assertFalse("an answer or shell output shows the vault's secret", text.contains(vaultSecret));
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    static List<String> shell(String command, java.util.function.Predicate<String> done) throws Exception {
        List<String> lines = agent.shell(command, done, Duration.ofSeconds(20));
        seen.add(String.join("\n", lines));
        return lines;
    }

    /** Repeats a command until its output satisfies {@code done} (a change is on its way). */
    static List<String> awaitShell(String command, java.util.function.Predicate<String> done) throws Exception {
        List<List<String>> last = new ArrayList<>();
        Wait.until(DELIVERY, "the output of " + command, () -> {
            List<String> lines = shell(command, out -> true);
            last.add(lines);
            return done.test(String.join("\n", lines));
        }, instance, agent);
        return last.get(last.size() - 1);
    }

    static JsonNode agentRecord() throws Exception {
        JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + AGENT).path("result");
        return result.size() == 1 ? result.get(0) : null;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static String random() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
