package io.midway.testing.servers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Checks the fixture with the OpenSSH client: the keys, the host key line and the password account really work. */
public class OpenSshServerTest {

    /** A hung test fails after this long, naming itself (the root pom limits each test JVM as a whole too). */
    @org.junit.Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final Map<Path, String> secrets = new HashMap<>();

    @Test
    public void keyLoginsWorkAndTheKnownHostsLineMatchesTheServer() throws Exception {
        try (OpenSshServer ssh = OpenSshServer.start()) {
            assertTrue(ssh.ed25519PrivateKey().startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
            assertTrue(ssh.rsaPrivateKey().startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
            assertTrue(ssh.hostPublicKey().startsWith("ssh-ed25519 AAAA"));
            assertTrue(ssh.hostKeyFingerprint().matches("SHA256:[A-Za-z0-9+/]{43}"));

            String listed = run(List.of(keygen(), "-l", "-E", "sha256", "-f", ssh.folder().resolve("ssh_host_ed25519_key.pub").toString()), null);
            assertTrue(listed, listed.contains(ssh.hostKeyFingerprint()));

            Path knownHosts = temp.newFile("known_hosts").toPath();
            Files.writeString(knownHosts, ssh.knownHostsLine() + "\n");
            // StrictHostKeyChecking=yes: the connection works only if the line matches the server's key
            Path key = writeKey("ed25519", ssh.ed25519PrivateKey());
            assertEquals(ssh.user() + "\n", run(sshCommand(ssh, knownHosts, key, "id -un"), null));

            Path rsa = writeKey("rsa", ssh.rsaPrivateKey());
            Path askpass = askpass(ssh.rsaPassphrase());
            assertEquals("rsa ok\n", run(sshCommand(ssh, knownHosts, rsa, "echo rsa ok"), askpass));
        }
    }

    @Test
    public void aServerStartedOnThePortOfAClosedOneHasANewHostKey() {
        int port;
        String first;
        try (OpenSshServer ssh = OpenSshServer.start()) {
            port = ssh.port();
            first = ssh.hostKeyFingerprint();
        }
        try (OpenSshServer again = OpenSshServer.start(port)) {
            assertEquals(port, again.port());
            assertNotEquals(first, again.hostKeyFingerprint());
            assertTrue(ExternalServer.accepts(port));
        }
    }

    @Test
    public void closeStopsTheServerAndRemovesItsFolder() {
        OpenSshServer ssh = OpenSshServer.start();
        Path folder = ssh.folder();
        ssh.close();
        assertFalse(ExternalServer.accepts(ssh.port()));
        assertFalse(Files.exists(folder));
    }

    @Test
    public void passwordLoginWorksForTheAccountFromTheEnvironment() throws Exception {
        OpenSshServer.PasswordLogin login = OpenSshServer.passwordLogin();
        assertFalse(login.toString().contains(login.password()));
        try (OpenSshServer ssh = OpenSshServer.start()) {
            Path knownHosts = temp.newFile("known_hosts").toPath();
            Files.writeString(knownHosts, ssh.knownHostsLine() + "\n");
            List<String> command = new ArrayList<>(List.of(binary("ssh"), "-F", "/dev/null", "-o", "BatchMode=no", "-o",
                    "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "PubkeyAuthentication=no", "-o",
                    "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "-p", String.valueOf(ssh.port()),
                    login.user() + "@" + ssh.host(), "id -un"));
            assertEquals(login.user() + "\n", run(command, askpass(login.password())));
        }
    }

    @Test
    public void missingPasswordAccountSaysHowToSetIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OpenSshServer.passwordLogin(Map.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_IT_SSH_USER") && e.getMessage().contains("MIDWAY_IT_SSH_PASSWORD")
                && e.getMessage().contains("useradd"));
    }

    private List<String> sshCommand(OpenSshServer ssh, Path knownHosts, Path key, String remote) {
        return List.of(binary("ssh"), "-F", "/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no", "-i", key.toString(), "-p", String.valueOf(ssh.port()),
                ssh.user() + "@" + ssh.host(), remote);
    }

    private Path writeKey(String name, String text) throws IOException {
        Path key = temp.getRoot().toPath().resolve(name);
        Files.writeString(key, text);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return key;
    }

    /** A script that prints the secret, for ssh's SSH_ASKPASS (the secret is passed in the environment, not the file). */
    private Path askpass(String secret) throws IOException {
        Path script = temp.getRoot().toPath().resolve("askpass-" + System.nanoTime());
        Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' \"$ASKPASS_SECRET\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        secrets.put(script, secret);
        return script;
    }

    private String run(List<String> command, Path askpass) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        if (askpass != null) {
            builder.environment().put("SSH_ASKPASS", askpass.toString());
            builder.environment().put("SSH_ASKPASS_REQUIRE", "force");
            builder.environment().put("ASKPASS_SECRET", secrets.get(askpass));
        }
        Path err = temp.newFile().toPath();
        builder.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("timed out: " + command, process.waitFor(30, TimeUnit.SECONDS));
        assertEquals("exit code of " + command + ", stderr: " + Files.readString(err), 0, process.exitValue());
        return out;
    }

    private static String keygen() {
        return binary("ssh-keygen");
    }

    private static String binary(String name) {
        return ExternalServer.binary(name).toString();
    }
}
