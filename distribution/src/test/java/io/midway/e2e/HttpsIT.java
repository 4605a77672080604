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
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * HTTPS on the instance (MIDWAY_HTTPS_PORT): a self-signed development certificate is made at
 * first start, clients that do not trust it are refused, and an agent given the certificate
 * (MIDWAY_INSTANCE_CERT) connects over HTTPS and comes Up.
 */
public class HttpsIT {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(300);

    @Test
    public void agentConnectsOverHttpsTrustingTheGeneratedCertificate() throws Exception {
        Path dist = Path.of(System.getProperty("midway.dist", "target/midway")).toAbsolutePath();
        Path work = Files.createTempDirectory("midway-https");
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
}
