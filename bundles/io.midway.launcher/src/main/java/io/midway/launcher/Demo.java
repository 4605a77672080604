package io.midway.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.wire.EccRecord;
import io.midway.wire.Json;

/**
 * {@code bin/demo}: the main job. Starts the instance simulator and one agent on the embedded
 * defaults, waits for the agent to come {@code Up}, runs a real {@code TCPScan} against ports
 * this program opens and closes, and prints the result, the URLs and the passwords. Without
 * {@code --once} it then keeps both running until Ctrl-C.
 */
public final class Demo {

    private final Path home;
    private final boolean once;
    private final List<Process> processes = new ArrayList<>();
    /** Made once the instance has written its certificate, which it trusts. */
    private HttpClient http;

    private Demo(Path home, boolean once) {
        this.home = home;
        this.once = once;
    }

    /**
     * @param args {@code --once} to stop after the scan
     */
    public static void main(String[] args) {
        boolean once = List.of(args).contains("--once");
        Demo demo = new Demo(Launcher.home().toAbsolutePath().normalize(), once);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::stopAll, "midway-demo-stop"));
        try {
            demo.run();
            if (once) {
                System.exit(0);
            }
            System.out.println("Both processes keep running; press Ctrl-C to stop them.");
            for (Process p : demo.processes) {
                p.waitFor();
            }
            System.out.println("A process ended; stopping the demo.");
            System.exit(1);
        } catch (DemoFailure e) {
            System.err.println("demo failed: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    private void run() throws InterruptedException {
        Map<String, String> env = System.getenv();
        int instancePort = port(env.get("MIDWAY_HTTPS_PORT"), LaunchSettings.DEFAULT_INSTANCE_HTTPS_PORT);
        int agentPort = port(env.get("MIDWAY_AGENT_HTTP_PORT"), 8181);
        Path instanceData = home.resolve("data").resolve("instance");
        Path agentData = home.resolve("data").resolve("agent");
        Path certificate = instanceData.resolve(SelfSignedCertificate.FOLDER).resolve(SelfSignedCertificate.CERTIFICATE);
        String instanceUrl = "https://localhost:" + instancePort;
        String agentName = nonEmpty(env.get("MIDWAY_AGENT_NAME"), hostName());
        Path logs = home.resolve("data").resolve("logs");

        step("Starting the instance simulator on " + instanceUrl + " (log: " + instanceData.resolve("instance.log") + ")");
        start("instance", Map.of("MIDWAY_HTTPS_PORT", Integer.toString(instancePort),
                "MIDWAY_DATA", instanceData.toString()), logs.resolve("instance.log"));
        waitFor(Duration.ofSeconds(90), "the instance's certificate " + certificate, () -> Files.isRegularFile(certificate) && Files.size(certificate) > 0);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(trusting(certificate)).build();
        waitFor(Duration.ofSeconds(90), "the instance to answer " + instanceUrl + "/api/mid/instance_info",
                () -> get(instanceUrl + "/api/mid/instance_info", null).statusCode() == 200);

        String adminPassword = nonEmpty(env.get("MIDWAY_ADMIN_PASSWORD"), read(instanceData.resolve("admin.password")));
        String agentPassword = nonEmpty(env.get("MIDWAY_AGENT_PASSWORD"), read(instanceData.resolve("agent.password")));
        String admin = basic("admin", adminPassword);

        step("Starting agent '" + agentName + "' (log: " + agentData.resolve("agent.log") + ")");
        start("agent", Map.of("MIDWAY_HTTP_PORT", Integer.toString(agentPort), "MIDWAY_DATA", agentData.toString(),
                "MIDWAY_INSTANCE_URL", instanceUrl, "MIDWAY_INSTANCE_CERT", certificate.toString(),
                "MIDWAY_AGENT_NAME", agentName,
                "MIDWAY_AGENT_PASSWORD", agentPassword, "MIDWAY_ADMIN_PASSWORD", adminPassword), logs.resolve("agent.log"));
        String agentQuery = instanceUrl + "/api/now/table/ecc_agent?sysparm_query=name=" + agentName;
        waitFor(Duration.ofSeconds(90), "agent '" + agentName + "' to be Up and validated", () -> {
            JsonNode result = json(get(agentQuery, admin)).path("result");
            return result.size() == 1 && "Up".equals(result.get(0).path("status").asText())
                    && result.get(0).path("validated").asBoolean();
        });
        step("Agent '" + agentName + "' is Up");

        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int closed = freePort();
            ObjectNode record = Json.mapper().createObjectNode();
            record.put("agent", EccRecord.agentField(agentName));
            record.put("topic", "TCPScan");
            record.put("name", "demo scan of 127.0.0.1");
            record.put("source", "127.0.0.1");
            ObjectNode payload = record.putObject("payload");
            payload.put("host", "127.0.0.1");
            payload.putArray("ports").add(open.getLocalPort()).add(instancePort).add(closed);
            payload.put("timeout_ms", 500);
            step("Queueing TCPScan of 127.0.0.1 ports " + open.getLocalPort() + " (opened by the demo), "
                    + instancePort + " (the instance), " + closed + " (closed)");
            HttpResponse<String> created = post(instanceUrl + "/api/now/table/ecc_queue", admin, record.toString());
            if (created.statusCode() != 201) {
                throw new DemoFailure("inserting the TCPScan record answered " + created.statusCode() + ": " + created.body());
            }
            String sysId = Json.mapper().readTree(created.body()).path("result").path("sys_id").asText();
            String inputQuery = instanceUrl + "/api/now/table/ecc_queue?sysparm_query=queue=input%5Eresponse_to=" + sysId;
            JsonNode[] input = new JsonNode[1];
            waitFor(Duration.ofSeconds(30), "the agent's result for " + sysId, () -> {
                JsonNode result = json(get(inputQuery, admin)).path("result");
                input[0] = result.size() > 0 ? result.get(0) : null;
                return input[0] != null;
            });
            step("Result (" + input[0].path("state").asText() + "): " + input[0].path("payload")
                    + (input[0].path("error_string").isTextual() ? " " + input[0].path("error_string").asText() : ""));
            if (!"processed".equals(input[0].path("state").asText())) {
                throw new DemoFailure("the TCPScan ended in state " + input[0].path("state").asText());
            }
        } catch (IOException e) {
            throw new DemoFailure("cannot open a local port for the scan: " + e.getMessage());
        }

        System.out.println();
        System.out.println("Midway is running:");
        System.out.println("  instance API      " + instanceUrl + "/api/now/table/ecc_queue   (user admin)");
        System.out.println("  instance console  " + instanceUrl + "/system/console           (user admin)");
        System.out.println("  agent console     http://localhost:" + agentPort + "/system/console/midway  (user admin)");
        System.out.println("  admin password    " + adminPassword + "   (both consoles and the API; "
                + instanceData.resolve("admin.password") + ")");
        System.out.println("  agent user        mid / " + agentPassword + "   (" + instanceData.resolve("agent.password") + ")");
        System.out.println("  certificate       " + certificate + "   (the instance's own, made at its first start;"
                + " agents on this machine trust it)");
        System.out.println("Try: curl --cacert " + certificate + " -u admin:" + adminPassword + " '" + agentQuery + "'");
    }

    private void start(String role, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(home.resolve("bin").resolve(role).toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (role.equals("agent")) {
                // What the demo was given for its instance is not the agent's to serve.
                pb.environment().keySet().removeAll(List.of("MIDWAY_HTTPS_PORT", "MIDWAY_HTTP_HOST",
                        "MIDWAY_HTTPS_KEYSTORE", "MIDWAY_HTTPS_KEYSTORE_PASSWORD", "MIDWAY_HTTPS_KEY_PASSWORD",
                        "MIDWAY_HTTPS_CLIENT_CA"));
            }
            pb.environment().putAll(env);
            processes.add(pb.start());
        } catch (IOException e) {
            throw new DemoFailure("cannot start bin/" + role + ": " + e.getMessage());
        }
    }

    private void stopAll() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            if (p.isAlive()) {
                p.destroy();
                try {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private interface Check {
        boolean done() throws IOException, InterruptedException;
    }

    private void waitFor(Duration timeout, String what, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new DemoFailure("a Midway process exited with code " + p.exitValue()
                            + " while waiting for " + what + "; see " + home.resolve("data/instance/instance.log") + ", "
                            + home.resolve("data/agent/agent.log") + " and the console output under " + home.resolve("data/logs"));
                }
            }
            try {
                if (check.done()) {
                    return;
                }
            } catch (IOException e) {
                last = " (last error: " + e.getMessage() + ")";
            }
            Thread.sleep(250);
        }
        throw new DemoFailure("timed out after " + timeout.toSeconds() + " s waiting for " + what + last);
    }

    private HttpResponse<String> get(String url, String auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String auth, String body) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", auth).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DemoFailure("POST " + url + " failed: " + e.getMessage());
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new DemoFailure("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** @return a TLS context trusting the instance's certificate (a PEM file) */
    private static javax.net.ssl.SSLContext trusting(Path pem) {
        try (java.io.InputStream in = Files.newInputStream(pem)) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("instance",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new DemoFailure("cannot read the instance's certificate " + pem + ": " + e.getMessage());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int port(String value, int fallback) {
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    private static String nonEmpty(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static void step(String text) {
        System.out.println("==> " + text);
    }

    private static final class DemoFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DemoFailure(String message) {
            super(message);
        }
    }
}
