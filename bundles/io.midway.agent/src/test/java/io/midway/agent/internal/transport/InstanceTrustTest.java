package io.midway.agent.internal.transport;

import io.midway.agent.internal.AgentRuntime;
import io.midway.agent.internal.AgentRuntimeTest;
import io.midway.agent.internal.AgentSettings;
import io.midway.agent.internal.AgentState;
import io.midway.agent.internal.Await;
import io.midway.agent.internal.FakeInstance;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.wire.Registration;

/** MIDWAY_INSTANCE_CERT: an HTTPS instance with a self-signed certificate, as the launcher makes one. */
public class InstanceTrustTest {

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static final char[] STORE_PASSWORD = "changeit".toCharArray();
    private static Path pem;
    private static FakeInstance instance;

    @BeforeClass
    public static void startHttpsInstance() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path keystore = dir.resolve("keystore.p12");
        pem = dir.resolve("instance.crt");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        keytool(List.of(keytool, "-genkeypair", "-alias", "midway", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit"));
        keytool(List.of(keytool, "-exportcert", "-rfc", "-alias", "midway", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-file", pem.toString()));

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, STORE_PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, STORE_PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keys.getKeyManagers(), null, null);
        instance = FakeInstance.startHttps(server);
    }

    @AfterClass
    public static void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    private static void keytool(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue("keytool did not finish", process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(output, 0, process.exitValue());
    }

    private static Registration registration() {
        return new Registration("tls-agent", "1.0.0", "h", "127.0.0.1", List.of());
    }

    @Test
    public void theGivenCertificateIsTrusted() throws Exception {
        InstanceClient client = new InstanceClient(instance.url(), "mid", "secret", Duration.ofSeconds(5),
                InstanceTrust.trusting(pem));
        assertEquals("tls-agent", client.register(registration()).name());
    }

    @Test
    public void withoutItTheSelfSignedInstanceIsRefused() throws Exception {
        InstanceClient client = new InstanceClient(instance.url(), "mid", "secret", Duration.ofSeconds(5), null);
        try {
            client.register(registration());
            fail("a self-signed certificate must not be trusted by default");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("cannot reach instance " + instance.url()));
            assertTrue(e.getMessage(), e.getMessage().contains("SSLHandshakeException"));
        }
    }

    @Test
    public void aFileWithoutACertificateIsReported() throws Exception {
        Path junk = tmp.newFile("junk.crt").toPath();
        Files.writeString(junk, "not a certificate");
        try {
            InstanceTrust.trusting(junk);
            fail("expected an error");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(junk.toString()));
        }
    }

    @Test
    public void theAgentUsesTheCertificateFromItsSettings() throws Exception {
        Path spool = tmp.newFolder().toPath();
        AgentSettings settings = new AgentSettings(instance.url(), "tls-runtime", "mid", "secret", 1, 1, 1, 200, 10,
                spool, pem, spool.resolve("sync"));
        AgentRuntime agent = new AgentRuntime(settings, "1.0.0", AgentRuntimeTest.FAST);
        agent.start();
        try {
            Await.until("connected over HTTPS", () -> AgentState.CONNECTED.equals(agent.status().connection),
                    () -> "" + agent.status().lastError);
        } finally {
            agent.stop();
        }
    }

    @Test
    public void aCertificateThatAppearsLaterIsTrustedWithoutANewContext() throws Exception {
        // The agent of a distribution trusts its instance's generated certificate by default, and
        // may start before the instance has made it.
        Path later = tmp.getRoot().toPath().resolve("later/instance.crt");
        InstanceClient client = new InstanceClient(instance.url(), "mid", "secret", Duration.ofSeconds(5),
                InstanceTrust.context(later, null));
        try {
            client.register(registration());
            fail("nothing trusts the self-signed certificate yet");
        } catch (IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("cannot reach instance"));
        }
        Files.createDirectories(later.getParent());
        Files.copy(pem, later);
        assertEquals("tls-agent", client.register(registration()).name());
    }

    @Test
    public void thePasswordIsNeverSentOverPlainHttpToAnotherHost() throws Exception {
        InstanceClient client = new InstanceClient("http://instance.example.invalid:8080", "mid", "secret",
                Duration.ofSeconds(5), null);
        try {
            client.register(registration());
            fail("expected a refusal before any connection");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("plain HTTP to another host")
                    && e.getMessage().contains("https://"));
        }
        assertTrue(io.midway.wire.Loopback.isLoopback("localhost"));
        assertTrue(io.midway.wire.Loopback.isLoopback("127.0.0.1"));
        assertTrue(io.midway.wire.Loopback.isLoopback("[::1]"));
        assertTrue(!io.midway.wire.Loopback.isLoopback("localhost.example.invalid"));
    }
}
