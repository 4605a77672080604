package io.midway.probe.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.credential.CredentialType;
import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.ssh.internal.MinaSshProtocol;
import io.midway.testing.probe.TestCredentials;
import io.midway.testing.servers.ExternalServer;
import io.midway.testing.servers.OpenSshServer;

/** The SSHCommand probe with the real ssh protocol against a real OpenSSH server. */
public class SshCommandProbeTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    static {
        // debug logging, so that the canary test sees every line the probe and the protocol log
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "info");
    }

    private static OpenSshServer server;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private MinaSshProtocol protocol;
    private TestCredentials credentials;
    private SshCommandProbe probe;

    @BeforeClass
    public static void startServer() {
        server = OpenSshServer.start();
    }

    @AfterClass
    public static void stopServer() {
        SshProtocolFixture.close(server);
    }

    @Before
    public void setUp() throws Exception {
        Path home = temp.newFolder("home").toPath();
        protocol = SshProtocolFixture.protocol(home);
        use(TestCredentials.builder());
        assertTrue(Files.isDirectory(home));
    }

    @After
    public void tearDown() throws Exception {
        SshProtocolFixture.deactivate(protocol);
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

    /** Gives the probe a fresh store with these credentials (tried in the order added, no affinity yet). */
    private void use(TestCredentials.Builder builder) {
        credentials = builder.build();
        probe = new SshCommandProbe(protocol, credentials);
    }

    /** The fields of an ssh_key credential with the server user's ed25519 key. */
    private static String[] ed25519Key() {
        return new String[] {"user_name", server.user(), "ssh_private_key", server.ed25519PrivateKey()};
    }

    @Test
    public void keyCredentialRunsTheCommandAndANonZeroExitIsAResult() throws Exception {
        use(TestCredentials.builder().add(CredentialType.SSH_KEY, "lab-key", ed25519Key()));
        Map<String, Object> result = run(payload("command", "echo out; echo err >&2; exit 4", "credential", "lab-key"));
        assertEquals(4, result.get("exit_code"));
        assertEquals("out\n", result.get("stdout"));
        assertEquals("err\n", result.get("stderr"));
        assertEquals(false, result.get("truncated"));
        assertEquals(List.of("lab-key@127.0.0.1"), credentials.workedCalls());
    }

    @Test
    public void rsaKeyWithPassphraseAndPasswordCredentialsLogIn() throws Exception {
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        use(TestCredentials.builder()
                .add(CredentialType.SSH_KEY, "lab-rsa", "user_name", server.user(), "ssh_private_key", server.rsaPrivateKey(),
                        "ssh_passphrase", server.rsaPassphrase())
                .basic("lab-basic", login.user(), login.password()));
        assertEquals(server.user() + "\n", run(payload("command", "id -un", "credential", "lab-rsa")).get("stdout"));

        assertEquals(login.user() + "\n", run(payload("command", "id -un", "credential", "lab-basic")).get("stdout"));
    }

    @Test
    public void encryptedKeyWithoutPassphraseIsAClearError() {
        use(TestCredentials.builder()
                .add(CredentialType.SSH_KEY, "no-pass", "user_name", server.user(), "ssh_private_key", server.rsaPrivateKey()));
        // the store's own words for the unset secret follow the probe's
        assertEquals("credential 'no-pass' (ssh_key): the private key is encrypted and no passphrase was given "
                + "(the secret ssh_passphrase of credential 'no-pass' is not set)",
                fail(payload("command", "true", "credential", "no-pass")));
    }

    @Test
    public void withoutACredentialTheCandidatesAreTriedUntilOneWorksAndItIsRememberedFirst() throws Exception {
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        // both passwords come before the key in the store's order; first-password is not a login on the server
        use(TestCredentials.builder()
                .basic("first-password", "x", "y")
                .basic("wrong-password", login.user(), "nope")
                .add(CredentialType.SSH_KEY, "right-key", ed25519Key()));
        Map<String, Object> result = run(payload("command", "echo hi"));
        assertEquals("hi\n", result.get("stdout"));
        assertEquals(List.of("right-key@127.0.0.1"), credentials.workedCalls());
        assertEquals(Optional.of("right-key"), credentials.workedFor(CredentialType.SSH_KEY, "127.0.0.1"));
        // keys before passwords; a password that worked for the host goes first there (seen when it is not first anyway)
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
        // "echoing": a key credential whose command prints the canary (its unused passphrase): the result hides it
        use(TestCredentials.builder()
                .basic("bad", login.user(), canary)
                .add(CredentialType.SSH_KEY, "echoing", "user_name", server.user(), "ssh_private_key", server.ed25519PrivateKey(),
                        "ssh_passphrase", canary));
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String message;
        Map<String, Object> echoed;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            message = fail(payload("command", "true", "credential", "bad"));
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
        use(TestCredentials.builder().add(CredentialType.SSH_KEY, "stranger", "user_name", server.user(), "ssh_private_key",
                Files.readString(server.folder().resolve("ssh_host_ed25519_key"))));
        assertEquals("authentication as " + server.user() + " at 127.0.0.1:" + server.port() + " failed with credential 'stranger' "
                + "(publickey)", fail(payload("command", "true", "credential", "stranger")));
        // without a named credential, every failure is listed
        String all = fail(payload("command", "true"));
        assertTrue(all, all.startsWith("no ssh_key or basic credential worked for 127.0.0.1:" + server.port() + ": authentication as "));
    }

    @Test
    public void deadPortIsRefusedAtOnceWithoutTryingMoreCredentials() {
        use(TestCredentials.builder().add(CredentialType.SSH_KEY, "a", ed25519Key()).add(CredentialType.SSH_KEY, "b", ed25519Key()));
        int port = ExternalServer.freeTcpPort();
        Map<String, Object> payload = payload("command", "true");
        payload.put("port", port);
        assertEquals("cannot connect to 127.0.0.1:" + port + ": Connection refused", fail(payload));
        assertEquals(List.of(), credentials.workedCalls());
    }

    @Test
    public void timeoutIsAnErrorThatNamesTheLimitAndEndsQuickly() {
        use(TestCredentials.builder().add(CredentialType.SSH_KEY, "lab-key", ed25519Key()));
        long started = System.nanoTime();
        String message = fail(payload("command", "sleep 8", "credential", "lab-key", "timeout_ms", 500));
        assertTrue(message, message.startsWith("SSH command on 127.0.0.1:" + server.port() + " did not finish within 500 ms ("));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) < 4000);
    }

    @Test
    public void outputOverMaxBytesIsTruncatedAndStdinIsPassed() throws Exception {
        use(TestCredentials.builder().add(CredentialType.SSH_KEY, "lab-key", ed25519Key()));
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
        use(TestCredentials.builder().add(CredentialType.SNMP_COMMUNITY, "community", "community", "public"));
        assertEquals("credential 'community' (snmp_community) cannot be used for SSH: the type snmp_community is not supported; use an "
                + "ssh_key or basic credential.", fail(payload("command", "true", "credential", "community")));
        assertEquals("no credential 'missing' on this agent", fail(payload("command", "true", "credential", "missing")));
        assertEquals("no active ssh_key or basic credential for 127.0.0.1: add one, or name one in payload.credential.",
                fail(payload("command", "true")));
    }

    @Test
    public void noCredentialStoreIsAClearError() {
        SshCommandProbe alone = new SshCommandProbe(protocol, (io.midway.api.credential.Credentials) null);
        ProbeException e = assertThrows(ProbeException.class,
                () -> alone.run(new ProbeRequest("s", SshCommandProbe.TOPIC, "", "", payload("command", "true"))));
        assertTrue(e.getMessage(), e.getMessage().startsWith("no payload.credential and no credential store running"));
        assertNull(e.getCause());
    }
}
