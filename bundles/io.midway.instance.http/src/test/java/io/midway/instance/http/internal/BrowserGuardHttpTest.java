package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The instance's {@link BrowserGuardPreprocessor} in front of everything on a real Jetty 12 on
 * 127.0.0.1, as the whiteboard runs it, with the real {@link RequestLimitFilter} and Table API
 * behind it sharing one {@link ConfiguredLoginThrottle}, and a console page that checks its Basic
 * login as the Felix Web Console does (401 with a challenge) and stops "the framework" on
 * {@code POST vmstat shutdown_type=Stop}.
 */
public class BrowserGuardHttpTest extends ServiceFixture {

    private static final String CONSOLE_ADMIN = "admin:console-pw";
    private static final String API_ADMIN = "admin:admin-pw";

    private Server server;
    private int port;
    private String own;
    private final AtomicInteger stops = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Before
    public void startServer() throws Exception {
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "admin-pw", "midway.agent.password", "agent-pw",
                Users.SHARED_LEGACY_PROPERTY, "true")::get);
        LimitsConfiguration limits = RequestLimitsHttpTest.limits(50, 50, 3);
        ConfiguredLoginThrottle throttle = new ConfiguredLoginThrottle(limits);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addFilter(new FilterHolder(new BrowserGuardPreprocessor(throttle)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addFilter(new FilterHolder(new RequestLimitFilter(limits, throttle)), "/api/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm)), "/api/now/table/*");
        context.addServlet(new ServletHolder(new ConsolePage()), "/system/console/*");
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
        own = "http://127.0.0.1:" + port;
    }

    @After
    public void stopServer() throws Exception {
        server.stop();
    }

    @Test
    public void aCrossSitePostToTheConsoleIsRefusedAndChangesNothing() throws Exception {
        HttpResponse<String> byOrigin = send("POST", "/system/console/vmstat", CONSOLE_ADMIN, "shutdown_type=Stop",
                "Origin", "http://evil.example");
        assertEquals(byOrigin.body(), 403, byOrigin.statusCode());
        JsonNode error = Json.mapper().readTree(byOrigin.body());
        assertEquals("failure", error.path("status").asText());
        assertEquals("Cross-site request refused", error.path("error").path("message").asText());
        assertTrue(byOrigin.body(), error.path("error").path("detail").asText().contains("http://evil.example"));
        assertTrue(byOrigin.body(), error.path("error").path("detail").asText().contains(own));

        HttpResponse<String> byReferer = send("POST", "/system/console/vmstat", CONSOLE_ADMIN, "shutdown_type=Stop",
                "Referer", "http://evil.example/cats.html");
        assertEquals(byReferer.body(), 403, byReferer.statusCode());
        assertEquals("another port of the same host is another site", 403, send("POST", "/system/console/vmstat",
                CONSOLE_ADMIN, "shutdown_type=Stop", "Origin", "http://127.0.0.1:" + (port == 1 ? 2 : port - 1)).statusCode());
        assertEquals("nothing was stopped", 0, stops.get());

        HttpResponse<String> sameOrigin = send("POST", "/system/console/vmstat", CONSOLE_ADMIN, "shutdown_type=Stop",
                "Origin", own, "Referer", own + "/system/console/vmstat");
        assertEquals(sameOrigin.body(), 200, sameOrigin.statusCode());
        assertEquals(1, stops.get());
        HttpResponse<String> script = send("POST", "/system/console/vmstat", CONSOLE_ADMIN, "shutdown_type=Stop");
        assertEquals("no Origin, no Referer: a script", 200, script.statusCode());
        assertEquals(2, stops.get());
        assertEquals("reading from another site is not refused (the login still is)", 401,
                send("GET", "/system/console/vmstat", null, null, "Origin", "http://evil.example").statusCode());
    }

    @Test
    public void theHostHeaderNamesTheRequestsOwnOrigin() throws Exception {
        // Host: 127.0.0.1 (as behind a proxy on port 80): the server's own port is then another origin.
        RawHttp.Answer other = RawHttp.exchange(port, RawHttp.request("POST /system/console/vmstat HTTP/1.1",
                List.of("Authorization: " + RawHttp.basic(CONSOLE_ADMIN), "Origin: " + own,
                        "Content-Type: application/x-www-form-urlencoded", "Content-Length: 18"),
                "shutdown_type=Stop".getBytes(StandardCharsets.US_ASCII)), 5000);
        assertEquals(other.text(), 403, other.status());
        assertEquals(0, stops.get());
        RawHttp.Answer same = RawHttp.exchange(port, RawHttp.request("POST /system/console/vmstat HTTP/1.1",
                List.of("Authorization: " + RawHttp.basic(CONSOLE_ADMIN), "Origin: http://127.0.0.1",
                        "Content-Type: application/x-www-form-urlencoded", "Content-Length: 18"),
                "shutdown_type=Stop".getBytes(StandardCharsets.US_ASCII)), 5000);
        assertEquals(same.text(), 200, same.status());
        assertEquals(1, stops.get());
    }

    @Test
    public void aCrossSiteChangeThroughTheApiIsRefusedAndChangesNothing() throws Exception {
        String record = "{\"agent\":\"mid.server.a1\",\"topic\":\"Command\",\"name\":\"rm -rf /\",\"payload\":{}}";
        HttpResponse<String> refused = send("POST", "/api/now/table/ecc_queue", API_ADMIN, record,
                "Origin", "http://evil.example");
        assertEquals(refused.body(), 403, refused.statusCode());
        assertEquals("Cross-site request refused", Json.mapper().readTree(refused.body()).path("error").path("message").asText());
        assertEquals(403, send("DELETE", "/api/now/table/ecc_queue/x", API_ADMIN, null, "Origin", "null").statusCode());
        assertEquals("nothing was queued", 0,
                Json.mapper().readTree(send("GET", "/api/now/table/ecc_queue", API_ADMIN, null).body()).path("result").size());
        assertEquals(201, send("POST", "/api/now/table/ecc_queue", API_ADMIN, record, "Origin", own).statusCode());
        assertEquals(201, send("POST", "/api/now/table/ecc_queue", API_ADMIN, record).statusCode());
        assertEquals(2, Json.mapper().readTree(send("GET", "/api/now/table/ecc_queue", API_ADMIN, null).body())
                .path("result").size());
    }

    @Test
    public void failedConsoleLoginsAreThrottledTogetherWithTheApis() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals("no credentials: a challenge, not a failed login", 401,
                    send("GET", "/system/console/bundles", null, null).statusCode());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(401, send("GET", "/system/console/bundles", "admin:guess" + i, null).statusCode());
        }
        HttpResponse<String> refused = send("GET", "/system/console/bundles", CONSOLE_ADMIN, null);
        assertEquals(refused.body(), 429, refused.statusCode());
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue("Retry-After " + retryAfter, retryAfter > 0 && retryAfter <= 60);
        JsonNode error = Json.mapper().readTree(refused.body());
        assertEquals("failure", error.path("status").asText());
        assertEquals("Too many failed logins", error.path("error").path("message").asText());
        assertTrue(error.path("error").path("detail").asText().startsWith("try again in "));
        assertEquals("refused before the console sees the right password: nothing done", 429,
                send("POST", "/system/console/vmstat", CONSOLE_ADMIN, "shutdown_type=Stop").statusCode());
        assertEquals(0, stops.get());

        HttpResponse<String> api = send("GET", "/api/now/table/ecc_agent", API_ADMIN, null);
        assertEquals("the console's failures count against the API's admin login too: " + api.body(), 429, api.statusCode());
        assertEquals("another user from the same address still logs in (and is refused only for its role)", 403,
                send("GET", "/api/now/table/ecc_agent", "mid:agent-pw", null).statusCode());
    }

    @Test
    public void failedApiLoginsCountAgainstTheConsole() throws Exception {
        assertEquals(200, send("GET", "/system/console/bundles", CONSOLE_ADMIN, null).statusCode());
        for (int i = 0; i < 3; i++) {
            assertEquals(401, send("GET", "/api/now/table/ecc_agent", "admin:guess" + i, null).statusCode());
        }
        assertEquals(429, send("GET", "/system/console/bundles", CONSOLE_ADMIN, null).statusCode());
        assertFalse(stops.get() > 0);
    }

    private HttpResponse<String> send(String method, String path, String credentials, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(own + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", body.startsWith("{") ? "application/json" : "application/x-www-form-urlencoded");
        }
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Logs in as the Felix Web Console does, and "stops the framework" as its vmstat page does. */
    private final class ConsolePage extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String expected = "Basic " + Base64.getEncoder().encodeToString(CONSOLE_ADMIN.getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(request.getHeader("Authorization"))) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"OSGi Management Console\"");
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
            request.setAttribute("org.osgi.service.http.authentication.remote.user", "admin");
            if ("POST".equals(request.getMethod()) && request.getRequestURI().endsWith("/vmstat")
                    && "Stop".equals(request.getParameter("shutdown_type"))) {
                stops.incrementAndGet();
            }
            response.setContentType("text/plain");
            response.getWriter().write("ok");
        }
    }
}
