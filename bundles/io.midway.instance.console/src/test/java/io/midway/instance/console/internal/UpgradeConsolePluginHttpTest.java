package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.Agent;
import io.midway.instance.internal.AgentCoreRepository;
import io.midway.instance.internal.TestBundles;
import io.midway.testing.jars.TestJars;
import io.midway.wire.Json;

/** The Upgrades page on a real Jetty over the real core repository and agent registry on H2. */
public class UpgradeConsolePluginHttpTest extends RepositoryPagesFixture {

    private AgentCoreRepository cores;

    @Before
    public void start() throws Exception {
        cores = new AgentCoreRepository(service.core(), tmp.getRoot().toPath().resolve("cores"),
                AgentCoreRepository.MAX_CORE_BYTES);
        startPage(UpgradeConsolePlugin.LABEL, new UpgradeConsolePlugin(cores, service.agents(), service.events(),
                new io.midway.instance.internal.UploadSigning()));
    }

    private Path core(String version) throws Exception {
        return TestBundles.bundle(tmp.getRoot().toPath().resolve("core-" + version + ".jar"), "io.midway.agent", version);
    }

    @Test
    public void publishingACoreThroughThePageMakesItTheInstanceVersion() throws Exception {
        String before = cores.overview().version();
        String token = token(page());
        Path jar = core("2.0.0");

        String after = follow(postMultipart(browser, Map.of("token", token, "action", "publish"), "core", jar));

        assertTrue(notice(after), notice(after).contains("Published agent core 2.0.0; the instance version was "
                + before + " and is now 2.0.0."));
        assertEquals("2.0.0", cores.overview().version());
        assertTrue(after, after.contains("<strong id=\"midway-instance-version\">2.0.0</strong>"));
        assertTrue(after, after.contains("<tr data-version=\"2.0.0\"><td>2.0.0</td><td>io.midway.agent</td><td><code>"
                + TestJars.sha256(jar) + "</code>"));
        JsonNode json = Json.mapper().readTree(json());
        assertEquals("2.0.0", json.path("version").asText());
        assertEquals(TestJars.sha256(jar), json.path("core").path("sha256").asText());
        assertEquals(0, json.path("cores").path(0).path("downloads").asLong());
    }

    @Test
    public void aJarThatIsNotACoreIsRefusedWithItsReason() throws Exception {
        String before = cores.overview().version();
        String token = token(page());
        Path corrupt = TestJars.corrupt(tmp.getRoot().toPath().resolve("corrupt.jar"));
        String refused = follow(postMultipart(browser, Map.of("token", token, "action", "publish"), "core", corrupt));
        assertTrue(notice(refused), notice(refused).contains("ui-state-error"));
        assertTrue(notice(refused), notice(refused).contains("The core was refused: "));
        Path plugin = TestBundles.bundle(tmp.getRoot().toPath().resolve("p.jar"), "com.acme.probe", "1.0.0");
        String other = follow(postMultipart(browser, Map.of("token", token, "action", "publish"), "core", plugin));
        assertTrue(notice(other), notice(other).contains("The core was refused: "));
        assertEquals(before, cores.overview().version());
        assertTrue(cores.overview().cores().isEmpty());
    }

    @Test
    public void pinAndUnpinAnAgent() throws Exception {
        Agent agent = register("dc-1");
        String token = token(page());

        String pinned = follow(post(browser, Map.of("token", token, "action", "pin", "sys_id", agent.sysId(),
                "pinned_version", "1.4")));
        assertTrue(notice(pinned), notice(pinned).contains("Agent dc-1 is pinned to version 1.4.0."));
        assertEquals("1.4.0", agentNamed("dc-1").pinnedVersion());
        String row = row(pinned, agent.sysId());
        assertTrue(row, row.contains("<td>1.0.0</td><td>1.4.0</td><td>1.4.0</td>"));
        JsonNode json = Json.mapper().readTree(json()).path("agents").path(0);
        assertEquals("1.4.0", json.path("pinned_version").asText());
        assertEquals("1.4.0", json.path("target_version").asText());
        assertEquals("1.0.0", json.path("version").asText());

        String bad = follow(post(browser, Map.of("token", token, "action", "pin", "sys_id", agent.sysId(),
                "pinned_version", "<script>x")));
        assertTrue(notice(bad), notice(bad).contains("Agent dc-1 was not changed: invalid pinned_version &#39;&lt;script&gt;x"));
        assertFalse(bad, bad.contains("<script>"));
        assertEquals("1.4.0", agentNamed("dc-1").pinnedVersion());

        String unpinned = follow(post(browser, Map.of("token", token, "action", "pin", "sys_id", agent.sysId(),
                "pinned_version", "")));
        assertTrue(notice(unpinned), notice(unpinned).contains("no longer pinned"));
        assertTrue(agentNamed("dc-1").pinnedVersion() == null || agentNamed("dc-1").pinnedVersion().isEmpty());
        String instance = cores.overview().version();
        assertTrue(row(unpinned, agent.sysId()).contains("<td>1.0.0</td><td>" + instance + "</td><td>—</td>"));
    }

    @Test
    public void withoutTheSessionTokenNothingChanges() throws Exception {
        Agent agent = register("dc-1");
        String token = token(page());
        String before = cores.overview().version();
        assertEquals(403, post(browser, Map.of("action", "pin", "sys_id", agent.sysId(), "pinned_version", "3.0"))
                .statusCode());
        assertEquals(403, post(newBrowser(), Map.of("token", token, "action", "pin", "sys_id", agent.sysId(),
                "pinned_version", "3.0")).statusCode());
        assertEquals(403, postMultipart(browser, Map.of("token", "f".repeat(32), "action", "publish"),
                "core", core("5.0.0")).statusCode());
        assertNull(agentNamed("dc-1").pinnedVersion());
        assertEquals(before, cores.overview().version());
        assertTrue(cores.overview().cores().isEmpty());
    }

    @Test
    public void theHistoryShowsUpgradeEventsAsText() throws Exception {
        register("dc-1");
        service.agents().changeStatus("dc-1", Agent.STATUS_UPGRADING, "upgrading to 2.0.0 <script>alert(1)</script>");
        service.agents().changeStatus("dc-1", Agent.STATUS_UPGRADE_FAILED, "rolled back: health check failed");
        String html = page();
        assertFalse(html, html.contains("<script>"));
        assertTrue(html, html.contains("upgrading to 2.0.0 &lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html, html.contains("rolled back: health check failed"));
        JsonNode history = Json.mapper().readTree(json()).path("history");
        assertEquals("mid_server.upgrade_failed", history.path(0).path("event").asText());
        assertEquals("mid_server.upgrading", history.path(1).path("event").asText());
    }

    private static String row(String html, String sysId) {
        int start = html.indexOf("<tr data-sys-id=\"" + sysId + "\">");
        assertTrue("row of " + sysId + " in " + html, start >= 0);
        return html.substring(start, html.indexOf("</tr>", start));
    }
}
