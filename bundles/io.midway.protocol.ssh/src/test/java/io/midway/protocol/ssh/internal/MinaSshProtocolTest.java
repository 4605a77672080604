package io.midway.protocol.ssh.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.protocol.ssh.SshAuthenticationException;
import io.midway.protocol.ssh.SshCommand;
import io.midway.protocol.ssh.SshHostKeyException;
import io.midway.protocol.ssh.SshResult;
import io.midway.protocol.ssh.SshTimeoutException;
import io.midway.testing.servers.ExternalServer;
import io.midway.testing.servers.OpenSshServer;

/** The ssh protocol against a real OpenSSH server started by the test fixture. */
public class MinaSshProtocolTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    private static OpenSshServer server;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path home;
    private MinaSshProtocol protocol;

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
    public void setUp() throws IOException {
        home = temp.newFolder("home").toPath();
        protocol = new MinaSshProtocol(config("etc/known_hosts", "accept-new"), home);
    }

    @After
    public void tearDown() {
        protocol.deactivate();
    }

    static SshProtocolConfiguration config(String path, String policy) {
        return new SshProtocolConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SshProtocolConfiguration.class;
            }

            @Override
            public String known__hosts_path() {
                return path;
            }

            @Override
            public String host__key_policy() {
                return policy;
            }
        };
    }

    private static SshCommand.Builder withKey(OpenSshServer ssh, String command) {
        return SshCommand.on(ssh.host(), ssh.port()).user(ssh.user()).privateKey(ssh.ed25519PrivateKey(), null).command(command)
                .timeout(Duration.ofSeconds(20));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    public void ed25519KeyRunsACommandWithExitCodeStdoutAndStderrAndRecordsTheNewHost() throws Exception {
        SshResult result = protocol.execute(withKey(server, "echo out; echo err >&2; exit 3").build());
        assertEquals(3, result.exitCode().getAsInt());
        assertEquals("out\n", text(result.stdout()));
        assertEquals("err\n", text(result.stderr()));
        assertFalse(result.stdoutTruncated() || result.stderrTruncated());
        // accept-new recorded the host under the agent's home, as OpenSSH would write it
        Path knownHosts = home.resolve("etc/known_hosts");
        assertEquals(List.of(server.knownHostsLine()), Files.readAllLines(knownHosts));
        // and the next connection is checked against it
        assertEquals(0, protocol.execute(withKey(server, "true").build()).exitCode().getAsInt());
        assertEquals(1, Files.readAllLines(knownHosts).size());
    }

    @Test
    public void rsaKeyWithPassphraseLogsIn() throws Exception {
        SshResult result = protocol.execute(SshCommand.on(server.host(), server.port()).user(server.user())
                .privateKey(server.rsaPrivateKey(), server.rsaPassphrase()).command("id -un").build());
        assertEquals(server.user() + "\n", text(result.stdout()));
    }

    @Test
    public void encryptedKeyWithoutOrWithAWrongPassphraseIsRefusedWithoutConnecting() {
        SshAuthenticationException missing = assertThrows(SshAuthenticationException.class, () -> protocol.execute(SshCommand
                .on(server.host(), server.port()).user(server.user()).privateKey(server.rsaPrivateKey(), null).command("true").build()));
        assertEquals("the private key is encrypted and no passphrase was given", missing.getMessage());
        SshAuthenticationException wrong = assertThrows(SshAuthenticationException.class, () -> protocol.execute(SshCommand
                .on(server.host(), server.port()).user(server.user()).privateKey(server.rsaPrivateKey(), "not-it").command("true")
                .build()));
        assertEquals("the private key cannot be decrypted with the given passphrase", wrong.getMessage());
        SshAuthenticationException garbage = assertThrows(SshAuthenticationException.class, () -> protocol.execute(SshCommand
                .on(server.host(), server.port()).user(server.user()).privateKey("no key at all", null).command("true").build()));
        assertTrue(garbage.getMessage(), garbage.getMessage().contains("holds no private key") || garbage.getMessage().contains("cannot be read"));
    }

    @Test
    public void passwordLogsIn() throws Exception {
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        SshResult result = protocol.execute(SshCommand.on(server.host(), server.port()).user(login.user()).password(login.password())
                .command("id -un").build());
        assertEquals(login.user() + "\n", text(result.stdout()));
        assertEquals(0, result.exitCode().getAsInt());
    }

    @Test
    public void wrongPasswordIsAnAuthenticationFailureThatNamesUserTargetAndMethod() {
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        String wrong = "canary-" + System.nanoTime();
        SshAuthenticationException e = assertThrows(SshAuthenticationException.class, () -> protocol.execute(SshCommand
                .on(server.host(), server.port()).user(login.user()).password(wrong).command("true").build()));
        assertEquals("authentication as " + login.user() + " at 127.0.0.1:" + server.port() + " failed (password)", e.getMessage());
        assertEquals("password", e.method());
    }

    @Test
    public void keyThatIsNotAuthorizedIsRefused() throws Exception {
        // the server's own host key is a valid ed25519 key, but not an authorized one
        String stranger = Files.readString(server.folder().resolve("ssh_host_ed25519_key"));
        SshAuthenticationException e = assertThrows(SshAuthenticationException.class, () -> protocol.execute(SshCommand
                .on(server.host(), server.port()).user(server.user()).privateKey(stranger, null).command("true").build()));
        assertEquals("authentication as " + server.user() + " at 127.0.0.1:" + server.port() + " failed (publickey)", e.getMessage());
    }

    @Test
    public void stdinReachesTheCommandAndIsClosedAfterIt() throws Exception {
        byte[] input = "first line\nsecond line\n".getBytes(StandardCharsets.UTF_8);
        SshResult result = protocol.execute(withKey(server, "cat").stdin(input).build());
        assertArrayEquals(input, result.stdout());
        // without stdin, the command sees its end at once instead of waiting for the timeout
        long started = System.nanoTime();
        SshResult none = protocol.execute(withKey(server, "wc -c").build());
        assertEquals("0", text(none.stdout()).trim());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 10);
    }

    @Test
    public void outputPastTheLimitIsTruncatedAndAnEndlessCommandIsStopped() throws Exception {
        SshResult result = protocol.execute(withKey(server, "head -c 5000 /dev/zero; echo done >&2").maxOutputBytes(1000).build());
        assertEquals(1000, result.stdout().length);
        assertTrue(result.stdoutTruncated());
        assertFalse(result.stderrTruncated());

        long started = System.nanoTime();
        SshResult endless = protocol.execute(withKey(server, "yes").maxOutputBytes(4096).timeout(Duration.ofSeconds(30)).build());
        assertTrue(endless.stdoutTruncated());
        assertEquals(4096, endless.stdout().length);
        assertTrue("took " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 10);
    }

    @Test
    public void timeoutEndsQuickly() {
        long started = System.nanoTime();
        SshTimeoutException e = assertThrows(SshTimeoutException.class,
                () -> protocol.execute(withKey(server, "sleep 8").timeout(Duration.ofMillis(500)).build()));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        // a cold JVM may still be logging in after 500 ms: the message says which stage was reached
        assertTrue(e.getMessage(), e.getMessage().startsWith("SSH command on 127.0.0.1:" + server.port() + " did not finish within 500 ms (still "));
        assertTrue("took " + tookMs + " ms", tookMs < 4000);
    }

    @Test
    public void timeoutStopsTheRemoteCommandOfANonRootUser() throws Exception {
        // OpenSSH signals the commands of non-root sessions only (it needs privilege separation)
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        String marker = "sleep 37." + (System.nanoTime() % 1000);
        long started = System.nanoTime();
        SshTimeoutException e = assertThrows(SshTimeoutException.class, () -> protocol.execute(SshCommand.on(server.host(),
                server.port()).user(login.user()).password(login.password()).command(marker).timeout(Duration.ofMillis(1500)).build()));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(e.getMessage(), e.getMessage().startsWith("SSH command on 127.0.0.1:" + server.port() + " did not finish within 1500 ms"));
        assertTrue("took " + tookMs + " ms", tookMs < 5000);
        // the remote command was killed with the session (TERM for its process group)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (running(marker)) {
            if (System.nanoTime() > deadline) {
                fail("'" + marker + "' still runs on the server after the timeout; server log:\n" + server.logText());
            }
            Thread.sleep(50);
        }
    }

    private static boolean running(String commandLine) throws Exception {
        Process pgrep = new ProcessBuilder(ExternalServer.binary("pgrep").toString(), "-f", "^" + commandLine.replace(".", "\\.") + "$").start();
        pgrep.getInputStream().readAllBytes();
        return pgrep.waitFor() == 0;
    }

    @Test
    public void deadPortIsConnectionRefused() {
        int port = ExternalServer.freeTcpPort();
        ConnectException e = assertThrows(ConnectException.class, () -> protocol.execute(SshCommand.on("127.0.0.1", port)
                .user("root").password("x").command("true").build()));
        assertEquals("cannot connect to 127.0.0.1:" + port + ": Connection refused", e.getMessage());
    }

    @Test
    public void strictRefusesAnUnknownHostAndAcceptsAKnownOne() throws Exception {
        Path knownHosts = home.resolve("strict_hosts");
        MinaSshProtocol strict = new MinaSshProtocol(config(knownHosts.toString(), "strict"), home);
        try {
            SshHostKeyException e = assertThrows(SshHostKeyException.class, () -> strict.execute(withKey(server, "true").build()));
            assertTrue(e.getMessage(), e.getMessage().startsWith("the host key of [127.0.0.1]:" + server.port() + " (ssh-ed25519 "
                    + server.hostKeyFingerprint() + ") is not known: host_key.policy is strict"));
            assertFalse(Files.exists(knownHosts));

            Files.writeString(knownHosts, "# operator's file\n" + server.knownHostsLine() + "\n");
            assertEquals("ok\n", text(strict.execute(withKey(server, "echo ok").build()).stdout()));
            assertEquals("# operator's file\n" + server.knownHostsLine() + "\n", Files.readString(knownHosts));
        } finally {
            strict.deactivate();
        }
    }

    @Test
    public void aHostKnownOnlyWithAnotherKeyTypeIsRefused() throws Exception {
        Path knownHosts = home.resolve("etc/known_hosts");
        Files.createDirectories(knownHosts.getParent());
        String rsaLine = "[127.0.0.1]:" + server.port() + " " + Files.readString(server.folder().resolve("client_rsa.pub")).trim();
        Files.writeString(knownHosts, rsaLine + "\n");
        SshHostKeyException e = assertThrows(SshHostKeyException.class, () -> protocol.execute(withKey(server, "true").build()));
        assertTrue(e.getMessage(), e.getMessage().contains("records only other key types") && e.getMessage().contains("ssh-rsa SHA256:"));
        assertEquals(rsaLine + "\n", Files.readString(knownHosts));
    }

    @Test
    public void changedHostKeyIsRefusedUnlessPolicyIsOff() throws Exception {
        Path knownHosts = home.resolve("etc/known_hosts");
        Files.createDirectories(knownHosts.getParent());
        Files.writeString(knownHosts, "# kept\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMrVpd9sI7rdyd+6SNGdxJN5Bx9EuM2Ao+B1qTrSxe8m");
        int port;
        String oldFingerprint;
        try (OpenSshServer first = OpenSshServer.start()) {
            port = first.port();
            oldFingerprint = first.hostKeyFingerprint();
            protocol.execute(withKey(first, "true").build());
        }
        List<String> recorded = Files.readAllLines(knownHosts);
        assertEquals(3, recorded.size());
        assertEquals("# kept", recorded.get(0));
        assertTrue(recorded.get(1).startsWith("other.example "));

        try (OpenSshServer second = OpenSshServer.start(port)) {
            assertNotEquals(oldFingerprint, second.hostKeyFingerprint());
            SshHostKeyException e = assertThrows(SshHostKeyException.class, () -> protocol.execute(withKey(second, "true").build()));
            assertTrue(e.getMessage(), e.getMessage().startsWith("the host key of [127.0.0.1]:" + port + " has CHANGED"));
            assertTrue(e.getMessage(), e.getMessage().contains(second.hostKeyFingerprint()) && e.getMessage().contains(oldFingerprint));
            assertEquals(recorded, Files.readAllLines(knownHosts));

            MinaSshProtocol off = new MinaSshProtocol(config("etc/known_hosts", "off"), home);
            try {
                assertEquals("ok\n", text(off.execute(withKey(second, "echo ok").build()).stdout()));
            } finally {
                off.deactivate();
            }
            assertEquals(recorded, Files.readAllLines(knownHosts));
        }
    }

    @Test
    public void unknownPolicyFallsBackToStrict() {
        MinaSshProtocol odd = new MinaSshProtocol(config("etc/known_hosts", "yes-please"), home);
        try {
            assertThrows(SshHostKeyException.class, () -> odd.execute(withKey(server, "true").build()));
        } finally {
            odd.deactivate();
        }
    }

    @Test
    public void commandToStringShowsNoSecret() {
        SshCommand command = SshCommand.on("127.0.0.1", 22).user("root").password("canary-secret").command("echo canary-secret").build();
        assertFalse(command.toString(), command.toString().contains("canary"));
        SshCommand keyed = SshCommand.on("127.0.0.1", 22).user("root").privateKey("canary-key", "canary-pass").command("true").build();
        assertFalse(keyed.toString(), keyed.toString().contains("canary"));
    }
}
