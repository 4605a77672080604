package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.api.AgentChange;
import io.midway.instance.internal.AgentIdentities;
import io.midway.instance.api.ClusterChange;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.api.ClusterType;
import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Selection;
import io.midway.instance.api.UserRow;
import io.midway.instance.api.Agent;
import io.midway.wire.AgentRecord;
import io.midway.wire.Json;
import jakarta.servlet.Filter;

/**
 * The Agents console page over a real Jetty 12 on 127.0.0.1, with HTTP sessions (as the Felix HTTP
 * service has them), a real {@link io.midway.instance.internal.InstanceServices} on H2, and a filter that
 * sets the plugin root as the Web Console does. The client keeps cookies like a browser.
 */
public class AgentConsolePluginHttpTest extends ServiceFixture {

    private static final String ROOT = "/system/console/agents";
    private static final Pattern TOKEN = Pattern.compile("name=\"token\" value=\"([0-9a-f]{32})\"");

    private Server server;
    private String base;
    private HttpClient browser;
    private AgentIdentities identities;
    private UserRealm realm;
    private io.midway.instance.internal.SingletonJobs jobs;

    @Before
    public void startServer() throws Exception {
        identities = new AgentIdentities(service.core());
        realm = new UserRealm(Map.of("midway.admin.password", "admin-pw", "midway.agent.password", "agent-pw")::get,
                identities);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        Filter pluginRoot = (request, response, chain) -> {
            request.setAttribute(AgentConsolePlugin.PLUGIN_ROOT_ATTRIBUTE, ROOT);
            chain.doFilter(request, response);
        };
        context.addFilter(pluginRoot, "/*", null);
        jobs = new io.midway.instance.internal.SingletonJobs(service.core());
        ServletHolder plugin = new ServletHolder(new AgentConsolePlugin(service.agents(), service.clusters(),
                service.selection(), identities, realm, jobs, service.agentSettings()));
        context.addServlet(plugin, ROOT);
        context.addServlet(plugin, ROOT + ".json");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
        browser = newBrowser();
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
        jobs.stop();
    }

    private static HttpClient newBrowser() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).build();
    }

    // ---------------------------------------------------------------- HTTP helpers

    private HttpResponse<String> get(HttpClient client, String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private String page() throws Exception {
        HttpResponse<String> r = get(browser, ROOT);
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        return r.body();
    }

    private static String token(String html) {
        Matcher m = TOKEN.matcher(html);
        assertTrue("the page carries a form token: " + html, m.find());
        return m.group(1);
    }

    private HttpResponse<String> post(HttpClient client, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return client.send(HttpRequest.newBuilder(URI.create(base + ROOT)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The edit form of one agent as the browser submits it (unticked boxes are left out). */
    private static Map<String, String> editForm(String token, String sysId, String applications, String ipRanges,
            boolean isDefault, boolean validated, String status) {
        Map<String, String> form = new LinkedHashMap<>();
        if (token != null) {
            form.put("token", token);
        }
        form.put("action", "update");
        form.put("sys_id", sysId);
        form.put("applications", applications);
        form.put("ip_ranges", ipRanges);
        if (isDefault) {
            form.put("is_default", "true");
        }
        if (validated) {
            form.put("validated", "true");
        }
        form.put("status", status);
        return form;
    }

    /** Follows the POST's redirect as a browser does; returns the page it lands on. */
    private String follow(HttpResponse<String> response) throws Exception {
        assertEquals(response.body(), 303, response.statusCode());
        String location = response.headers().firstValue("Location").orElseThrow();
        String path = URI.create(location).getRawPath() + "?" + URI.create(location).getRawQuery();
        assertTrue(location, path.startsWith(ROOT + "?outcome="));
        HttpResponse<String> page = get(browser, path);
        assertEquals(200, page.statusCode());
        return page.body();
    }

    /** The table row of an agent, by sys_id. */
    private static String row(String html, String sysId) {
        int start = html.indexOf("<tr data-sys-id=\"" + sysId + "\">");
        assertTrue("row of " + sysId + " in " + html, start >= 0);
        return html.substring(start, html.indexOf("</tr>", start));
    }

    /** @return the cells; a status is shown as its badge */
    private static String cells(String... values) {
        return java.util.Arrays.stream(values)
                .map(v -> "<td>" + (STATUSES.contains(v) ? io.midway.console.support.ConsoleHtml.statusBadge(v, null) : v)
                        + "</td>")
                .collect(Collectors.joining());
    }

    private static final List<String> STATUSES = List.of("Up", "Paused", "Upgrading", "Upgrade Failed");

    private void change(String sysId, String json) throws Exception {
        service.agents().updateAgent(sysId, AgentChange.parse(Json.mapper().readTree(json)));
    }

    // ---------------------------------------------------------------- the page

    @Test
    public void pageListsEveryAgentWithItsCriteria() throws Exception {
        Agent one = register("dc-1");
        Agent two = register("dc-2");
        change(one.sysId(), "{\"applications\":[\"Discovery\",\"ServiceMapping\"],\"ip_ranges\":[\"10.1.0.0/16\"],"
                + "\"is_default\":true}");
        change(two.sysId(), "{\"status\":\"Paused\",\"validated\":false}");

        String html = page();

        assertTrue(html, html.contains("2 agents."));
        String first = row(html, one.sysId());
        assertTrue(first, first.startsWith("<tr data-sys-id=\"" + one.sysId() + "\">"
                + cells("dc-1", "Up", "yes", "1.0.0", "tcp", "Discovery, ServiceMapping", "10.1.0.0/16", "—", "yes",
                        agentNamed("dc-1").lastRefreshed())));
        String second = row(html, two.sysId());
        assertTrue(second, second.startsWith("<tr data-sys-id=\"" + two.sysId() + "\">"
                + cells("dc-2", "Paused", "no", "1.0.0", "tcp", "—", "—", "—", "no")));
        // the edit form of dc-1 holds its values
        assertTrue(first, first.contains("name=\"applications\" value=\"Discovery, ServiceMapping\""));
        assertTrue(first, first.contains("name=\"ip_ranges\" value=\"10.1.0.0/16\""));
        assertTrue(first, first.contains("name=\"is_default\" value=\"true\" checked>"));
        assertTrue(first, first.contains("name=\"sys_id\" value=\"" + one.sysId() + "\""));
        assertTrue(first, first.contains("<form method=\"post\" action=\"" + ROOT + "\""));
        assertTrue(first, first.contains("<option value=\"Up\" selected>Up</option>"));
        assertTrue(second, second.contains("<option value=\"Paused\" selected>Paused</option>"));
        assertFalse("the console supplies <html>", html.contains("<html") || html.contains("<body"));
    }

    @Test
    public void downStandsOutAndSaysSinceWhen() throws Exception {
        Agent down = register("dc-1");
        clock.advance(Duration.ofMinutes(10));
        service.heartbeats().sendDueHeartbeats();
        clock.advance(Duration.ofMinutes(10));
        service.heartbeats().markSilentAgentsDown();
        String lastHeard = agentNamed("dc-1").lastRefreshed();
        Agent up = register("dc-2");
        change(up.sysId(), "{\"status\":\"Paused\"}");
        assertEquals("Down", agentNamed("dc-1").status());

        String html = page();
        String downRow = row(html, down.sysId());
        assertTrue(downRow, downRow.contains("<td><span class=\"midway-status midway-status-down\""));
        assertTrue(downRow, downRow.contains("font-weight:bold"));
        assertTrue(downRow, downRow.contains(">Down</span> since " + lastHeard + " (silent for "));
        String pausedRow = row(html, up.sysId());
        assertTrue(pausedRow, pausedRow.contains("<span class=\"midway-status midway-status-paused\""));
        assertFalse(pausedRow, pausedRow.contains("font-weight:bold"));
    }

    @Test
    public void anAgentThatIsDownKeepsItsStatusUnlessAnAdminStatusIsChosen() throws Exception {
        Agent agent = register("dc-1");
        clock.advance(Duration.ofMinutes(10));
        service.heartbeats().sendDueHeartbeats();
        clock.advance(Duration.ofMinutes(10));
        service.heartbeats().markSilentAgentsDown();
        assertEquals("Down", agentNamed("dc-1").status());

        String html = page();
        String row = row(html, agent.sysId());
        assertTrue(row, row.contains("<option value=\"\" selected>keep Down</option>"));

        String notice = follow(post(browser, editForm(token(html), agent.sysId(), "Discovery", "", false, true, "")));
        assertTrue(notice, notice.contains("ui-state-highlight"));
        Agent after = agentNamed("dc-1");
        assertEquals("Down", after.status());
        assertEquals(List.of("Discovery"), after.applications());
    }

    @Test
    public void emptyInstanceSaysSo() throws Exception {
        String html = page();
        assertTrue(html, html.contains("No agent has registered yet."));
        assertTrue(html, html.contains("No clusters."));
    }

    // ---------------------------------------------------------------- editing

    @Test
    public void aValidFormChangesTheAgentAndRedirectsBackWithANotice() throws Exception {
        Agent agent = register("dc-1");
        String html = page();

        HttpResponse<String> response = post(browser, editForm(token(html), agent.sysId(),
                "Discovery, ServiceMapping", "10.0.0.0/8, 192.168.1.10-192.168.1.50, 172.16.5.5", true, false,
                "Paused"));
        String after = follow(response);

        Agent changed = agentNamed("dc-1");
        assertEquals(List.of("Discovery", "ServiceMapping"), changed.applications());
        assertEquals(List.of("10.0.0.0/8", "192.168.1.10-192.168.1.50", "172.16.5.5"), changed.ipRanges());
        assertTrue(changed.isDefault());
        assertFalse(changed.validated());
        assertEquals("Paused", changed.status());
        assertTrue(after, after.contains("<p id=\"midway-notice\" class=\"statline ui-state-highlight\">Agent dc-1 saved: "
                + "applications Discovery, ServiceMapping; IP ranges 10.0.0.0/8, 192.168.1.10-192.168.1.50, 172.16.5.5; "
                + "default yes; validated no; status Paused.</p>"));
        assertTrue(after, row(after, agent.sysId()).contains(cells("dc-1", "Paused", "no")));
        // an admin event, as with PATCH
        assertTrue(service.events().events(0, 100).stream().anyMatch(e -> "mid_server.paused".equals(e.name())
                && "dc-1".equals(e.agent())));

        // emptying the lists and unticking the boxes clears them
        follow(post(browser, editForm(token(after), agent.sysId(), " ", "", false, true, "Up")));
        changed = agentNamed("dc-1");
        assertEquals(List.of(), changed.applications());
        assertEquals(List.of(), changed.ipRanges());
        assertFalse(changed.isDefault());
        assertTrue(changed.validated());
        assertEquals("Up", changed.status());
    }

    @Test
    public void aBadIpRangeIsShownAndChangesNothing() throws Exception {
        Agent agent = register("dc-1");
        change(agent.sysId(), "{\"applications\":[\"Discovery\"],\"ip_ranges\":[\"10.0.0.0/8\"]}");
        Agent before = agentNamed("dc-1");
        String html = page();

        String after = follow(post(browser, editForm(token(html), agent.sysId(), "ALL", "10.0.0.0/33, <b>x</b>", true,
                false, "Paused")));

        assertEquals(before, agentNamed("dc-1"));
        String expected = "Agent dc-1 was not changed: ip_ranges[0] &#39;10.0.0.0/33&#39; has prefix /33, over 32";
        assertTrue(after, after.contains("<p id=\"midway-notice\" class=\"statline ui-state-error\">" + expected));
        assertTrue(after, after.contains("nothing was changed"));
        // the form shows the rejected values again, open and escaped, for correction
        String row = row(after, agent.sysId());
        assertTrue(row, row.contains("<details open>"));
        assertTrue(row, row.contains("name=\"ip_ranges\" value=\"10.0.0.0/33, &lt;b&gt;x&lt;/b&gt;\""));
        assertTrue(row, row.contains("name=\"applications\" value=\"ALL\""));
        // while the table shows what is stored
        assertTrue(row, row.contains(cells("dc-1", "Up", "yes", "1.0.0", "tcp", "Discovery", "10.0.0.0/8")));
        assertFalse(after, after.contains("<b>x</b>"));

        // a malformed entry: also refused, also shown
        after = follow(post(browser, editForm(token(after), agent.sysId(), "ALL", "10.0.0.1-10.0.0.0", false, true,
                "Up")));
        assertEquals(before, agentNamed("dc-1"));
        assertTrue(after, after.contains("ip_ranges[0] &#39;10.0.0.1-10.0.0.0&#39; starts after it ends"));
    }

    @Test
    public void anUnknownAgentIsRefused() throws Exception {
        register("dc-1");
        String after = follow(post(browser, editForm(token(page()), "0123456789abcdef", "ALL", "", false, true, "Up")));
        assertTrue(after, after.contains("Agent with sys_id 0123456789abcdef was not changed: no agent with sys_id "
                + "0123456789abcdef"));
    }

    @Test
    public void valuesThatLookLikeMarkupAreEscaped() throws Exception {
        Agent agent = register("dc-1");
        String html = page();
        follow(post(browser, editForm(token(html), agent.sysId(), "<script>alert('x')</script>, ${app_root}\\$", "",
                false, true, "Up")));
        assertEquals(List.of("<script>alert('x')</script>", "${app_root}\\$"), agentNamed("dc-1").applications());

        html = page();
        assertFalse(html, html.contains("<script>"));
        assertFalse(html, html.contains("${"));
        assertTrue(html, html.contains("<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;, &#36;{app_root}&#92;&#36;</td>"));
    }

    // ---------------------------------------------------------------- CSRF

    @Test
    public void aPostWithoutTheSessionTokenIsRefusedAndChangesNothing() throws Exception {
        Agent agent = register("dc-1");
        Agent before = agentNamed("dc-1");
        String token = token(page());

        // no token at all
        HttpResponse<String> none = post(browser, editForm(null, agent.sysId(), "ALL", "", true, false, "Paused"));
        assertEquals(none.body(), 403, none.statusCode());
        assertTrue(none.body(), none.body().contains("reload the page"));
        // a wrong token in the right session
        HttpResponse<String> wrong = post(browser, editForm("0".repeat(32), agent.sysId(), "ALL", "", true, false,
                "Paused"));
        assertEquals(403, wrong.statusCode());
        // the right token from another browser (a forged cross-site post has the victim's cookie but no token;
        // this one has a token but not the session it belongs to)
        HttpClient other = newBrowser();
        assertEquals(403, post(other, editForm(token, agent.sysId(), "ALL", "", true, false, "Paused")).statusCode());
        // another session gets another token
        HttpResponse<String> otherPage = get(other, ROOT);
        assertNotEquals(token, token(otherPage.body()));

        assertEquals(before, agentNamed("dc-1"));
        // the real form still works
        follow(post(browser, editForm(token, agent.sysId(), "ALL", "", true, true, "Up")));
        assertEquals(List.of("ALL"), agentNamed("dc-1").applications());
    }

    @Test
    public void anUnknownActionIsABadRequest() throws Exception {
        register("dc-1");
        String token = token(page());
        HttpResponse<String> r = post(browser, Map.of("token", token, "action", "delete"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().contains("Unknown action 'delete'"));
    }

    // ---------------------------------------------------------------- identities

    /** The row of an identity in the Identities table, by sys_id. */
    private static String identityRow(String html, String sysId) {
        int start = html.indexOf("<tr data-user-sys-id=\"" + sysId + "\">");
        assertTrue("identity row of " + sysId + " in " + html, start >= 0);
        return html.substring(start, html.indexOf("</tr>", start));
    }

    @Test
    public void clustersAreCreatedChangedAndDeletedOnThePage() throws Exception {
        register("dc-1");
        register("dc-2");
        register("dc-3");
        String html = page();
        String created = follow(post(browser, identityForm(token(html), "cluster-create", "cluster_name", "dc",
                "cluster_type", "failover", "cluster_members", "dc-1, dc-2")));
        assertTrue(created, created.contains("Cluster dc created (failover: dc-1, dc-2)."));
        io.midway.instance.api.AgentCluster dc = service.clusters().clusters(
                io.midway.instance.api.TableQuery.all(io.midway.instance.api.TableSchema.ECC_AGENT_CLUSTER)).get(0);
        assertEquals(List.of("dc-1", "dc-2"), dc.members());
        assertEquals("dc", agentNamed("dc-1").cluster());

        String changed = follow(post(browser, identityForm(token(created), "cluster-update", "cluster_sys_id", dc.sysId(),
                "cluster_type", "load_balance", "cluster_members", "dc-3\ndc-1")));
        assertTrue(changed, changed.contains("Cluster dc saved (load_balance: dc-3, dc-1)."));
        assertEquals(List.of("dc-3", "dc-1"), service.clusters().cluster(dc.sysId()).orElseThrow().members());
        assertEquals("", agentNamed("dc-2").cluster() == null ? "" : agentNamed("dc-2").cluster());

        // a refused change (an unknown type) changes nothing and says why
        String refused = follow(post(browser, identityForm(token(changed), "cluster-update", "cluster_sys_id", dc.sysId(),
                "cluster_type", "round_robin", "cluster_members", "dc-1")));
        assertTrue(refused, refused.contains("The cluster was not changed:"));
        assertEquals(List.of("dc-3", "dc-1"), service.clusters().cluster(dc.sysId()).orElseThrow().members());
        // without the session's token: 403, nothing deleted
        assertEquals(403, post(browser, identityForm(null, "cluster-delete", "cluster_sys_id", dc.sysId())).statusCode());
        assertTrue(service.clusters().cluster(dc.sysId()).isPresent());

        String deleted = follow(post(browser, identityForm(token(refused), "cluster-delete", "cluster_sys_id", dc.sysId())));
        assertTrue(deleted, deleted.contains("Cluster dc deleted"));
        assertTrue(service.clusters().cluster(dc.sysId()).isEmpty());
        assertTrue(deleted, deleted.contains("No clusters."));
    }

    private static Map<String, String> identityForm(String token, String action, String... fields) {
        Map<String, String> form = new LinkedHashMap<>();
        if (token != null) {
            form.put("token", token);
        }
        form.put("action", action);
        for (int i = 0; i < fields.length; i += 2) {
            form.put(fields[i], fields[i + 1]);
        }
        return form;
    }

    private boolean logsIn(String user, String password) {
        return realm.authenticate(user, password).isPresent();
    }

    @Test
    public void identitiesAreListedWithoutAPasswordAndEachAgentSaysWhetherItHasOne() throws Exception {
        register("dc-1");
        register("dc-2");
        String password = identities.enroll("dc-1");
        UserRow row = identities.find("mid.server.dc-1").orElseThrow();

        String html = page();

        assertTrue(html, html.contains("<table class=\"nicetable\" id=\"midway-identity-table\">"));
        assertTrue(html, identityRow(html, row.sysId()).startsWith("<tr data-user-sys-id=\"" + row.sysId() + "\">"
                + cells("mid.server.dc-1", "dc-1", "mid_server", "yes", "enrolled", row.createdOn())));
        assertFalse("never a password", html.contains(password) || html.contains(row.passwordHash())
                || html.contains("pbkdf2"));
        // the agents table: dc-1 enrolled, dc-2 not
        assertTrue(html, row(html, agentNamed("dc-1").sysId()).contains("<td>mid.server.dc-1</td>"));
        assertTrue(html, row(html, agentNamed("dc-2").sysId()).contains("<td>no identity</td>"));
        // one button to disable, one to delete that asks first
        String buttons = identityRow(html, row.sysId());
        assertTrue(buttons, buttons.contains("name=\"action\" value=\"user-disable\""));
        assertTrue(buttons, buttons.contains("data-confirm=\"Delete identity mid.server.dc-1? It can no longer log in; "
                + "agent dc-1 must enroll again.\" onsubmit=\"return confirm(this.dataset.confirm)\""));
        assertTrue(buttons, buttons.contains("name=\"action\" value=\"user-delete\""));
        // the create form: a password field that is type=password and empty
        assertTrue(html, html.contains("<input type=\"password\" size=\"30\" name=\"password\" autocomplete=\"new-password\">"));
    }

    @Test
    public void anIdentityMadeInTheConsoleLogsInAndActsForItsAgent() throws Exception {
        String html = page();
        String after = follow(post(browser, identityForm(token(html), "user-create", "user_name", "edge-7", "agent",
                "edge7", "roles", "mid_server", "password", "a-long-Pa55word")));

        assertTrue(after, after.contains("<p id=\"midway-notice\" class=\"statline ui-state-highlight\">Identity edge-7 "
                + "created (roles mid_server, agent edge7): it may log in now.</p>"));
        UserRow row = identities.find("edge-7").orElseThrow();
        assertEquals("edge7", row.agent());
        assertEquals("admin", row.source());
        assertTrue(row.active());
        assertTrue(logsIn("edge-7", "a-long-Pa55word"));
        assertTrue(after, identityRow(after, row.sysId()).contains(cells("edge-7", "edge7", "mid_server", "yes", "admin")));
        assertFalse("the password is never echoed", after.contains("a-long-Pa55word"));

        // an admin identity needs no agent
        follow(post(browser, identityForm(token(after), "user-create", "user_name", "ops", "agent", "", "roles", "admin",
                "password", "another-Pa55word")));
        assertEquals("admin", identities.find("ops").orElseThrow().roles());
        assertTrue(realm.authenticate("ops", "another-Pa55word")
                .orElseThrow().hasRole("admin"));
    }

    @Test
    public void aNewIdentityThatBreaksARuleIsRefusedNamingTheRule() throws Exception {
        identities.enroll("dc-1");
        String token = token(page());
        Map<String, String> rules = new LinkedHashMap<>();
        rules.put("short", "field &#39;password&#39; is required, at least 12 characters");
        rules.put("taken", "user &#39;mid.server.dc-1&#39; exists already (choose another user_name)");
        rules.put("shared", "user &#39;mid&#39; exists already");
        rules.put("no agent", "field &#39;agent&#39; is required for a mid_server user");
        rules.put("bad role", "field &#39;roles&#39;: unknown role in &#39;root&#39;");
        Map<String, Map<String, String>> forms = Map.of(
                "short", identityForm(token, "user-create", "user_name", "edge-7", "agent", "edge7", "roles",
                        "mid_server", "password", "short"),
                "taken", identityForm(token, "user-create", "user_name", "mid.server.dc-1", "agent", "dc-1", "roles",
                        "mid_server", "password", "a-long-Pa55word"),
                "shared", identityForm(token, "user-create", "user_name", "mid", "agent", "x", "roles", "mid_server",
                        "password", "a-long-Pa55word"),
                "no agent", identityForm(token, "user-create", "user_name", "edge-7", "agent", " ", "roles",
                        "mid_server", "password", "a-long-Pa55word"),
                "bad role", identityForm(token, "user-create", "user_name", "edge-7", "agent", "edge7", "roles", "root",
                        "password", "a-long-Pa55word"));
        for (Map.Entry<String, String> rule : rules.entrySet()) {
            String after = follow(post(browser, forms.get(rule.getKey())));
            assertTrue(rule.getKey() + ": " + after, after.contains("class=\"statline ui-state-error\">Identity "));
            assertTrue(rule.getKey() + ": " + after, after.contains("was not created: " + rule.getValue()));
            // the form opens again with the values typed, but never the password
            assertTrue(after, after.contains("<details open id=\"midway-identity-new\">"));
            assertFalse(after, after.contains("a-long-Pa55word"));
            assertTrue(after, after.contains("name=\"user_name\" value=\"" + forms.get(rule.getKey()).get("user_name")
                    + "\""));
        }
        assertEquals(1, identities.all().size());
    }

    @Test
    public void disableStopsTheLoginEnableRestoresItDeleteLetsTheAgentEnrollAgain() throws Exception {
        register("dc-1");
        String password = identities.enroll("dc-1");
        UserRow row = identities.find("mid.server.dc-1").orElseThrow();
        assertTrue(logsIn("mid.server.dc-1", password));

        String after = follow(post(browser, identityForm(token(page()), "user-disable", "sys_id", row.sysId())));
        assertTrue(after, after.contains("ui-state-highlight\">Identity mid.server.dc-1 disabled: it can no longer log in."));
        assertFalse("a disabled identity cannot log in", logsIn("mid.server.dc-1", password));
        assertTrue(after, identityRow(after, row.sysId()).contains(cells("mid.server.dc-1", "dc-1", "mid_server", "no")));
        assertTrue(after, identityRow(after, row.sysId()).contains("value=\"user-enable\""));
        assertTrue(after, row(after, agentNamed("dc-1").sysId()).contains("<td>mid.server.dc-1 (disabled)</td>"));

        follow(post(browser, identityForm(token(after), "user-enable", "sys_id", row.sysId())));
        assertTrue("enabled again", logsIn("mid.server.dc-1", password));

        after = follow(post(browser, identityForm(token(after), "user-delete", "sys_id", row.sysId())));
        assertTrue(after, after.contains("Identity mid.server.dc-1 deleted: agent dc-1 may enroll again."));
        assertTrue(identities.find("mid.server.dc-1").isEmpty());
        assertFalse(logsIn("mid.server.dc-1", password));
        assertTrue(after, row(after, agentNamed("dc-1").sysId()).contains("<td>no identity</td>"));

        after = follow(post(browser, identityForm(token(after), "user-delete", "sys_id", row.sysId())));
        assertTrue(after, after.contains("ui-state-error\">The identity was not changed: no sys_user record with sys_id "
                + row.sysId()));
    }

    @Test
    public void identityChangesWithoutTheSessionTokenAreRefused() throws Exception {
        register("dc-1");
        String password = identities.enroll("dc-1");
        UserRow row = identities.find("mid.server.dc-1").orElseThrow();
        String token = token(page());

        for (Map<String, String> form : List.of(identityForm(null, "user-disable", "sys_id", row.sysId()),
                identityForm("0".repeat(32), "user-delete", "sys_id", row.sysId()),
                identityForm(null, "user-create", "user_name", "evil", "agent", "dc-1", "roles", "admin", "password",
                        "a-long-Pa55word"))) {
            HttpResponse<String> r = post(browser, form);
            assertEquals(r.body(), 403, r.statusCode());
        }
        // the right token from another browser
        assertEquals(403, post(newBrowser(), identityForm(token, "user-disable", "sys_id", row.sysId())).statusCode());

        assertEquals(List.of(row), identities.all());
        assertTrue(logsIn("mid.server.dc-1", password));
    }

    // ---------------------------------------------------------------- clusters

    @Test
    public void clustersAreListedWithTheirOrderedMembers() throws Exception {
        register("dc-1");
        register("dc-2");
        service.clusters().createCluster(new ClusterChange("dc", ClusterType.FAILOVER, List.of("dc-2", "dc-1", "dc-3")));
        service.clusters().createCluster(new ClusterChange("lb", ClusterType.LOAD_BALANCE, List.of()));

        String html = page();

        assertTrue(html, html.contains("<td>dc</td><td>failover</td><td><ol><li>dc-2 (Up)</li><li>dc-1 (Up)</li>"
                + "<li>dc-3 (not registered)</li></ol></td><td>"));
        assertTrue(html, html.contains("<td>lb</td><td>load_balance</td><td><ol></ol></td><td>"));
        // each row has its form, with the members in order
        assertTrue(html, html.contains("name=\"cluster_members\" placeholder=\"agent names, comma-separated\" value=\"dc-2, dc-1, dc-3\""));
        assertTrue(html, html.contains("/api/now/table/ecc_agent_cluster"));
        // the members show their cluster
        assertTrue(html, row(html, agentNamed("dc-1").sysId()).contains(cells("dc-1", "Up", "yes", "1.0.0", "tcp",
                "—", "—", "dc")));
    }

    // ---------------------------------------------------------------- selection

    @Test
    public void trySelectionShowsTheChoiceAndWhy() throws Exception {
        Agent one = register("dc-1");
        Agent two = register("dc-2");
        change(one.sysId(), "{\"applications\":[\"Discovery\"],\"ip_ranges\":[\"10.1.0.0/16\"]}");
        change(two.sysId(), "{\"applications\":[\"Discovery\"],\"ip_ranges\":[\"10.2.0.0/16\"]}");
        Selection expected = service.selection().select("Discovery", "10.2.3.4", "", "legacy");
        assertEquals("dc-2", expected.agent());

        HttpResponse<String> r = get(browser, ROOT + "?action=select&application=Discovery&ip=10.2.3.4&capability="
                + "&algorithm=legacy");
        assertEquals(200, r.statusCode());
        String html = r.body();

        assertTrue(html, html.contains("<tr><th>Chosen agent</th><td>dc-2</td></tr>"));
        assertTrue(html, html.contains("<tr><th>Algorithm</th><td>legacy</td></tr>"));
        assertTrue(html, html.contains("<tr><th>Rule</th><td>"
                + expected.decidedBy().name().toLowerCase(java.util.Locale.ROOT) + "</td></tr>"));
        assertTrue(html, html.contains("<tr><th>Reason</th><td>" + AgentConsolePage.escape(expected.reason())
                + "</td></tr>"));
        assertFalse(expected.steps().isEmpty());
        for (String step : expected.steps()) {
            assertTrue(step, html.contains("<li>" + AgentConsolePage.escape(step) + "</li>"));
        }
        // the form keeps what was asked
        assertTrue(html, html.contains("name=\"ip\" value=\"10.2.3.4\""));
        assertTrue(html, html.contains("<option value=\"legacy\" selected>legacy</option>"));
        // nothing was enqueued
        assertEquals(0, service.outputs().count(io.midway.instance.api.TableQuery.all(
                io.midway.instance.api.TableSchema.ECC_QUEUE)));
    }

    @Test
    public void trySelectionWithNoAgentSaysNone() throws Exception {
        register("dc-1");
        String html = get(browser, ROOT + "?action=select&application=Nothing&ip=&capability=&algorithm=").body();
        Selection expected = service.selection().select("Nothing", "", "", null);
        assertTrue(html, html.contains("<tr><th>Chosen agent</th><td>"
                + (expected.isChosen() ? expected.agent() : "none") + "</td></tr>"));
        assertTrue(html, html.contains("<tr><th>Algorithm</th><td>" + service.core().settings().selectionAlgorithm()
                + "</td></tr>"));
    }

    @Test
    public void aRefusedSelectionIsShownEscaped() throws Exception {
        String html = get(browser, ROOT + "?action=select&application=Discovery&ip="
                + URLEncoder.encode("<img src=x>", StandardCharsets.UTF_8) + "&algorithm=new").body();
        assertFalse(html, html.contains("<img"));
        assertTrue(html, html.contains("<p id=\"midway-selection-error\" class=\"statline ui-state-error\">ip "
                + "&#39;&lt;img src=x&gt;&#39; is not an IPv4 address"));
        assertTrue(html, html.contains("name=\"ip\" value=\"&lt;img src=x&gt;\""));

        html = get(browser, ROOT + "?action=select&application=&algorithm=").body();
        assertTrue(html, html.contains("application is required"));
        html = get(browser, ROOT + "?action=select&application=Discovery&algorithm=fastest").body();
        assertTrue(html, html.contains("algorithm &#39;fastest&#39; is not supported"));
    }

    // ---------------------------------------------------------------- JSON

    @Test
    public void jsonHoldsTheSameData() throws Exception {
        Agent one = register("dc-1");
        change(one.sysId(), "{\"applications\":[\"Discovery\"],\"ip_ranges\":[\"10.1.0.0/16\"],\"is_default\":true}");
        register("dc-2");
        service.clusters().createCluster(new ClusterChange("dc", ClusterType.FAILOVER, List.of("dc-2", "dc-1")));

        HttpResponse<String> r = get(browser, ROOT + ".json");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        JsonNode json = Json.mapper().readTree(r.body());

        assertEquals(service.core().settings().selectionAlgorithm(), json.path("selection_algorithm").asText());
        assertEquals(2, json.path("agents").size());
        JsonNode first = json.path("agents").get(0);
        assertEquals("dc-1", first.path("name").asText());
        assertEquals(one.sysId(), first.path("sys_id").asText());
        assertEquals("Up", first.path("status").asText());
        assertTrue(first.path("validated").asBoolean());
        assertEquals("Discovery", first.path("applications").get(0).asText());
        assertEquals("10.1.0.0/16", first.path("ip_ranges").get(0).asText());
        assertEquals("dc", first.path("cluster").asText());
        assertTrue(first.path("is_default").asBoolean());
        assertEquals("tcp", first.path("capabilities").get(0).asText());
        assertEquals(agentNamed("dc-1").lastRefreshed(), first.path("last_refreshed").asText());
        assertEquals("dc-2", json.path("agents").get(1).path("name").asText());
        // each agent is written as the HTTP API writes it: same fields, order and nulls
        for (JsonNode written : json.path("agents")) {
            Agent a = agentNamed(written.path("name").asText());
            AgentRecord wire = new AgentRecord(a.sysId(), a.name(), a.status(), a.validated(), a.version(),
                    a.hostName(), a.ipAddress(), a.lastRefreshed(), a.capabilities(), a.applications(), a.ipRanges(),
                    a.cluster(), a.isDefault(), a.syncRevision(), a.syncState(), a.pinnedVersion(),
                    a.publicKeyFingerprint(), a.manualCapabilities(), a.advertisedCapabilities());
            assertEquals(Json.mapper().writeValueAsString(wire), written.toString());
        }
        JsonNode cluster = json.path("clusters").get(0);
        assertEquals("dc", cluster.path("name").asText());
        assertEquals("failover", cluster.path("type").asText());
        assertEquals("[\"dc-2\",\"dc-1\"]", cluster.path("members").toString());
    }

    @Test
    public void capabilitiesSetByHandInTheFormJoinTheAdvertisedOnes() throws Exception {
        Agent agent = register("dc-1");
        Map<String, String> form = editForm(token(page()), agent.sysId(), "Discovery", "10.0.0.0/8", false, true, "");
        form.put("manual_capabilities", "ssh, PowerShell");
        follow(post(browser, form));
        Agent changed = agentNamed("dc-1");
        assertEquals(List.of("ssh", "PowerShell"), changed.manualCapabilities());
        assertTrue(changed.capabilities().toString(), changed.capabilities().containsAll(List.of("tcp", "ssh", "PowerShell")));
        String row = row(page(), agent.sysId());
        assertTrue(row, row.contains("name=\"manual_capabilities\" value=\"ssh, PowerShell\""));
    }

    @Test
    public void theInstanceNodesAndTheHolderOfTheSingletonJobsAreShown() throws Exception {
        String html = page();
        assertTrue(html, html.contains("Instance nodes"));
        assertTrue(html, html.contains("1 node alive; the singleton jobs (heartbeat monitor, lease reaper, failover) run on "
                + "node <code>" + jobs.nodeId() + "</code>"));
        assertTrue(html, html.contains("<tr data-node=\"" + jobs.nodeId() + "\"><td>" + jobs.nodeId() + " (this)</td>"));

        JsonNode nodes = Json.mapper().readTree(get(browser, ROOT + ".json").body()).path("nodes");
        assertEquals(nodes.toString(), 1, nodes.size());
        assertEquals(jobs.nodeId(), nodes.get(0).path("id").asText());
        assertTrue(nodes.get(0).path("self").asBoolean());
        assertTrue(nodes.get(0).path("alive").asBoolean());
        assertTrue("the one node of the embedded H2 runs the jobs", nodes.get(0).path("runs_singleton_jobs").asBoolean());
    }

    @Test
    public void theAgentDetailShowsItsConfigurationReportEscaped() throws Exception {
        service.agents().register(new io.midway.instance.api.AgentRegistration("cfg-1", "1.0.0", "h", "127.0.0.1",
                List.of("tcp")));
        service.agentSettings().put(io.midway.instance.api.TableSchema.ECC_AGENT_PROPERTY, "threads.standard", "", "8");
        service.agentSettings().report("cfg-1", "1", "failed",
                List.of(new io.midway.instance.api.ConfigError("threads.standard", "8", "<script>alert(1)</script>")),
                List.of(new io.midway.instance.api.ResolvedSetting("threads.standard", "25", "default")));
        String html = page();
        int start = html.indexOf("<table class=\"nicetable\" id=\"midway-agent-config\">");
        assertTrue(html, start >= 0);
        String section = html.substring(start, html.indexOf("</tbody></table>", start));
        assertFalse(section, section.contains("<script>"));
        assertTrue(section, section.contains("<tr data-agent=\"cfg-1\"><td>cfg-1</td><td>1</td>"
                + "<td class=\"ui-state-error midway-config-failed\">failed</td>"));
        assertTrue(section, section.contains("threads.standard=&#39;8&#39;: &lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(section, section.contains("<tr><td>threads.standard</td><td>25</td><td>default</td></tr>"));
        com.fasterxml.jackson.databind.JsonNode json = io.midway.wire.Json.mapper().readTree(
                get(browser, ROOT + ".json").body());
        assertEquals("1", json.path("config_revision").asText());
        com.fasterxml.jackson.databind.JsonNode agent = json.path("agent_config").path(0);
        assertEquals("cfg-1", agent.path("name").asText());
        assertEquals("failed", agent.path("config_state").asText());
        assertEquals("default", agent.path("effective").path(0).path("source").asText());
    }
}
