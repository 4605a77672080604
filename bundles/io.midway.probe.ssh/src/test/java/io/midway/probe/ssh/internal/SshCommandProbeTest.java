package io.midway.probe.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.BundleContext;

import io.midway.api.credential.CredentialType;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.ssh.internal.MinaSshProtocol;
import io.midway.protocol.ssh.internal.SshProtocolConfiguration;
import io.midway.testing.servers.ExternalServer;
import io.midway.testing.servers.OpenSshServer;

/** The SSHCommand probe with the real ssh protocol against a real OpenSSH server. */
public class SshCommandProbeTest {

    static {
        // debug logging, so that the canary test sees every line the probe and the protocol log
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "info");
    }

    private static OpenSshServer server;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private MinaSshProtocol protocol;
    private FakeCredentials credentials;
    private SshCommandProbe probe;

    @BeforeClass
    public static void startServer() {
        server = OpenSshServer.start();
    }

    @AfterClass
    public static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Before
    public void setUp() throws Exception {
        Path home = temp.newFolder("home").toPath();
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> method.getName().equals("getProperty") && "midway.home".equals(args[0]) ? home.toString() : null);
        protocol = new MinaSshProtocol(new SshProtocolConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SshProtocolConfiguration.class;
            }

            @Override
            public String known__hosts_path() {
                return "etc/known_hosts";
            }

            @Override
            public String host__key_policy() {
                return "accept-new";
            }
        }, context);
        credentials = new FakeCredentials();
        probe = new SshCommandProbe(protocol, credentials);
        assertTrue(Files.isDirectory(home));
    }

    @After
    public void tearDown() throws Exception {
        java.lang.reflect.Method deactivate = MinaSshProtocol.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(protocol);
    }

    private Map<String, Object> payload(Object... pairs) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("host", server.host());
        payload.put("port", server.port());
        for (int i = 0; i < pairs.length; i += 2) {
            payload.put((String) pairs[i], pairs[i + 1]);
        }
        return payload;
    }

    private Map<String, Object> run(Map<String, Object> payload) throws Exception {
        return probe.run(new ProbeRequest("sys1", SshCommandProbe.TOPIC, "", "", payload)).payload();
    }

    private String fail(Map<String, Object> payload) {
        return assertThrows(ProbeException.class, () -> run(payload)).getMessage();
    }

    private void addKey(String name, int order) {
        credentials.add(name, CredentialType.SSH_KEY, order, Map.of("user_name", server.user()),
                Map.of("ssh_private_key", server.ed25519PrivateKey()));
    }

    @Test
    public void keyCredentialRunsTheCommandAndANonZeroExitIsAResult() throws Exception {
        addKey("lab-key", 100);
        Map<String, Object> result = run(payload("command", "echo out; echo err >&2; exit 4", "credential", "lab-key"));
        assertEquals(4, result.get("exit_code"));
        assertEquals("out\n", result.get("stdout"));
        assertEquals("err\n", result.get("stderr"));
        assertEquals(false, result.get("truncated"));
        assertEquals(List.of("lab-key@127.0.0.1"), credentials.worked);
    }

    @Test
    public void rsaKeyWithPassphraseAndPasswordCredentialsLogIn() throws Exception {
        credentials.add("lab-rsa", CredentialType.SSH_KEY, 100, Map.of("user_name", server.user()),
                Map.of("ssh_private_key", server.rsaPrivateKey(), "ssh_passphrase", server.rsaPassphrase()));
        assertEquals(server.user() + "\n", run(payload("command", "id -un", "credential", "lab-rsa")).get("stdout"));

        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        credentials.add("lab-basic", CredentialType.BASIC, 100, Map.of("user_name", login.user()), Map.of("password", login.password()));
        assertEquals(login.user() + "\n", run(payload("command", "id -un", "credential", "lab-basic")).get("stdout"));
    }

    @Test
    public void encryptedKeyWithoutPassphraseIsAClearError() {
        credentials.add("no-pass", CredentialType.SSH_KEY, 100, Map.of("user_name", server.user()),
                Map.of("ssh_private_key", server.rsaPrivateKey()));
        assertEquals("credential 'no-pass' (ssh_key): the private key is encrypted and no passphrase was given "
                + "(credential 'no-pass' has no ssh_passphrase)", fail(payload("command", "true", "credential", "no-pass")));
    }

    @Test
    public void withoutACredentialTheCandidatesAreTriedUntilOneWorksAndItIsRememberedFirst() throws Exception {
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        credentials.add("wrong-password", CredentialType.BASIC, 10, Map.of("user_name", login.user()), Map.of("password", "nope"));
        addKey("right-key", 50);
        Map<String, Object> result = run(payload("command", "echo hi"));
        assertEquals("hi\n", result.get("stdout"));
        assertEquals(List.of("right-key@127.0.0.1"), credentials.worked);
        // keys before passwords; a password that worked for the host goes first there (seen when it is not first anyway)
        credentials.add("first-password", CredentialType.BASIC, 1, Map.of("user_name", "x"), Map.of("password", "y"));
        assertEquals(List.of("right-key", "first-password", "wrong-password"),
                SshCommandProbe.candidates(credentials, "10.9.9.9").stream().map(c -> c.name()).collect(java.util.stream.Collectors.toList()));
        credentials.worked(credentials.find("wrong-password").get(), "10.9.9.9");
        assertEquals("wrong-password", SshCommandProbe.candidates(credentials, "10.9.9.9").get(0).name());
        assertEquals("right-key", SshCommandProbe.candidates(credentials, "127.0.0.1").get(0).name());
    }

    @Test
    public void wrongPasswordNamesUserTargetCredentialAndMethodAndNeverTheSecret() throws Exception {
        String canary = "canary-" + System.nanoTime();
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        credentials.add("bad", CredentialType.BASIC, 100, Map.of("user_name", login.user()), Map.of("password", canary));
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String message;
        Map<String, Object> echoed;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            message = fail(payload("command", "true", "credential", "bad"));
            // a key credential whose command prints the canary: the result hides it
            credentials.add("echoing", CredentialType.SSH_KEY, 100, Map.of("user_name", server.user()),
                    Map.of("ssh_private_key", server.ed25519PrivateKey(), "ssh_passphrase", canary));
            echoed = run(payload("command", "echo " + canary + "; echo " + canary + " >&2", "credential", "echoing"));
        } finally {
            System.setErr(original);
        }
        assertEquals("authentication as " + login.user() + " at 127.0.0.1:" + server.port() + " failed with credential 'bad' (password)",
                message);
        assertEquals("********\n", echoed.get("stdout"));
        assertEquals("********\n", echoed.get("stderr"));
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue("the probe logged nothing at debug: " + logged, logged.contains("SshCommandProbe"));
        assertFalse(logged, logged.contains(canary));
        assertFalse(logged, logged.contains(server.ed25519PrivateKey().split("\n")[1]));
    }

    @Test
    public void wrongKeyIsAnAuthenticationError() throws Exception {
        credentials.add("stranger", CredentialType.SSH_KEY, 100, Map.of("user_name", server.user()),
                Map.of("ssh_private_key", Files.readString(server.folder().resolve("ssh_host_ed25519_key"))));
        assertEquals("authentication as " + server.user() + " at 127.0.0.1:" + server.port() + " failed with credential 'stranger' "
                + "(publickey)", fail(payload("command", "true", "credential", "stranger")));
        // without a named credential, every failure is listed
        String all = fail(payload("command", "true"));
        assertTrue(all, all.startsWith("no ssh_key or basic credential worked for 127.0.0.1:" + server.port() + ": authentication as "));
    }

    @Test
    public void deadPortIsRefusedAtOnceWithoutTryingMoreCredentials() {
        addKey("a", 10);
        addKey("b", 20);
        int port = ExternalServer.freeTcpPort();
        Map<String, Object> payload = payload("command", "true");
        payload.put("port", port);
        assertEquals("cannot connect to 127.0.0.1:" + port + ": Connection refused", fail(payload));
        assertTrue(credentials.worked.isEmpty());
    }

    @Test
    public void timeoutIsAnErrorThatNamesTheLimitAndEndsQuickly() {
        addKey("lab-key", 100);
        long started = System.nanoTime();
        String message = fail(payload("command", "sleep 8", "credential", "lab-key", "timeout_ms", 500));
        assertTrue(message, message.startsWith("SSH command on 127.0.0.1:" + server.port() + " did not finish within 500 ms ("));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 4000);
    }

    @Test
    public void outputOverMaxBytesIsTruncatedAndStdinIsPassed() throws Exception {
        addKey("lab-key", 100);
        Map<String, Object> big = run(payload("command", "head -c 3000 /dev/zero | tr '\\0' x", "credential", "lab-key", "max_bytes", 100));
        assertEquals("x".repeat(100), big.get("stdout"));
        assertEquals(true, big.get("truncated"));
        assertEquals(true, big.get("stdout_truncated"));
        Map<String, Object> echoed = run(payload("command", "tr a-z A-Z", "credential", "lab-key", "stdin", "hello\n"));
        assertEquals("HELLO\n", echoed.get("stdout"));
        assertEquals(0, echoed.get("exit_code"));
    }

    @Test
    public void badPayloadsAndCredentialTypesAreClearErrors() {
        assertEquals("payload.command is missing: it must be the command line to run, e.g. uname -a.", fail(payload()));
        Map<String, Object> noHost = payload("command", "true");
        noHost.remove("host");
        assertTrue(fail(noHost).startsWith("payload.host is missing"));
        assertEquals("payload.timeout_ms is the number 600001: it must be a whole number of milliseconds from 1 to 600000 "
                + "(default 60000).", fail(payload("command", "true", "timeout_ms", 600001)));
        assertTrue(fail(payload("command", "true", "max_bytes", 20 * 1024 * 1024 + 1)).startsWith("payload.max_bytes is"));
        credentials.add("community", CredentialType.SNMP_COMMUNITY, 100, Map.of(), Map.of("community", "public"));
        assertEquals("credential 'community' (snmp_community) cannot be used for SSH: the type snmp_community is not supported; use an "
                + "ssh_key or basic credential.", fail(payload("command", "true", "credential", "community")));
        assertEquals("no credential 'missing' on this agent", fail(payload("command", "true", "credential", "missing")));
        assertEquals("no active ssh_key or basic credential for 127.0.0.1: add one, or name one in payload.credential.",
                fail(payload("command", "true")));
    }

    @Test
    public void noCredentialStoreIsAClearError() {
        SshCommandProbe alone = new SshCommandProbe(protocol, null);
        ProbeException e = assertThrows(ProbeException.class,
                () -> alone.run(new ProbeRequest("s", SshCommandProbe.TOPIC, "", "", payload("command", "true"))));
        assertTrue(e.getMessage(), e.getMessage().startsWith("no payload.credential and no credential store running"));
        assertNull(e.getCause());
    }
}
