package io.midway.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Secure transport (issue 14 point 3) on the real distribution: HTTPS by default with a
 * certificate the instance makes at first start, plain HTTP off unless set; clients that do not
 * trust the certificate are refused; an agent trusts its distribution's instance certificate by
 * default (even one made after it started), or the one MIDWAY_INSTANCE_CERT names; its own console
 * listens on loopback; mutual TLS, where a client certificate is the agent it names.
 */
public class HttpsIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    @Test
    public void agentConnectsOverHttpsTrustingTheGeneratedCertificate() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = TestFolders.temporary("midway-https");
        int http = Ports.free();
        int https = Ports.free();
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", Map.of("MIDWAY_HTTP_PORT", Integer.toString(http),
                "MIDWAY_HTTPS_PORT", Integer.toString(https), "MIDWAY_DATA", work.resolve("i").toString(),
                "MIDWAY_ADMIN_PASSWORD", "https-admin", "MIDWAY_AGENT_PASSWORD", "https-agent"),
                work.resolve("instance.log"), false)) {
            Path cert = work.resolve("i/tls/instance.crt");
            Wait.until(Duration.ofSeconds(90), "the instance on HTTP", () ->
                    new Http("http://127.0.0.1:" + http, null, null).get("/api/mid/instance_info").statusCode() == 200, instance);
            assertTrue("certificate written for agents", Files.readString(cert).startsWith("-----BEGIN CERTIFICATE-----"));

            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(3)).build();
            String base = "https://localhost:" + https;
            Wait.until(Duration.ofSeconds(30), "the instance on HTTPS", () -> trusting.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/mid/instance_info")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200, instance);
            try {
                HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/mid/instance_info")).build(),
                        HttpResponse.BodyHandlers.ofString());
                throw new AssertionError("a client that does not trust the certificate must be refused");
            } catch (SSLHandshakeException expected) {
                // the default trust store does not know the self-signed certificate
            }

            try (MidwayProcess agent = MidwayProcess.start(dist, "agent", Map.of("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()),
                    "MIDWAY_DATA", work.resolve("a").toString(), "MIDWAY_INSTANCE_URL", base,
                    "MIDWAY_INSTANCE_CERT", cert.toString(), "MIDWAY_AGENT_NAME", "tls-agent",
                    "MIDWAY_AGENT_PASSWORD", "https-agent"), work.resolve("agent.log"), false)) {
                Http admin = new Http("http://127.0.0.1:" + http, "admin", "https-admin");
                Wait.until(Duration.ofSeconds(90), "tls-agent Up over HTTPS", () -> {
                    JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=tls-agent").path("result");
                    return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
                }, instance, agent);
                assertEquals("tls-agent", admin.json("/api/now/table/ecc_agent?sysparm_query=name=tls-agent")
                        .path("result").get(0).path("name").asText());
            }
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            trust.setCertificateEntry("midway", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    public void httpsIsTheDefaultAndTheAgentTrustsItsInstancesCertificate() throws Exception {
        // A copy of the distribution, so both processes use their default data folders, as a user's do.
        Path home = copyOfDistribution();
        int https = Ports.free();
        int agentConsole = Ports.free();
        Path cert = home.resolve("data/instance/tls/instance.crt");
        // The agent starts first: the instance's certificate does not exist yet.
        try (MidwayProcess agent = MidwayProcess.start(home, "agent", Map.of("MIDWAY_HTTP_PORT", Integer.toString(agentConsole),
                "MIDWAY_INSTANCE_URL", "https://localhost:" + https, "MIDWAY_AGENT_NAME", "default-tls",
                "MIDWAY_AGENT_PASSWORD", "tls-agent-pw"), home.resolve("agent.out"), false)) {
            Wait.until(Duration.ofSeconds(90), "the agent's console", () ->
                    new Http("http://127.0.0.1:" + agentConsole, null, null).get("/").statusCode() > 0, agent);
            assertTrue("no certificate before the instance's first start", !Files.exists(cert));
            try (MidwayProcess instance = MidwayProcess.start(home, "instance", Map.of("MIDWAY_HTTPS_PORT", Integer.toString(https),
                    "MIDWAY_ADMIN_PASSWORD", "tls-admin", "MIDWAY_AGENT_PASSWORD", "tls-agent-pw"),
                    home.resolve("instance.out"), false)) {
                Wait.until(Duration.ofSeconds(90), "the instance started", () -> instance.output().contains("instance started"), instance);
                assertTrue(instance.output(), instance.output().contains("HTTPS port " + https + ", plain HTTP off"));
                HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(3)).build();
                Http admin = new Http("https://localhost:" + https, "admin", "tls-admin", trusting);
                Wait.until(Duration.ofSeconds(60), "the instance on HTTPS", () -> admin.get("/api/mid/instance_info").statusCode() == 200, instance);
                assertEquals("the instance listens on its HTTPS port and no other", Set.of(https), listeningPorts(instance.jvmPid()).keySet());
                try {
                    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("https://localhost:" + https
                            + "/api/mid/instance_info")).build(), HttpResponse.BodyHandlers.ofString());
                    throw new AssertionError("a client that does not trust the certificate must be refused");
                } catch (SSLHandshakeException expected) {
                    // the default trust store does not know the instance's own certificate
                }

                Wait.until(Duration.ofSeconds(90), "default-tls Up over HTTPS, trusting the certificate made after it started", () -> {
                    JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=default-tls").path("result");
                    return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
                }, instance, agent);
                Map<Integer, String> agentPorts = listeningPorts(agent.jvmPid());
                assertEquals("the agent accepts connections on its console port only, on loopback: " + agentPorts,
                        Map.of(agentConsole, "127.0.0.1"), agentPorts);
            }
        }
    }

    @Test
    public void aClientCertificateIsTheAgentItNames() throws Exception {
        Path work = TestFolders.temporary("midway-mtls");
        Path ca = work.resolve("ca.p12");
        Path caPem = work.resolve("ca.pem");
        Path agentStore = work.resolve("agent.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=Midway test CA", "-ext", "bc:c", "-storetype", "PKCS12", "-keystore", ca.toString(), "-storepass", "ca-password");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", "ca-password", "-file", caPem.toString());
        Path csr = work.resolve("agent.csr");
        Path crt = work.resolve("agent.crt");
        keytool("-genkeypair", "-alias", "agent", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=mtls-agent", "-storetype", "PKCS12", "-keystore", agentStore.toString(), "-storepass", "agent-password");
        keytool("-certreq", "-alias", "agent", "-keystore", agentStore.toString(), "-storepass", "agent-password", "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", "ca-password", "-infile", csr.toString(),
                "-outfile", crt.toString(), "-rfc", "-validity", "2", "-ext", "eku=clientAuth");
        keytool("-importcert", "-alias", "ca", "-file", caPem.toString(), "-keystore", agentStore.toString(),
                "-storepass", "agent-password", "-noprompt");
        keytool("-importcert", "-alias", "agent", "-file", crt.toString(), "-keystore", agentStore.toString(),
                "-storepass", "agent-password", "-noprompt");

        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        int https = Ports.free();
        try (MidwayProcess instance = MidwayProcess.start(dist, "instance", Map.of("MIDWAY_HTTPS_PORT", Integer.toString(https),
                "MIDWAY_HTTPS_CLIENT_CA", caPem.toString(), "MIDWAY_DATA", work.resolve("i").toString(),
                "MIDWAY_ADMIN_PASSWORD", "mtls-admin", "MIDWAY_AGENT_PASSWORD", "mtls-shared"), work.resolve("instance.log"), false)) {
            Path cert = work.resolve("i/tls/instance.crt");
            Wait.until(Duration.ofSeconds(90), "the instance's certificate", () -> Files.isRegularFile(cert) && Files.size(cert) > 0, instance);
            String base = "https://localhost:" + https;
            Http admin = new Http(base, "admin", "mtls-admin", HttpClient.newBuilder().sslContext(trusting(cert)).build());
            Wait.until(Duration.ofSeconds(90), "the instance on HTTPS", () -> admin.get("/api/mid/instance_info").statusCode() == 200, instance);

            // The agent has no password at all: its certificate is its identity.
            try (MidwayProcess agent = MidwayProcess.start(dist, "agent", Map.of("MIDWAY_HTTP_PORT", Integer.toString(Ports.free()),
                    "MIDWAY_DATA", work.resolve("a").toString(), "MIDWAY_INSTANCE_URL", base, "MIDWAY_INSTANCE_CERT", cert.toString(),
                    "MIDWAY_AGENT_NAME", "mtls-agent", "MIDWAY_AGENT_KEYSTORE", agentStore.toString(),
                    "MIDWAY_AGENT_KEYSTORE_PASSWORD", "agent-password"), work.resolve("agent.log"), false)) {
                Wait.until(Duration.ofSeconds(90), "mtls-agent Up by its client certificate", () -> {
                    JsonNode r = admin.json("/api/now/table/ecc_agent?sysparm_query=name=mtls-agent").path("result");
                    return r.size() == 1 && "Up".equals(r.get(0).path("status").asText());
                }, instance, agent);
            }
            JsonNode user = admin.json("/api/now/table/sys_user?sysparm_query=user_name=mid.server.mtls-agent").path("result");
            assertEquals(1, user.size());
            assertEquals("certificate", user.get(0).path("source").asText());
            assertEquals("mtls-agent", user.get(0).path("agent").asText());

            // The certificate acts for its own agent only.
            Http certified = new Http(base, null, null, HttpClient.newBuilder().sslContext(withClientCertificate(cert, agentStore)).build());
            HttpResponse<String> own = certified.get("/api/mid/ecc/poll?agent=mtls-agent&max=1&wait_ms=0");
            assertEquals(own.body(), 200, own.statusCode());
            assertEquals(403, certified.get("/api/mid/ecc/poll?agent=another-agent&max=1&wait_ms=0").statusCode());
            assertEquals(403, certified.send("POST", "/api/mid/agents/register",
                    "{\"name\":\"another-agent\",\"version\":\"0.1.0\"}").statusCode());
            assertEquals("its Basic credentials do not make it the admin", 403,
                    new Http(base, "admin", "wrong", HttpClient.newBuilder().sslContext(withClientCertificate(cert, agentStore)).build())
                            .get("/api/now/table/ecc_queue").statusCode());
            // An admin disables the identity: the certificate no longer logs in.
            assertEquals(200, admin.send("PATCH", "/api/now/table/sys_user/" + user.get(0).path("sys_id").asText(),
                    "{\"active\":false}").statusCode());
            HttpResponse<String> refused = certified.get("/api/mid/ecc/poll?agent=mtls-agent&max=1&wait_ms=0");
            assertEquals(refused.body(), 401, refused.statusCode());
        }
    }

    /** @return a copy of the built distribution in a new temporary folder */
    private static Path copyOfDistribution() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path copy = TestFolders.temporary("midway-tls-home").resolve("midway");
        Process cp = new ProcessBuilder(io.midway.testing.servers.TestPrograms.path("cp").toString(), "-a",
                dist.toString(), copy.toString()).inheritIO().start();
        assertEquals(0, cp.waitFor());
        return copy;
    }

    private static void keytool(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue("keytool " + args[0] + " finished", p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("keytool " + String.join(" ", args) + ": " + out, 0, p.exitValue());
    }

    private static SSLContext withClientCertificate(Path trustedPem, Path keystore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, "agent-password".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "agent-password".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(trustedPem)) {
            trust.setCertificateEntry("midway", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        tmf.init(trust);
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * The TCP ports a process listens on, with the local address of each (from /proc: the
     * process's socket inodes matched with the kernel's table of listening sockets).
     */
    static Map<Integer, String> listeningPorts(long pid) throws Exception {
        Set<String> inodes = new java.util.HashSet<>();
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (java.io.IOException gone) {
                    // closed meanwhile
                }
            }
        }
        Map<Integer, String> ports = new java.util.TreeMap<>();
        for (String table : new String[] {"tcp", "tcp6"}) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(file)) {
                continue;
            }
            // one read: the table changes between two reads (a socket opening or closing)
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && "0A".equals(f[3]) && inodes.contains(f[9])) {
                    String[] local = f[1].split(":");
                    ports.put(Integer.parseInt(local[1], 16), address(local[0]));
                }
            }
        }
        return ports;
    }

    private static String address(String hex) throws Exception {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        // /proc prints each 32-bit word in host (little-endian) order
        for (int w = 0; w < bytes.length; w += 4) {
            for (int i = 0; i < 2; i++) {
                byte t = bytes[w + i];
                bytes[w + i] = bytes[w + 3 - i];
                bytes[w + 3 - i] = t;
            }
        }
        return java.net.InetAddress.getByAddress(bytes).getHostAddress();
    }
}
