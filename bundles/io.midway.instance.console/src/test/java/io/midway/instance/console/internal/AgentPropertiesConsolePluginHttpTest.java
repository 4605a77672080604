package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.ConfigError;
import io.midway.instance.api.ResolvedSetting;
import io.midway.instance.api.TableSchema;
import io.midway.wire.Json;

/** The Agent properties page on a real Jetty over the real service on H2. */
public class AgentPropertiesConsolePluginHttpTest extends RepositoryPagesFixture {

    @Before
    public void start() throws Exception {
        startPage(AgentPropertiesConsolePlugin.LABEL, new AgentPropertiesConsolePlugin(service.agentSettings()));
    }

    @Test
    public void setChangeAndDeleteThroughThePage() throws Exception {
        register("dc-1");
        String token = token(page());
        String set = follow(post(browser, Map.of("token", token, "action", "set", "table", "property",
                "name", "threads.standard", "value", "8", "agent", "")));
        assertTrue(notice(set), notice(set).contains("Set threads.standard = 8 for every agent (ecc_agent_property); "
                + "configuration revision 1."));
        String parameter = follow(post(browser, Map.of("token", token, "action", "set", "table", "parameter",
                "name", "threads.standard", "value", "4", "agent", "dc-1")));
        assertTrue(notice(parameter), notice(parameter).contains("for agent dc-1 (ecc_agent_config)"));
        assertTrue(parameter, parameter.contains("<code id=\"midway-config-revision\">2</code>"));
        AgentSetting stored = service.agentSettings().settings(io.midway.instance.api.TableQuery.all(
                TableSchema.ECC_AGENT_CONFIG)).get(0);
        assertEquals("4", stored.value());

        String changed = follow(post(browser, Map.of("token", token, "action", "set", "table", "parameter",
                "name", "threads.standard", "value", "6", "agent", "dc-1")));
        assertTrue(notice(changed), notice(changed).contains("Set threads.standard = 6 for agent dc-1"));
        String deleted = follow(post(browser, Map.of("token", token, "action", "delete", "table", "parameter",
                "sys_id", stored.sysId())));
        assertTrue(notice(deleted), notice(deleted).contains("Deleted threads.standard for agent dc-1 (ecc_agent_config)"));
        JsonNode json = Json.mapper().readTree(json());
        assertEquals("4", json.path("revision").asText());
        assertEquals(1, json.path("properties").size());
        assertEquals("8", json.path("properties").path(0).path("value").asText());
        assertEquals(0, json.path("parameters").size());
    }

    @Test
    public void aBadValueShowsTheRuleAndChangesNothing() throws Exception {
        String token = token(page());
        String bad = follow(post(browser, Map.of("token", token, "action", "set", "table", "property",
                "name", "threads.standard", "value", "<b>abc</b>", "agent", "")));
        assertTrue(notice(bad), notice(bad).contains("ui-state-error"));
        assertTrue(notice(bad), notice(bad).contains(
                "Nothing was changed: threads.standard must be a whole number from 1 to 1000, not &#39;&lt;b&gt;abc&lt;/b&gt;&#39;"));
        assertFalse(bad, bad.contains("<b>abc"));
        String local = follow(post(browser, Map.of("token", token, "action", "set", "table", "property",
                "name", "instance.url", "value", "http://x", "agent", "")));
        assertTrue(notice(local), notice(local).contains("instance.url cannot be set from the instance"));
        String noAgent = follow(post(browser, Map.of("token", token, "action", "set", "table", "parameter",
                "name", "threads.standard", "value", "4", "agent", "")));
        assertTrue(notice(noAgent), notice(noAgent).contains("field &#39;agent&#39; is required"));
        assertEquals("0", service.agentSettings().revision());
    }

    @Test
    public void withoutTheSessionTokenNothingChanges() throws Exception {
        String token = token(page());
        assertEquals(403, post(browser, Map.of("action", "set", "table", "property", "name", "threads.standard",
                "value", "8", "agent", "")).statusCode());
        assertEquals(403, post(newBrowser(), Map.of("token", token, "action", "set", "table", "property",
                "name", "threads.standard", "value", "8", "agent", "")).statusCode());
        assertEquals("0", service.agentSettings().revision());
    }

    @Test
    public void theAgentsPageShowsEachAgentsReportEscaped() throws Exception {
        register("dc-1");
        service.agentSettings().put(TableSchema.ECC_AGENT_PROPERTY, "threads.standard", "", "8");
        service.agentSettings().report("dc-1", "1", "failed",
                List.of(new ConfigError("threads.standard", "8", "<script>alert(1)</script>")),
                List.of(new ResolvedSetting("threads.standard", "25", "default")));
        java.io.StringWriter text = new java.io.StringWriter();
        ConfigSection.render(new java.io.PrintWriter(text), service.agentSettings().revision(),
                List.of(service.agentSettings().status("dc-1").orElseThrow()));
        String html = text.toString();
        assertFalse(html, html.contains("<script>"));
        assertTrue(html, html.contains("threads.standard=&#39;8&#39;: &lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(html, html.contains("<td class=\"ui-state-error midway-config-failed\">failed</td>"));
        assertTrue(html, html.contains("<tr><td>threads.standard</td><td>25</td><td>default</td></tr>"));
    }
}
