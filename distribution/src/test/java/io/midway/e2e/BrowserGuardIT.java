package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 14, browser-facing hardening, on the real bin/instance and bin/agent with the real Felix
 * Web Console: a cross-site {@code POST /system/console/vmstat shutdown_type=Stop} (what a page on
 * another site can make an admin's browser send, Basic credentials included) is refused with 403
 * and the process keeps running, while the same POST from the console's own origin still stops
 * it; a cross-site change through the instance API is refused too; and guessing the console's
 * admin password is cut off with 429 after the login limit (on the instance, together with the
 * API's logins). The guessing comes from 127.0.0.2, so the operator on 127.0.0.1 is not locked out.
 */
public class BrowserGuardIT {

    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(180);

    private static final String ATTACKER = "127.0.0.2";

    static Path work;
    static MidwayProcess instance;
    static MidwayProcess agent;
    static int instancePort;
    static int agentPort;
    static String adminPassword;

    @BeforeClass
    public static void start() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        assertTrue("distribution not built at " + dist, Files.isExecutable(dist.resolve("bin/agent")));
        work = TestFolders.temporary("midway-e2e-browser-");
        adminPassword = CredentialsIT.random();
        String agentPassword = CredentialsIT.random();
        instancePort = Ports.free();
        agentPort = Ports.free();
        instance = MidwayProcess.start(dist, "instance", Map.of("MIDWAY_HTTP_PORT", Integer.toString(instancePort),
                "MIDWAY_DATA", work.resolve("instance").toString(), "MIDWAY_ADMIN_PASSWORD", adminPassword,
                "MIDWAY_AGENT_PASSWORD", agentPassword), work.resolve("instance.log"), false);
        agent = MidwayProcess.start(dist, "agent", Map.of("MIDWAY_HTTP_PORT", Integer.toString(agentPort),
                "MIDWAY_DATA", work.resolve("agent").toString(), "MIDWAY_ADMIN_PASSWORD", adminPassword,
                "MIDWAY_AGENT_PASSWORD", agentPassword, "MIDWAY_INSTANCE_URL", "http://127.0.0.1:" + instancePort,
                "MIDWAY_AGENT_NAME", "browser-it-agent"), work.resolve("agent.log"), false);
        Http instanceAdmin = new Http("http://127.0.0.1:" + instancePort, "admin", adminPassword);
        Http agentAdmin = new Http("http://127.0.0.1:" + agentPort, "admin", adminPassword);
        Wait.until(AgentAndInstance.STARTUP, "the instance's Web Console",
                () -> instanceAdmin.get("/system/console/vmstat").statusCode() == 200, instance);
        Wait.until(AgentAndInstance.STARTUP, "the agent's Web Console",
                () -> agentAdmin.get("/system/console/vmstat").statusCode() == 200, agent);
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

    @Test
    public void theInstanceRefusesCrossSiteChangesAndThrottlesConsoleLogins() throws Exception {
        String own = "http://127.0.0.1:" + instancePort;
        String admin = "admin:" + adminPassword;

        Answer crossSite = send("127.0.0.1", instancePort, "POST", "/system/console/vmstat", admin,
                "Origin: http://evil.example", "application/x-www-form-urlencoded", "shutdown_type=Stop");
        assertEquals(crossSite.text, 403, crossSite.status);
        JsonNode error = Http.JSON.readTree(crossSite.body());
        assertEquals("failure", error.path("status").asText());
        assertEquals("Cross-site request refused", error.path("error").path("message").asText());
        Answer byReferer = send("127.0.0.1", instancePort, "POST", "/system/console/vmstat", admin,
                "Referer: http://evil.example/cats.html", "application/x-www-form-urlencoded", "shutdown_type=Stop");
        assertEquals(byReferer.text, 403, byReferer.status);
        Answer api = send("127.0.0.1", instancePort, "POST", "/api/now/table/ecc_queue", admin,
                "Origin: http://evil.example", "application/json",
                "{\"agent\":\"mid.server.browser-it-agent\",\"topic\":\"Command\",\"name\":\"id\",\"payload\":{}}");
        assertEquals(api.text, 403, api.status);
        Thread.sleep(1000);
        assertTrue("the instance is still running", instance.isAlive());
        assertEquals("nothing was queued", 0, new Http(own, "admin", adminPassword)
                .json("/api/now/table/ecc_queue?sysparm_query=name=id").path("result").size());

        // Guessing the console's password from another address: 5 failures, then 429 even for the
        // right password, on the console and on the API (one throttle), with Retry-After.
        for (int i = 0; i < 5; i++) {
            assertEquals(401, send(ATTACKER, instancePort, "GET", "/system/console/bundles.json", "admin:guess" + i,
                    null, null, null).status);
        }
        Answer refused = send(ATTACKER, instancePort, "GET", "/system/console/bundles.json", admin, null, null, null);
        assertEquals(refused.text, 429, refused.status);
        assertTooManyLogins(refused);
        Answer apiRefused = send(ATTACKER, instancePort, "GET", "/api/now/table/ecc_agent", admin, null, null, null);
        assertEquals(apiRefused.text, 429, apiRefused.status);
        assertTooManyLogins(apiRefused);
        assertEquals("the operator's own address still logs in", 200,
                send("127.0.0.1", instancePort, "GET", "/system/console/bundles.json", admin, null, null, null).status);

        // The console's own page still works: the same POST from its own origin stops the instance.
        Answer sameOrigin = send("127.0.0.1", instancePort, "POST", "/system/console/vmstat", admin, "Origin: " + own,
                "application/x-www-form-urlencoded", "shutdown_type=Stop");
        assertTrue(sameOrigin.text, sameOrigin.status < 400);
        assertTrue("the instance stopped", stops(instance));
    }

    @Test
    public void theAgentRefusesCrossSiteChangesAndThrottlesConsoleLogins() throws Exception {
        String own = "http://127.0.0.1:" + agentPort;
        String admin = "admin:" + adminPassword;

        Answer crossSite = send("127.0.0.1", agentPort, "POST", "/system/console/vmstat", admin,
                "Origin: http://evil.example", "application/x-www-form-urlencoded", "shutdown_type=Stop");
        assertEquals(crossSite.text, 403, crossSite.status);
        assertEquals("Cross-site request refused", Http.JSON.readTree(crossSite.body()).path("error").path("message").asText());
        Answer bundles = send("127.0.0.1", agentPort, "POST", "/system/console/bundles/1", admin,
                "Origin: null", "application/x-www-form-urlencoded", "action=uninstall");
        assertEquals(bundles.text, 403, bundles.status);
        Thread.sleep(1000);
        assertTrue("the agent is still running", agent.isAlive());

        for (int i = 0; i < 5; i++) {
            assertEquals(401, send(ATTACKER, agentPort, "GET", "/system/console/bundles.json", "admin:guess" + i,
                    null, null, null).status);
        }
        Answer refused = send(ATTACKER, agentPort, "GET", "/system/console/bundles.json", admin, null, null, null);
        assertEquals(refused.text, 429, refused.status);
        assertTooManyLogins(refused);
        assertEquals("the operator's own address still logs in", 200,
                send("127.0.0.1", agentPort, "GET", "/system/console/bundles.json", admin, null, null, null).status);

        Answer sameOrigin = send("127.0.0.1", agentPort, "POST", "/system/console/vmstat", admin,
                "Referer: " + own + "/system/console/vmstat", "application/x-www-form-urlencoded", "shutdown_type=Stop");
        assertTrue(sameOrigin.text, sameOrigin.status < 400);
        assertTrue("the agent stopped", stops(agent));
    }

    /** @return whether the process ends within a minute (MidwayProcess is not ours to extend) */
    private static boolean stops(MidwayProcess process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return !process.isAlive();
    }

    private static void assertTooManyLogins(Answer refused) throws IOException {
        String retryAfter = refused.header("Retry-After");
        assertTrue(refused.text, retryAfter != null && Long.parseLong(retryAfter) > 0);
        JsonNode error = Http.JSON.readTree(refused.body());
        assertEquals("failure", error.path("status").asText());
        assertEquals("Too many failed logins", error.path("error").path("message").asText());
        assertTrue(refused.text, error.path("error").path("detail").asText().startsWith("try again in "));
    }

    /** An answer read until the server closed the connection. */
    record Answer(int status, String text) {
        String body() {
            int at = text.indexOf("\r\n\r\n");
            return at < 0 ? "" : text.substring(at + 4);
        }

        String header(String name) {
            for (String line : text.split("\r\n")) {
                if (line.isEmpty()) {
                    break;
                }
                if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            return null;
        }
    }

    /**
     * One HTTP/1.1 request from a chosen loopback address (the JDK's client cannot bind one), with
     * {@code Host: 127.0.0.1:port} as a browser sends it.
     */
    private static Answer send(String from, int port, String method, String path, String credentials, String extraHeader,
            String contentType, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(port).append("\r\nConnection: close\r\n");
        if (credentials != null) {
            head.append("Authorization: Basic ")
                    .append(Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))).append("\r\n");
        }
        if (extraHeader != null) {
            head.append(extraHeader).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            int status = text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : 0;
            return new Answer(status, text);
        }
    }
}
