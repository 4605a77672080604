package io.midway.probe.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.probe.ProbeException;
import io.midway.api.probe.ProbeRequest;
import io.midway.protocol.ssh.internal.MinaSshProtocol;
import io.midway.testing.probe.TestCredentials;
import io.midway.testing.servers.OpenSshServer;
import io.midway.testing.servers.TestPrograms;

/**
 * Privileged commands against a real OpenSSH server: the test account
 * ({@code MIDWAY_IT_SSH_USER}) may run {@code /usr/bin/id} as root through {@code sudo -n}, by a
 * sudoers drop-in that {@code .ci/run} writes, and nothing else.
 */
public class SshCommandProbeSudoTest {

    @Rule
    public final org.junit.rules.Timeout perTestLimit = org.junit.rules.Timeout.seconds(120);

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static OpenSshServer server;
    private static OpenSshServer.PasswordLogin login;

    private MinaSshProtocol protocol;
    private SshCommandProbe probe;

    @BeforeClass
    public static void startServer() {
        // sudo runs on the test server, which is this machine: it must be there (fails naming the package)
        TestPrograms.path("sudo");
        login = OpenSshServer.passwordLogin();
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
        TestCredentials credentials = TestCredentials.builder()
                .add(io.midway.api.credential.CredentialType.BASIC, "no-sudo", "user_name", login.user(), "password", login.password())
                .add(io.midway.api.credential.CredentialType.BASIC, "may-sudo", "user_name", login.user(), "password", login.password(),
                        "sudo", "true")
                .build();
        probe = new SshCommandProbe(protocol, credentials, "id");
    }

    @After
    public void tearDown() throws Exception {
        SshProtocolFixture.deactivate(protocol);
    }

    private static SshProbeConfiguration config(String list) {
        return new SshProbeConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SshProbeConfiguration.class;
            }

            @Override
            public String privileged_commands() {
                return list;
            }
        };
    }

    private Map<String, Object> run(Object... pairs) throws Exception {
        Map<String, Object> payload = new HashMap<>();
        payload.put("host", server.host());
        payload.put("port", server.port());
        for (int i = 0; i < pairs.length; i += 2) {
            payload.put((String) pairs[i], pairs[i + 1]);
        }
        return probe.run(new ProbeRequest("sys1", SshCommandProbe.TOPIC, "", "", payload)).payload();
    }

    private String fail(Object... pairs) {
        return assertThrows(ProbeException.class, () -> run(pairs)).getMessage();
    }

    /** The test account's own uid, as the server's id says without sudo. */
    private String ownUid() throws Exception {
        return (String) run("command", "id -u", "credential", "no-sudo").get("stdout");
    }

    @Test
    public void aListedCommandWithASudoCredentialRunsAsRoot() throws Exception {
        Map<String, Object> result = run("command", "id -u", "credential", "may-sudo");
        assertEquals(result.toString(), "0\n", result.get("stdout"));
        assertEquals(0, result.get("exit_code"));
        assertEquals(true, result.get("sudo"));
        // by absolute path, and asked for explicitly
        result = run("command", "/usr/bin/id -u", "credential", "may-sudo", "sudo", true);
        assertEquals(result.toString(), "0\n", result.get("stdout"));
        assertEquals(true, result.get("sudo"));
    }

    @Test
    public void aListedCommandWithACredentialWithoutSudoRunsUnprivileged() throws Exception {
        Map<String, Object> result = run("command", "id -u", "credential", "no-sudo");
        assertNotEquals("0\n", result.get("stdout"));
        assertTrue(result.toString(), ((String) result.get("stdout")).matches("[1-9][0-9]*\n"));
        assertEquals(false, result.get("sudo"));
        // the payload may refuse sudo for a credential that allows it
        assertEquals(ownUid(), run("command", "id -u", "credential", "may-sudo", "sudo", false).get("stdout"));
    }

    @Test
    public void sudoAskedForACommandNotOnTheListIsRefusedAndNothingRuns() throws Exception {
        Path marker = Paths.get("/tmp", "midway-sudo-test-" + System.nanoTime());
        assertEquals("'touch' is not on the privileged commands list (probe.ssh.privileged.commands): the list is id",
                fail("command", "touch " + marker, "credential", "may-sudo", "sudo", true));
        assertFalse(Files.exists(marker));
        // without asking, a command not on the list runs as the account: never with sudo
        Map<String, Object> result = run("command", "whoami", "credential", "may-sudo");
        assertEquals(login.user() + "\n", result.get("stdout"));
        assertEquals(false, result.get("sudo"));
    }

    @Test
    public void sudoAskedWithACredentialThatDoesNotAllowItIsRefused() {
        assertEquals("credential 'no-sudo' does not allow sudo (its field sudo is not true)",
                fail("command", "id -u", "credential", "no-sudo", "sudo", true));
    }

    @Test
    public void withoutANamedCredentialAskingForSudoSkipsCredentialsWithoutIt() throws Exception {
        // no-sudo comes first in the store's order
        Map<String, Object> result = run("command", "id -u", "sudo", true);
        assertEquals(result.toString(), "0\n", result.get("stdout"));
    }

    @Test
    public void shellOperatorsAreNeverElevated() throws Exception {
        Path marker = Paths.get("/tmp", "midway-sudo-test-" + System.nanoTime());
        for (String trick : List.of("id -u; touch " + marker, "id -u && touch " + marker, "id -u $(touch " + marker + ")",
                "id -u `touch " + marker + "`", "id -u\ntouch " + marker)) {
            String message = fail("command", trick, "credential", "may-sudo");
            assertTrue(message, message.startsWith("'id' is a privileged command, but the command line holds a shell operator"));
            assertFalse(trick, Files.exists(marker));
        }
    }

    @Test
    public void theListChangesWithoutARestartAndABadListKeepsTheLastGoodOne() throws Exception {
        probe.modified(config(""));
        assertEquals(List.of(), probe.privilegedCommands());
        assertEquals(ownUid(), run("command", "id -u", "credential", "may-sudo").get("stdout"));
        probe.modified(config("dmidecode, id"));
        assertEquals("0\n", run("command", "id -u", "credential", "may-sudo").get("stdout"));
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            probe.modified(config("id; rm -rf /"));
        } finally {
            System.setErr(original);
        }
        assertEquals(List.of("dmidecode", "id"), probe.privilegedCommands());
        assertTrue(log.toString(StandardCharsets.UTF_8), log.toString(StandardCharsets.UTF_8).contains("the privileged commands stay dmidecode,id"));
    }

    @Test
    public void aListedCommandTheHostsSudoersRefusesIsAClearError() {
        probe.configure("id,cat");
        String message = fail("command", "cat /etc/shadow", "credential", "may-sudo");
        assertTrue(message, message.startsWith("sudo on " + server.host() + ":" + server.port() + " refused 'cat' for " + login.user()
                + " (credential 'may-sudo'): sudo: a password is required."));
        assertFalse(message, message.contains(login.password()));
    }
}
