package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.testing.jars.TestJars;

/**
 * Issue 13, point 4, on the real distribution: what the consoles show is what is in effect. The
 * agent runs with MIDWAY_INSTANCE_URL and MIDWAY_AGENT_NAME set to values that differ from
 * etc/io.midway.agent.cfg; its Midway page (plain HTTP GET with the admin's Basic auth, no browser)
 * and mid:config show those values as coming from the environment. A failed sync names the file
 * and why on the page; statuses, the empty upgrade history, the selection algorithm choice, the
 * root redirect, and a wrong shell argument are checked as an operator would see them.
 */
public class ConsolesIT {

    private static final String NAME = "consoles-it-agent";
    private static final HttpClient NO_REDIRECTS = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(3)).build();

    static Path work;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static String instanceBase;
    static String agentBase;
    /** The instance's admin, for the API and its console. */
    static Http admin;
    /** The agent console's admin. */
    static Http agentAdmin;
    static String adminPassword;
    static String agentPassword;

    @BeforeClass
    public static void start() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        assertTrue("distribution not built at " + dist, Files.isExecutable(dist.resolve("bin/agent")));
        work = TestFolders.temporary("midway-e2e-consoles-");
        adminPassword = CredentialsIT.random();
        agentPassword = CredentialsIT.random();
        int instancePort = Ports.free();
        int agentPort = Ports.free();
        instanceBase = "http://127.0.0.1:" + instancePort;
        agentBase = "http://127.0.0.1:" + agentPort;
        instance = MidwayProcess.start(dist, "instance", java.util.Map.of("MIDWAY_HTTP_PORT", Integer.toString(instancePort),
                "MIDWAY_DATA", work.resolve("instance").toString(), "MIDWAY_ADMIN_PASSWORD", adminPassword,
                "MIDWAY_AGENT_PASSWORD", agentPassword), work.resolve("instance.log"), false);
        admin = new Http(instanceBase, "admin", adminPassword);
        Wait.until(AgentAndInstance.STARTUP, "instance_info", () -> admin.get("/api/mid/instance_info").statusCode() == 200,
                instance);
        // Non-default values for what etc/io.midway.agent.cfg also sets (instance.url) or leaves to the host name.
        agent = MidwayProcess.start(dist, "agent", java.util.Map.of("MIDWAY_HTTP_PORT", Integer.toString(agentPort),
                "MIDWAY_DATA", work.resolve("agent").toString(), "MIDWAY_ADMIN_PASSWORD", adminPassword,
                "MIDWAY_AGENT_PASSWORD", agentPassword, "MIDWAY_INSTANCE_URL", instanceBase, "MIDWAY_AGENT_NAME", NAME),
                work.resolve("agent.log"), true);
        agentAdmin = new Http(agentBase, "admin", adminPassword);
        Wait.until(AgentAndInstance.STARTUP, "agent " + NAME + " Up", () -> {
            JsonNode a = agentRecord();
            return a != null && "Up".equals(a.path("status").asText());
        }, instance, agent);
        Wait.until(Duration.ofSeconds(60), "the agent's Midway page",
                () -> agentAdmin.get("/system/console/midway.json").statusCode() == 200, agent);
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (instance != null) {
                instance.close();
            }
        }
    }

    private static JsonNode agentRecord() throws Exception {
        JsonNode result = admin.json("/api/now/table/ecc_agent?sysparm_query=name=" + NAME).path("result");
        return result.size() == 1 ? result.get(0) : null;
    }

    private static String midwayPage() throws Exception {
        HttpResponse<String> page = agentAdmin.get("/system/console/midway");
        assertEquals(page.body(), 200, page.statusCode());
        return page.body();
    }

    /** @return the row of the configuration table for the key */
    private static String configRow(String html, String key) {
        int at = html.indexOf("<tr data-key=\"" + key + "\"");
        assertTrue("row " + key + " in " + html, at >= 0);
        return html.substring(at, html.indexOf("</tr>", at));
    }

    @Test
    public void theMidwayPageShowsTheConfigurationInEffectAndWhereItCameFrom() throws Exception {
        String html = midwayPage();
        String instanceUrl = instanceBase;
        assertFalse("the test runs against a non-default URL", instanceUrl.equals("https://localhost:8443"));

        String url = configRow(html, "instance.url");
        assertTrue(url, url.contains("<td>" + instanceUrl + "</td><td>environment (MIDWAY_INSTANCE_URL)</td>"));
        assertTrue("the file's value is named as overridden: " + url,
                url.contains("the configuration&#39;s value https://localhost:8443 has no effect"));
        String name = configRow(html, "agent.name");
        assertTrue(name, name.contains("<td>" + NAME + "</td><td>environment (MIDWAY_AGENT_NAME)</td>"));
        String threads = configRow(html, "threads.standard");
        assertTrue(threads, threads.contains("<td>25</td><td>file (etc/io.midway.agent.cfg)</td>"));
        String password = configRow(html, "agent.password");
        assertTrue(password, password.contains("<td>set</td><td>environment (MIDWAY_AGENT_PASSWORD)</td>"));
        assertTrue(html, html.contains("has <strong>no effect</strong> until the variable is unset"));
        assertFalse("no secret on the page", html.contains(agentPassword) || html.contains(adminPassword));

        JsonNode json = agentAdmin.json("/system/console/midway.json");
        assertEquals(instanceUrl, json.path("status").path("instanceUrl").asText());
        JsonNode settings = json.path("configuration");
        boolean found = false;
        for (JsonNode s : settings) {
            if ("instance.url".equals(s.path("key").asText())) {
                found = true;
                assertEquals(instanceUrl, s.path("value").asText());
                assertEquals("environment", s.path("source").asText());
                assertEquals("MIDWAY_INSTANCE_URL", s.path("origin").asText());
            }
        }
        assertTrue(settings.toString(), found);
        assertFalse(json.toString().contains(agentPassword));
    }

    @Test
    public void theConfigurationPageMarksWhatTheEnvironmentOverrides() throws Exception {
        HttpResponse<String> config = agentAdmin.send("POST", "/system/console/configMgr/io.midway.agent", null);
        assertEquals(config.body(), 200, config.statusCode());
        JsonNode url = Http.parse(config).path("properties").path("instance.url");
        String environmentUrl = instanceBase;
        assertTrue(url.toString(), url.path("name").asText().contains("set by MIDWAY_INSTANCE_URL"));
        assertTrue(url.toString(), url.path("description").asText().contains("In effect: '" + environmentUrl + "' from MIDWAY_INSTANCE_URL"));
        assertTrue(url.toString(), url.path("description").asText().contains("editing this field has no effect"));
        JsonNode threads = Http.parse(config).path("properties").path("threads.standard");
        assertFalse(threads.toString(), threads.path("name").asText().contains("set by"));
        assertFalse(config.body().contains(agentPassword));
    }

    @Test
    public void midConfigPrintsValuesAndSourcesAndAWrongArgumentAnswersTheUsage() throws Exception {
        String config = String.join("\n", agent.shell("mid:config", out -> out.contains("spool.dir"),
                Duration.ofSeconds(20)));
        assertTrue(config, config.contains(instanceBase));
        assertTrue(config, config.contains("environment MIDWAY_INSTANCE_URL (overrides https://localhost:8443"));
        assertTrue(config, config.contains("file etc/io.midway.agent.cfg"));
        assertFalse(config, config.contains(agentPassword));

        String pause = String.join("\n", agent.shell("mid:pause foo", out -> out.contains("usage:"),
                Duration.ofSeconds(20)));
        assertTrue(pause, pause.contains("mid:pause: wrong arguments 'foo'"));
        assertFalse(pause, pause.contains("Cannot coerce") || pause.contains("IllegalArgumentException"));
        assertEquals("the wrong call paused nothing", "Up", agentRecord().path("status").asText());

        String upgrade = String.join("\n", agent.shell("mid:upgrade check now please", out -> out.contains("usage:"),
                Duration.ofSeconds(20)));
        assertTrue(upgrade, upgrade.contains("mid:upgrade <check>"));
    }

    @Test
    public void aFailedSyncNamesTheFileAndWhyOnThePage() throws Exception {
        String echo = System.getProperty("midway.echo.jar");
        assertTrue("midway.echo.jar names the echo fixture (set by failsafe): " + echo,
                echo != null && Files.isRegularFile(Path.of(echo)));
        Path broken = TestJars.unresolvable(Path.of(echo), work.resolve("echo-broken.jar"), "7.0.0");
        HttpResponse<String> upload = admin.sendBytes("POST", "/api/mid/admin/files?kind=probe",
                Files.readAllBytes(broken), "application/java-archive");
        assertEquals(upload.body(), 201, upload.statusCode());
        try {
            Wait.until(Duration.ofSeconds(60), "the agent's sync to fail",
                    () -> "failed".equals(agentAdmin.json("/system/console/midway.json").path("status").path("syncState").asText()),
                    agent);
            String html = midwayPage();
            Matcher state = Pattern.compile("<tr><th>Sync state</th><td>([^<]*)</td></tr>").matcher(html);
            assertTrue(html, state.find());
            assertTrue(state.group(1), state.group(1).startsWith("failed: io.midway.testing.echo 7.0.0 (install) "));
            assertTrue("the reason is on the page: " + state.group(1), state.group(1).contains("io.midway.testing.nowhere"));
            assertTrue(html, html.contains("<table class=\"nicetable\" id=\"midway-last-sync\">"));
        } finally {
            admin.send("DELETE", "/api/mid/admin/files/io.midway.testing.echo", null);
        }
    }

    @Test
    public void statusesUpgradeHistoryAndTheSelectionAlgorithmChoice() throws Exception {
        String agentPage = midwayPage();
        assertTrue(agentPage, agentPage.contains("<tr><th>Status</th><td><span class=\"midway-status midway-status-up\""));
        assertTrue(agentPage, agentPage.contains("<tr><td colspan=\"6\">No upgrades yet.</td></tr>"));

        Http instanceAdmin = admin;
        HttpResponse<String> agents = instanceAdmin.get("/system/console/agents");
        assertEquals(200, agents.statusCode());
        assertTrue(agents.body(), agents.body().contains("<td>" + NAME + "</td><td><span class=\"midway-status midway-status-up\""));

        HttpResponse<String> config = instanceAdmin.send("POST", "/system/console/configMgr/io.midway.instance", null);
        assertEquals(config.body(), 200, config.statusCode());
        JsonNode type = Http.parse(config).path("properties").path("mid.selection.algorithm").path("type");
        assertEquals("a choice, not free text: " + type, List.of("new", "legacy"),
                List.of(type.path("values").get(0).asText(), type.path("values").get(1).asText()));
        assertEquals(2, type.path("values").size());
    }

    @Test
    public void theRootOfBothProcessesLeadsToTheConsoleWithoutBypassingItsLogin() throws Exception {
        for (String[] process : new String[][] {{agentBase, "/system/console/midway"}, {instanceBase, "/system/console/agents"}}) {
            HttpResponse<String> root = NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create(process[0] + "/"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(process[0], 302, root.statusCode());
            assertEquals(process[1], root.headers().firstValue("Location").orElse(""));
            HttpResponse<String> anonymous = NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create(process[0] + process[1]))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("the console still asks for the login", 401, anonymous.statusCode());
        }
        assertEquals("the instance's API answers as before", 200, admin.get("/api/mid/instance_info").statusCode());
        assertEquals("an unknown API path is still a JSON 404", 404, admin.get("/api/nothing/here").statusCode());
        assertEquals("the agent's other paths are not redirected", 404,
                NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create(agentBase + "/nothing")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
