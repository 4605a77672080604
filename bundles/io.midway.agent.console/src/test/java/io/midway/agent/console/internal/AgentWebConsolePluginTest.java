package io.midway.agent.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.PoolDTO;

public class AgentWebConsolePluginTest {

    private FakeMidAgent agent;
    private AgentWebConsolePlugin plugin;

    @Before
    public void setUp() {
        agent = new FakeMidAgent();
        AgentStatusDTO status = agent.status;
        status.name = "lab-agent-7";
        status.version = "0.1.0";
        status.instanceUrl = "http://127.0.0.1:8080";
        status.connection = "connected";
        status.status = "Up";
        status.validated = true;
        status.lastContact = "2025-01-02T03:04:05Z";
        status.lastError = "connect timed out to instance";
        status.probes = new String[] {"HeartbeatProbe", "TCPScan"};
        status.spooled = 3;
        status.processed = 4711;
        status.failed = 42;
        status.pools = new PoolDTO[] {pool("interactive", 2, 1, 0, 15), pool("standard", 25, 7, 13, 9001)};
        status.syncRevision = "7";
        status.syncState = "applied";
        status.capabilities = new String[] {"echo", "snmp"};
        PluginBundleDTO echo = new PluginBundleDTO();
        echo.id = 42;
        echo.symbolicName = "io.midway.testing.echo";
        echo.version = "2.0.0";
        echo.origin = PluginBundleDTO.ORIGIN_SYNC;
        echo.kind = "probe";
        echo.state = "ACTIVE";
        echo.sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        echo.provides = new String[] {"Echo", "echo"};
        agent.bundles = new PluginBundleDTO[] {echo};
        agent.upgrade.currentVersion = "0.1.1";
        agent.upgrade.targetVersion = "0.1.2";
        agent.upgrade.state = "skipped";
        agent.upgrade.lastFailure = "0.1.2 did not resolve";
        io.midway.api.upgrade.UpgradeRecordDTO up = new io.midway.api.upgrade.UpgradeRecordDTO();
        up.fromVersion = "0.1.0";
        up.toVersion = "0.1.1";
        up.outcome = "upgraded";
        up.started = "2026-11-21T10:00:00Z";
        up.finished = "2026-11-21T10:00:04Z";
        io.midway.api.upgrade.UpgradeRecordDTO failed = new io.midway.api.upgrade.UpgradeRecordDTO();
        failed.fromVersion = "0.1.1";
        failed.toVersion = "0.1.2";
        failed.outcome = "rolled_back";
        failed.reason = "0.1.2 did not resolve: missing io.midway.testing.nowhere";
        failed.started = "2026-11-21T11:00:00Z";
        failed.finished = "2026-11-21T11:00:02Z";
        agent.upgrade.history = new io.midway.api.upgrade.UpgradeRecordDTO[] {up, failed};
        plugin = new AgentWebConsolePlugin(agent);
    }

    private static PoolDTO pool(String name, int threads, int active, int queued, long completed) {
        PoolDTO pool = new PoolDTO();
        pool.name = name;
        pool.threads = threads;
        pool.active = active;
        pool.queued = queued;
        pool.completed = completed;
        return pool;
    }

    private FakeHttp.Response get(FakeHttp.Request request) throws Exception {
        FakeHttp.Response response = new FakeHttp.Response();
        plugin.doGet(request.proxy(), response.proxy());
        return response;
    }

    private String page() throws Exception {
        FakeHttp.Response response = get(new FakeHttp.Request());
        assertEquals(200, response.status);
        return response.body();
    }

    private FakeHttp.Response post(String action, String token) throws Exception {
        FakeHttp.Request request = new FakeHttp.Request();
        request.method = "POST";
        if (action != null) {
            request.param("action", action);
        }
        if (token != null) {
            request.param(AgentWebConsolePlugin.TOKEN_PARAMETER, token);
        }
        FakeHttp.Response response = new FakeHttp.Response();
        plugin.doPost(request.proxy(), response.proxy());
        return response;
    }

    /** The form token, read from the page as a browser would. */
    private String formToken() throws Exception {
        Matcher m = Pattern.compile("name=\"token\" value=\"([0-9a-f]+)\"").matcher(page());
        assertTrue("the page carries a form token", m.find());
        return m.group(1);
    }

    /** Follows a redirect back to the page, as the browser does after a POST. */
    private String follow(FakeHttp.Response response) throws Exception {
        assertEquals(302, response.status);
        assertTrue(response.redirect, response.redirect.startsWith("/system/console/midway?outcome="));
        String outcome = response.redirect.substring(response.redirect.indexOf('=') + 1);
        return get(new FakeHttp.Request().param("outcome", outcome)).body();
    }

    private static String cell(String label, String value) {
        return "<tr><th>" + label + "</th><td>" + value + "</td></tr>";
    }

    // ---------------------------------------------------------------- GET page

    @Test
    public void pageShowsEveryStatusValue() throws Exception {
        String html = page();
        assertTrue(html, html.contains(cell("Name", "lab-agent-7")));
        assertTrue(html, html.contains(cell("Version", "0.1.0")));
        assertTrue(html, html.contains(cell("Instance URL", "http://127.0.0.1:8080")));
        assertTrue(html, html.contains(cell("Connection", "connected")));
        assertTrue(html, html.contains(cell("Status", io.midway.console.support.ConsoleHtml.statusBadge("Up", null))));
        assertTrue(html, html.contains(cell("Validated", "yes")));
        assertTrue(html, html.contains(cell("Last contact", "2025-01-02T03:04:05Z")));
        assertTrue(html, html.contains(cell("Last error", "connect timed out to instance")));
        assertTrue(html, html.contains(cell("Spooled results", "3")));
        assertTrue(html, html.contains(cell("Processed", "4711")));
        assertTrue(html, html.contains(cell("Failed", "42")));
    }

    @Test
    public void pageListsProbesAndPools() throws Exception {
        String html = page();
        assertTrue(html, html.contains("<li>HeartbeatProbe</li>"));
        assertTrue(html, html.contains("<li>TCPScan</li>"));
        assertTrue(html, html.contains("<tr><td>interactive</td><td>2</td><td>1</td><td>0</td><td>15</td></tr>"));
        assertTrue(html, html.contains("<tr><td>standard</td><td>25</td><td>7</td><td>13</td><td>9001</td></tr>"));
    }

    @Test
    public void pageHasPauseAndResumeButtonsPostingToThePage() throws Exception {
        String html = page();
        assertTrue(html, html.contains("<form method=\"post\" action=\"/system/console/midway\""));
        assertTrue(html, html.contains("name=\"action\" value=\"pause\">Pause</button>"));
        assertTrue(html, html.contains("name=\"action\" value=\"resume\">Resume</button>"));
    }

    @Test
    public void pageIsAnHtmlFragment() throws Exception {
        String html = page();
        assertFalse("the console supplies <html>", html.contains("<html") || html.contains("<body"));
    }

    @Test
    public void emptyAndMissingValuesRender() throws Exception {
        AgentStatusDTO status = new AgentStatusDTO(); // every field null/zero
        agent.status = status;
        String html = page();
        assertTrue(html, html.contains(cell("Name", "unknown")));
        assertTrue(html, html.contains(cell("Validated", "no")));
        assertTrue(html, html.contains(cell("Last contact", "never")));
        assertTrue(html, html.contains(cell("Last error", "none")));
        assertTrue(html, html.contains("No probes installed."));
    }

    @Test
    public void everyValueIsEscaped() throws Exception {
        agent.status.name = "<script>alert('x')</script>";
        agent.status.lastError = "bad \"quote\" & <b>tag</b>";
        agent.status.probes = new String[] {"<img src=x onerror=alert(1)>"};
        agent.status.pools = new PoolDTO[] {pool("<script>pool</script>", 1, 0, 0, 0)};

        String html = page();

        assertFalse(html, html.contains("<script>"));
        assertFalse(html, html.contains("<img"));
        assertFalse(html, html.contains("<b>"));
        assertTrue(html, html.contains(cell("Name", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")));
        assertTrue(html, html.contains("bad &quot;quote&quot; &amp; &lt;b&gt;tag&lt;/b&gt;"));
        assertTrue(html, html.contains("<li>&lt;img src=x onerror=alert(1)&gt;</li>"));
        assertTrue(html, html.contains("<td>&lt;script&gt;pool&lt;/script&gt;</td>"));
    }

    @Test
    public void webConsoleTemplateSyntaxIsEscaped() throws Exception {
        // the console's output filter expands ${...} and unescapes \$ in HTML responses
        agent.status.lastError = "missing ${app_root} in C:\\$data";
        String html = page();
        assertFalse(html, html.contains("${"));
        assertFalse(html, html.contains("\\$"));
        assertTrue(html, html.contains("missing &#36;{app_root} in C:&#92;&#36;data"));
    }

    @Test
    public void pluginRootIsEscapedInTheForm() throws Exception {
        FakeHttp.Request request = new FakeHttp.Request();
        request.attributes.put(AgentWebConsolePlugin.PLUGIN_ROOT_ATTRIBUTE, "/console\"><script>x</script>/midway");
        String html = get(request).body();
        assertFalse(html, html.contains("<script>"));
        assertTrue(html, html.contains("action=\"/console&quot;&gt;&lt;script&gt;x&lt;/script&gt;/midway\""));
    }

    // ---------------------------------------------------------------- File Cleaner

    /** A File Cleaner whose runs remove one file, counting the runs. */
    static final class CountingCleaner implements io.midway.api.cleaner.FileCleaner {
        int runs;
        io.midway.api.cleaner.CleanerRunDTO last;

        @Override
        public io.midway.api.cleaner.CleanerStatusDTO status() {
            io.midway.api.cleaner.CleanerStatusDTO s = new io.midway.api.cleaner.CleanerStatusDTO();
            s.enabled = true;
            s.maxAgeDays = 7;
            s.intervalHours = 24;
            s.lastRun = last;
            s.nextRun = "2026-12-08T10:00:00Z";
            return s;
        }

        @Override
        public io.midway.api.cleaner.CleanerRunDTO runNow() {
            runs++;
            io.midway.api.cleaner.RemovedFileDTO r = new io.midway.api.cleaner.RemovedFileDTO();
            r.path = "agent.log.<9>";
            r.size = 1234;
            r.rule = "log";
            last = new io.midway.api.cleaner.CleanerRunDTO();
            last.started = "2026-12-07T10:00:00Z";
            last.trigger = "command";
            last.filesRemoved = 1;
            last.bytesFreed = 1234;
            last.removed = new io.midway.api.cleaner.RemovedFileDTO[] {r};
            last.skipped = new String[0];
            return last;
        }
    }

    @Test
    public void theFileCleanerSectionShowsItsRunsAndCleanNowRunsIt() throws Exception {
        assertFalse("no section without a cleaner", page().contains("midway-cleaner"));
        CountingCleaner cleaner = new CountingCleaner();
        plugin.cleaner = cleaner;

        String before = page();
        assertTrue(before, before.contains(cell("State", "on: files older than 7 days, every 24 h")));
        assertTrue(before, before.contains(cell("Last run", "none yet")));
        assertTrue(before, before.contains(cell("Next run", "2026-12-08T10:00:00Z")));
        assertTrue(before, before.contains("configMgr/io.midway.agent.cleaner"));

        String after = follow(post("clean", formToken()));
        assertEquals(1, cleaner.runs);
        assertTrue(after, after.contains("File Cleaner: removed 1 files, freed 1234 bytes"));
        assertTrue(after, after.contains(cell("Removed", "1 files, 1234 bytes freed")));
        assertTrue(after, after.contains("<td>agent.log.&lt;9&gt;</td><td>1234</td><td>log</td>"));

        assertEquals(403, post("clean", "wrong").status);
        assertEquals(1, cleaner.runs);

        FakeHttp.Request request = new FakeHttp.Request();
        request.pathInfo = "/midway.json";
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(get(request).body());
        assertEquals(1, json.get("cleaner").get("lastRun").get("filesRemoved").asInt());
        assertEquals(7, json.get("cleaner").get("maxAgeDays").asInt());
    }

    // ---------------------------------------------------------------- JSON

    @Test
    public void jsonAtDotJson() throws Exception {
        FakeHttp.Request request = new FakeHttp.Request();
        request.pathInfo = "/midway.json";
        FakeHttp.Response response = get(request);

        assertEquals("application/json", response.contentType);
        assertEquals("UTF-8", response.characterEncoding);
        JsonNode json = new ObjectMapper().readTree(response.body());
        assertEquals("io.midway.testing.echo", json.get("bundles").get(0).get("symbolicName").asText());
        assertEquals("lab-agent-7", json.get("status").get("name").asText());
        assertEquals("0.1.0", json.get("status").get("version").asText());
        assertEquals("http://127.0.0.1:8080", json.get("status").get("instanceUrl").asText());
        assertEquals("connected", json.get("status").get("connection").asText());
        assertEquals("Up", json.get("status").get("status").asText());
        assertTrue(json.get("status").get("validated").asBoolean());
        assertEquals("2025-01-02T03:04:05Z", json.get("status").get("lastContact").asText());
        assertEquals("connect timed out to instance", json.get("status").get("lastError").asText());
        assertEquals(3, json.get("status").get("spooled").asInt());
        assertEquals(4711, json.get("status").get("processed").asLong());
        assertEquals(42, json.get("status").get("failed").asLong());
        assertEquals("TCPScan", json.get("status").get("probes").get(1).asText());
        assertEquals("standard", json.get("status").get("pools").get(1).get("name").asText());
        assertEquals(13, json.get("status").get("pools").get(1).get("queued").asInt());
    }

    @Test
    public void formatJsonRedirectsToDotJson() throws Exception {
        FakeHttp.Response response = get(new FakeHttp.Request().param("format", "json"));
        assertEquals(302, response.status);
        assertEquals("/system/console/midway.json", response.redirect);
        assertEquals("", response.body());
    }

    // ---------------------------------------------------------------- POST actions

    @Test
    public void postPauseCallsPauseAndRedirectsBackWithANotice() throws Exception {
        FakeHttp.Response response = post("pause", formToken());

        assertEquals(1, agent.pauses.get());
        assertEquals(0, agent.resumes.get());
        String html = follow(response);
        assertTrue(html, html.contains("<p class=\"statline ui-state-highlight\">Paused:"));
    }

    @Test
    public void postResumeCallsResume() throws Exception {
        FakeHttp.Response response = post("resume", formToken());

        assertEquals(0, agent.pauses.get());
        assertEquals(1, agent.resumes.get());
        String html = follow(response);
        assertTrue(html, html.contains("<p class=\"statline ui-state-highlight\">Resumed:"));
    }

    @Test
    public void failedActionShowsTheErrorOnThePage() throws Exception {
        agent.failure = new IOException("instance answered 403 <Forbidden>");
        FakeHttp.Response response = post("pause", formToken());

        assertEquals(1, agent.pauses.get());
        String html = follow(response);
        assertTrue(html, html.contains("<p class=\"statline ui-state-error\">Pause failed: instance answered 403 &lt;Forbidden&gt;</p>"));
    }

    @Test
    public void unknownOutcomeShowsNoNotice() throws Exception {
        String html = get(new FakeHttp.Request().param("outcome", "<script>made-up</script>")).body();
        assertFalse(html, html.contains("statline"));
        assertFalse(html, html.contains("made-up"));
    }

    @Test
    public void postWithoutTheFormTokenIsRefused() throws Exception {
        FakeHttp.Response missing = post("pause", null);
        FakeHttp.Response wrong = post("pause", "0123456789abcdef0123456789abcdef");

        assertEquals(403, missing.status);
        assertEquals(403, wrong.status);
        assertNotNull(missing.body());
        assertEquals(0, agent.pauses.get());
    }

    @Test
    public void unknownActionIsABadRequest() throws Exception {
        FakeHttp.Response response = post("reboot", formToken());
        assertEquals(400, response.status);
        assertTrue(response.body(), response.body().contains("action=pause, resume, sync, upgrade or clean"));
        assertEquals(0, agent.pauses.get() + agent.resumes.get() + agent.syncs.get() + agent.upgradeChecks.get());
    }

    @Test
    public void eachActivationHasItsOwnToken() throws Exception {
        String first = formToken();
        plugin = new AgentWebConsolePlugin(agent);
        String second = formToken();
        assertFalse(first.equals(second));
        assertEquals(403, post("pause", first).status);
        assertEquals(0, agent.pauses.get());
    }

    // ---------------------------------------------------------------- file sync

    @Test
    public void pageShowsSyncStateCapabilitiesAndPluginBundles() throws Exception {
        String html = page();
        assertTrue(html, html.contains(cell("Sync revision", "7")));
        assertTrue(html, html.contains(cell("Sync state", "applied")));
        assertTrue(html, html.contains(cell("Capabilities", "echo, snmp")));
        assertTrue(html, html.contains("<tr><td>42</td><td>io.midway.testing.echo</td><td>2.0.0</td><td>sync</td><td>probe</td>"
                + "<td>ACTIVE</td><td>Echo, echo</td>"));
        assertTrue(html, html.contains("name=\"action\" value=\"sync\">Sync now</button>"));
    }

    @Test
    public void postSyncRunsASyncAndShowsThePerFileOutcome() throws Exception {
        agent.syncResult.revision = "8";
        agent.syncResult.state = "failed";
        io.midway.api.agent.SyncFileResultDTO f = new io.midway.api.agent.SyncFileResultDTO();
        f.symbolicName = "io.midway.testing.echo";
        f.version = "3.0.0";
        f.action = "update";
        f.outcome = "failed";
        f.message = "activation failed; 2.0.0 runs again";
        agent.syncResult.files = new io.midway.api.agent.SyncFileResultDTO[] {f};
        FakeHttp.Response response = post("sync", formToken());
        assertEquals(1, agent.syncs.get());
        assertEquals(302, response.status);
        String html = follow(response);
        assertTrue(html, html.contains("Sync of revision 8: failed; io.midway.testing.echo 3.0.0 update failed: "
                + "activation failed; 2.0.0 runs again"));
        assertTrue(html, html.contains("ui-state-error"));
    }

    // ---------------------------------------------------------------- core upgrade

    @Test
    public void pageShowsTheUpgradeStateAndHistoryNewestFirst() throws Exception {
        String html = page();
        assertTrue(html, html.contains(cell("Running version", "0.1.1")));
        assertTrue(html, html.contains(cell("Target version", "0.1.2")));
        assertTrue(html, html.contains(cell("Pinned version", "not pinned")));
        assertTrue(html, html.contains(cell("State", "skipped")));
        assertTrue(html, html.contains(cell("Last failure", "0.1.2 did not resolve")));
        int failed = html.indexOf("<td>0.1.1</td><td>0.1.2</td><td>rolled_back</td><td>0.1.2 did not resolve: missing io.midway.testing.nowhere</td>");
        int upgraded = html.indexOf("<td>0.1.0</td><td>0.1.1</td><td>upgraded</td>");
        assertTrue(html, failed > 0 && upgraded > failed);
        assertTrue(html, html.contains("name=\"action\" value=\"upgrade\">Check for upgrade</button>"));
    }

    @Test
    public void postUpgradeChecksNowAndSaysWhatHappens() throws Exception {
        agent.upgrade.state = "upgrading";
        FakeHttp.Response response = post("upgrade", formToken());
        assertEquals(1, agent.upgradeChecks.get());
        String html = follow(response);
        assertTrue(html, html.contains("Upgrade check: running 0.1.1, target 0.1.2, state upgrading"));
    }

    @Test
    public void anEmptyUpgradeHistorySaysSo() throws Exception {
        agent.upgrade.history = new io.midway.api.upgrade.UpgradeRecordDTO[0];
        String html = page();
        int table = html.indexOf("<table class=\"nicetable\" id=\"midway-upgrade-history\">");
        assertTrue(html, table > 0);
        String history = html.substring(table, html.indexOf("</table>", table));
        assertTrue(history, history.contains("<tr><td colspan=\"6\">No upgrades yet.</td></tr>"));
        agent.upgrade.history = null;
        assertTrue(page().contains("No upgrades yet."));
    }

    // ---------------------------------------------------------------- statuses

    @Test
    public void downStandsOutAndSaysSinceWhenAndUnreachableIsRed() throws Exception {
        agent.status.status = "Down";
        agent.status.connection = "unreachable";
        String html = page();
        assertTrue(html, html.contains("<tr><th>Status</th><td><span class=\"midway-status midway-status-down\""));
        assertTrue(html, html.contains(">Down</span> since the instance last heard from this agent (last contact "
                + "2025-01-02T03:04:05Z)</td></tr>"));
        assertTrue(html, html.contains("<span class=\"midway-connection-unreachable\" style=\"color:#c9302c;font-weight:bold\">"
                + "unreachable</span>"));
        agent.status.status = "Paused";
        String paused = page();
        assertTrue(paused, paused.contains("midway-status-paused"));
        assertFalse(paused, paused.contains("midway-status-down"));
    }

    // ---------------------------------------------------------------- a failed sync names the file

    @Test
    public void aFailedSyncNamesTheFileAndWhyOnThePage() throws Exception {
        agent.status.syncState = "failed";
        io.midway.api.agent.SyncResultDTO last = new io.midway.api.agent.SyncResultDTO();
        last.revision = "9";
        last.state = "failed";
        io.midway.api.agent.SyncFileResultDTO bad = new io.midway.api.agent.SyncFileResultDTO();
        bad.symbolicName = "com.acme.broken";
        bad.version = "1.0.0";
        bad.action = "install";
        bad.outcome = "failed";
        bad.message = "Unable to resolve com.acme.broken: missing requirement osgi.wiring.package=com.acme.nowhere";
        io.midway.api.agent.SyncFileResultDTO ok = new io.midway.api.agent.SyncFileResultDTO();
        ok.symbolicName = "io.midway.testing.echo";
        ok.version = "2.0.0";
        ok.action = "update";
        ok.outcome = "ok";
        last.files = new io.midway.api.agent.SyncFileResultDTO[] {ok, bad};
        agent.status.lastSync = last;
        String html = page();
        assertTrue(html, html.contains(cell("Sync state", "failed: com.acme.broken 1.0.0 (install) Unable to resolve "
                + "com.acme.broken: missing requirement osgi.wiring.package=com.acme.nowhere")));
        assertTrue(html, html.contains("<caption>Last sync: revision 9, failed</caption>"));
        assertTrue(html, html.contains("<tr class=\"ui-state-error\"><td>com.acme.broken</td><td>1.0.0</td><td>install</td>"
                + "<td>failed</td><td>Unable to resolve"));
        assertTrue(html, html.contains("<tr><td>io.midway.testing.echo</td><td>2.0.0</td><td>update</td><td>ok</td><td></td></tr>"));

        agent.status.lastSync = null;
        assertTrue(page().contains(cell("Sync state", "failed (before this start; Sync now tries again and shows each file)")));
    }

    // ---------------------------------------------------------------- configuration in effect

    @Test
    public void configurationInEffectShowsValuesSourcesAndWhatTheEnvironmentOverrides() throws Exception {
        io.midway.api.agent.SettingDTO url = new io.midway.api.agent.SettingDTO();
        url.key = "instance.url";
        url.label = "Instance URL";
        url.value = "http://10.1.2.3:9090";
        url.source = "environment";
        url.origin = "MIDWAY_INSTANCE_URL";
        url.overridden = "http://localhost:8080";
        io.midway.api.agent.SettingDTO pw = new io.midway.api.agent.SettingDTO();
        pw.key = "agent.password";
        pw.label = "Agent password";
        pw.value = "set";
        pw.source = "environment";
        pw.origin = "MIDWAY_AGENT_PASSWORD";
        pw.secret = true;
        io.midway.api.agent.SettingDTO threads = new io.midway.api.agent.SettingDTO();
        threads.key = "threads.standard";
        threads.label = "Standard threads";
        threads.value = "25";
        threads.source = "file";
        threads.origin = "etc/io.midway.agent.cfg";
        agent.configuration = new io.midway.api.agent.SettingDTO[] {url, pw, threads};
        String html = page();
        assertTrue(html, html.contains("Configuration in effect"));
        assertTrue(html, html.contains("<a href=\"/system/console/configMgr/io.midway.agent\">Configuration page</a>"));
        assertTrue(html, html.contains("<tr data-key=\"instance.url\" data-source=\"environment\"><td>Instance URL</td>"
                + "<td><code>instance.url</code></td><td>http://10.1.2.3:9090</td><td>environment (MIDWAY_INSTANCE_URL)</td>"
                + "<td>Set by the environment: the configuration&#39;s value http://localhost:8080 has no effect; editing it on "
                + "the Configuration page changes nothing.</td></tr>"));
        assertTrue(html, html.contains("<td>Agent password</td><td><code>agent.password</code></td><td>set</td>"));
        assertTrue(html, html.contains("<td>25</td><td>file (etc/io.midway.agent.cfg)</td><td></td>"));
        FakeHttp.Request jsonRequest = new FakeHttp.Request();
        jsonRequest.pathInfo = "/midway.json";
        String json = get(jsonRequest).body();
        assertTrue(json, json.contains("\"configuration\""));
        assertTrue(json, json.contains("\"overridden\" : \"http://localhost:8080\""));
    }
}
