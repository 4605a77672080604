package io.midway.instance.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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

import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.internal.AgentIdentities;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.internal.UserRealm;
import io.midway.wire.Json;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The Restart, Restart process, Stop and Grab logs buttons of the Agents page, with the Agents and
 * ECC Queue pages over a real Jetty 12 on 127.0.0.1 sharing one HTTP session as in the Web Console,
 * and the real instance services on H2. The test submits the forms the Agents page renders, as a
 * browser would.
 */
public class AgentControlButtonsHttpTest extends ServiceFixture {

    private static final String AGENTS = "/system/console/agents";
    private static final String ECC = "/system/console/ecc-queue";
    private static final Pattern FORM = Pattern.compile(
            "<form method=\"post\" action=\"([^\"]+)\"[^>]*>((?:<input type=\"hidden\"[^>]*>)+)"
                    + "<button type=\"submit\" class=\"ui-button\">([^<]+)</button></form>");
    private static final Pattern HIDDEN = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    private Server server;
    private String base;
    private HttpClient browser;
    private io.midway.instance.internal.SingletonJobs jobs;

    /** A form of the page: where it posts, its fields, its button. */
    private record Form(String action, Map<String, String> fields, String button) {
    }

    @Before
    public void startServer() throws Exception {
        AgentIdentities identities = new AgentIdentities(service.core());
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "admin-pw", "midway.agent.password", "agent-pw")::get,
                identities);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        Filter pluginRoot = (request, response, chain) -> {
            String uri = ((HttpServletRequest) request).getRequestURI();
            request.setAttribute(AgentConsolePlugin.PLUGIN_ROOT_ATTRIBUTE, uri.startsWith(ECC) ? ECC : AGENTS);
            chain.doFilter(request, response);
        };
        context.addFilter(pluginRoot, "/*", null);
        jobs = new io.midway.instance.internal.SingletonJobs(service.core());
        context.addServlet(new ServletHolder(new AgentConsolePlugin(service.agents(), service.clusters(),
                service.selection(), identities, realm, jobs, service.agentSettings())), AGENTS);
        context.addServlet(new ServletHolder(new EccQueueConsolePlugin(service.outputs(), service.agents())), ECC);
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

    private String get(HttpClient client, String pathAndQuery) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(r.body(), 200, r.statusCode());
        return r.body();
    }

    private HttpResponse<String> post(HttpClient client, String path, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> q(e.getKey()) + "=" + q(e.getValue()))
                .collect(Collectors.joining("&"));
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String unescape(String html) {
        return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    /** @return the control buttons' forms on the Agents page */
    private static List<Form> controlForms(String html) {
        List<Form> forms = new ArrayList<>();
        Matcher m = FORM.matcher(html);
        while (m.find()) {
            Map<String, String> fields = new LinkedHashMap<>();
            Matcher h = HIDDEN.matcher(m.group(2));
            while (h.find()) {
                fields.put(unescape(h.group(1)), unescape(h.group(2)));
            }
            if (AgentControlButtons.TOPIC.equals(fields.get("topic"))) {
                forms.add(new Form(unescape(m.group(1)), fields, m.group(3)));
            }
        }
        return forms;
    }

    private List<QueueRecord> systemCommands() {
        return service.outputs().records(TableQuery.parse(TableSchema.ECC_QUEUE,
                "queue=output^topic=SystemCommand^ORDERBYsys_created_on", null, null, null));
    }

    @Test
    public void eachButtonEnqueuesItsSystemCommandAndShowsTheRecord() throws Exception {
        register("dc-1");
        List<Form> forms = controlForms(get(browser, AGENTS));
        assertEquals(forms.toString(), List.of("Restart", "Restart process", "Stop", "Grab logs"),
                forms.stream().map(Form::button).toList());
        List<String> payloads = new ArrayList<>();
        for (Form form : forms) {
            assertEquals(ECC, form.action());
            HttpResponse<String> r = post(browser, form.action(), form.fields());
            assertEquals(r.body(), 303, r.statusCode());
            QueueRecord record = systemCommands().get(systemCommands().size() - 1);
            assertEquals("mid.server.dc-1", record.agent());
            assertEquals(Integer.valueOf(0), record.priority());
            assertEquals(QueueRecord.STATE_READY, record.state());
            payloads.add(record.payload().toString());
            // the browser lands on the record's page, where the agent's answer appears
            String location = r.headers().firstValue("Location").orElse("");
            assertTrue(location, location.startsWith(ECC + "?sys_id=" + record.sysId() + "&"));
            String shown = get(browser, location);
            assertTrue(shown, shown.contains("<tr><th>sys_id</th><td>" + record.sysId() + "</td></tr>"));
            assertTrue(shown, shown.contains("No input answers this record yet."));
        }
        assertEquals(List.of(
                Json.mapper().readTree("{\"command\":\"restart\",\"mode\":\"in_place\"}").toString(),
                Json.mapper().readTree("{\"command\":\"restart\",\"mode\":\"process\"}").toString(),
                Json.mapper().readTree("{\"command\":\"stop\"}").toString(),
                Json.mapper().readTree("{\"command\":\"grab_logs\",\"lines\":500}").toString()), payloads);
    }

    @Test
    public void destructiveButtonsAskFirst() throws Exception {
        register("dc-1");
        String html = get(browser, AGENTS);
        assertTrue(html, html.contains("data-confirm=\"Stop agent dc-1? Nothing starts it again until someone does on its host.\""));
        assertTrue(html, html.contains("data-confirm=\"Restart the core and plug-ins of agent dc-1 (the JVM keeps running)?\""));
    }

    @Test
    public void withoutTheSessionTokenNothingIsQueued() throws Exception {
        register("dc-1");
        Form stop = controlForms(get(browser, AGENTS)).get(2);
        assertEquals("Stop", stop.button());
        Map<String, String> noToken = new LinkedHashMap<>(stop.fields());
        noToken.remove(AgentConsolePlugin.TOKEN_PARAMETER);
        assertEquals(403, post(browser, stop.action(), noToken).statusCode());
        Map<String, String> wrongToken = new LinkedHashMap<>(stop.fields());
        wrongToken.put(AgentConsolePlugin.TOKEN_PARAMETER, "0123456789abcdef0123456789abcdef");
        assertEquals(403, post(browser, stop.action(), wrongToken).statusCode());
        // a forged post from another browser: the right form, not its session
        assertEquals(403, post(newBrowser(), stop.action(), stop.fields()).statusCode());
        assertEquals("nothing queued", List.of(), systemCommands());
    }

    @Test
    public void theButtonsPostToTheEccQueuePageBesideTheAgentsPage() {
        assertEquals("/system/console/ecc-queue", AgentControlButtons.eccQueueRoot("/system/console/agents"));
        assertEquals("/ctx/system/console/ecc-queue", AgentControlButtons.eccQueueRoot("/ctx/system/console/agents"));
    }
}
