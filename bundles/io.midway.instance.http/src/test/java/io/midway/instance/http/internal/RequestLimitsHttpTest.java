package io.midway.instance.http.internal;

import io.midway.instance.internal.UserRealm;
import io.midway.instance.api.Users;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.After;
import org.junit.Test;

import io.midway.instance.internal.ServiceFixture;
import io.midway.wire.Json;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;

/**
 * {@link RequestLimitFilter} in front of the real servlets on a real Jetty 12 on 127.0.0.1: the
 * failed-login throttle, the concurrency limits per address and per user (long polls not counted),
 * and the minimum body rate.
 */
public class RequestLimitsHttpTest extends ServiceFixture {

    private static final String ADMIN = "admin:admin-pw";
    private static final String AGENT = "mid:agent-pw";

    private Server server;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();

    private void start(int perAddress, int perUser, int failuresPerUserAddress) throws Exception {
        UserRealm realm = new UserRealm(Map.of("midway.admin.password", "admin-pw",
                "midway.agent.password", "agent-pw",
                // the limits are per caller whoever it is; the shared user acts as agents did before enrollment
                Users.SHARED_LEGACY_PROPERTY, "true")::get);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        FilterHolder filter = new FilterHolder(RequestLimitFilter.withOwnThrottle(limits(perAddress, perUser, failuresPerUserAddress), clock));
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/api/*", EnumSet.of(DispatcherType.REQUEST));
        add(context, new InstanceInfoServlet(service.core()), "/api/mid/instance_info");
        add(context, new AgentRegistrationServlet(service.agents(), realm, new io.midway.instance.internal.AgentIdentities(service.core())), "/api/mid/agents/register");
        add(context, new EccPollServlet(service.polls(), realm), "/api/mid/ecc/poll");
        add(context, new EccInputServlet(service.polls(), realm), "/api/mid/ecc/input");
        add(context, new TableApiServlet(service.outputs(), service.agents(), service.clusters(), service.agentSettings(), realm), "/api/now/table/*");
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    private static void add(ServletContextHandler context, HttpServlet servlet, String pattern) {
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, pattern);
    }

    @After
    public void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    public void failedLoginsAreRefusedWith429ButAnotherUserFromTheSameAddressLogsIn() throws Exception {
        start(50, 50, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(401, send("GET", "/api/now/table/ecc_agent", "mid:guess" + i, null).statusCode());
        }
        HttpResponse<String> refused = send("GET", "/api/now/table/ecc_agent", "mid:guess-again", null);
        assertEquals(refused.body(), 429, refused.statusCode());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertEquals("failure", Json.mapper().readTree(refused.body()).path("status").asText());
        assertEquals("Too many failed logins", Json.mapper().readTree(refused.body()).path("error").path("message").asText());

        assertEquals("the right password of another user, same address", 200,
                send("GET", "/api/now/table/ecc_agent", ADMIN, null).statusCode());
        assertEquals("the public endpoint", 200, send("GET", "/api/mid/instance_info", null, null).statusCode());

        clock.advance(Duration.ofSeconds(61));
        assertEquals("after the window", 201, send("POST", "/api/mid/agents/register", AGENT,
                "{\"name\":\"a1\",\"version\":\"1.0.0\",\"host_name\":\"h\",\"ip_address\":\"127.0.0.1\",\"capabilities\":[]}")
                .statusCode());
    }

    @Test
    public void oneAddressHasABoundedNumberOfRequestsInProgressAndPollsDoNotCount() throws Exception {
        start(3, 50, 5);
        register("a1");
        for (int i = 0; i < 3; i++) {
            stall(AGENT);
        }
        awaitInProgress();
        HttpResponse<String> refused = send("GET", "/api/now/table/ecc_agent", ADMIN, null);
        assertEquals(refused.body(), 429, refused.statusCode());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
        assertEquals("a poll is not counted", 200, send("GET", "/api/mid/ecc/poll?agent=a1&wait_ms=0", AGENT, null).statusCode());

        for (Socket s : sockets) {
            s.close();
        }
        awaitStatus(200, "GET", "/api/now/table/ecc_agent", ADMIN);
    }

    @Test
    public void oneUserHasABoundedNumberOfRequestsInProgress() throws Exception {
        start(50, 2, 5);
        register("a1");
        stall(AGENT);
        stall(AGENT);
        awaitInProgress();
        HttpResponse<String> refused = send("POST", "/api/mid/ecc/input", AGENT, "{\"records\":[]}");
        assertEquals(refused.body(), 429, refused.statusCode());
        assertTrue(refused.body(), refused.body().contains("user 'mid'"));
        assertEquals("another user", 200, send("GET", "/api/now/table/ecc_agent", ADMIN, null).statusCode());
        assertEquals("a poll of the same user", 200, send("GET", "/api/mid/ecc/poll?agent=a1&wait_ms=0", AGENT, null).statusCode());
    }

    @Test
    public void aBodyTricklingSlowerThanTheMinimumRateIsCutOffWith408() throws Exception {
        start(50, 50, 5);
        Socket s = stall(AGENT);
        awaitInProgress();
        clock.advance(Duration.ofSeconds(11)); // past the grace time: 5 bytes in 11 s
        OutputStream out = s.getOutputStream();
        out.write(' ');
        out.flush();
        s.setSoTimeout(10_000);
        String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(reply, reply.startsWith("HTTP/1.1 408"));
        assertTrue(reply, reply.contains("\"the request body arrived too slowly\""));
    }

    /** Opens a POST with a Content-Length of 1000 that sends 5 bytes of it. */
    private Socket stall(String credentials) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        sockets.add(s);
        OutputStream out = s.getOutputStream();
        out.write(("POST /api/mid/ecc/input HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))
                + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"rec").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Gives the stalled requests time to reach the servlet (they do not answer until cut). */
    private static void awaitInProgress() throws InterruptedException {
        Thread.sleep(300);
    }

    private void awaitStatus(int status, String method, String path, String credentials) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int last;
        do {
            last = send(method, path, credentials, null).statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(status, last);
    }

    private HttpResponse<String> send(String method, String path, String credentials, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static LimitsConfiguration limits(int perAddress, int perUser, int failuresPerUserAddress) {
        return new LimitsConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return LimitsConfiguration.class;
            }

            @Override
            public int per_address_concurrent() {
                return perAddress;
            }

            @Override
            public int per_user_concurrent() {
                return perUser;
            }

            @Override
            public int body_min_bytes_per_second() {
                return 100;
            }

            @Override
            public int body_grace_seconds() {
                return 10;
            }

            @Override
            public int login_failures_per_user_address() {
                return failuresPerUserAddress;
            }

            @Override
            public int login_failures_per_address() {
                return 20;
            }

            @Override
            public int login_failures_per_user() {
                return 100;
            }

            @Override
            public int login_window_seconds() {
                return 60;
            }
        };
    }
}
