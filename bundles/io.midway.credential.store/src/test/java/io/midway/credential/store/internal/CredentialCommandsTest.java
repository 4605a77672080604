package io.midway.credential.store.internal;

import static io.midway.credential.store.internal.AgentCredentialStoreTest.SECRET;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.api.credential.CredentialResolver;
import io.midway.api.credential.CredentialType;
import io.midway.wire.CredentialRecord;
import io.midway.wire.CredentialSync;
import io.midway.wire.SealedSecret;

/** The commands, called directly and through a real Gogo command processor (no OSGi). */
public class CredentialCommandsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private AgentCredentialStore store;
    private CredentialCommands commands;
    private ThreadIOImpl threadIo;
    private CommandProcessorImpl processor;

    @Before
    public void setUp() throws IOException {
        Path dir = KeyFixture.credentialsDirWithKey(tmp.getRoot().toPath().resolve("credentials"));
        store = new AgentCredentialStore(dir);
        PublicKey key = SealedSecret.parsePublicKey(store.publicKey());
        String sealed = SealedSecret.seal(key, SECRET);
        String tampered = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("AA") ? "BA" : "AA");
        store.update(new CredentialSync("5", List.of(
                new CredentialRecord("c1", "lab", "basic", 100, true, Map.of("user_name", "scott", "sudo", "true"),
                        Map.of("password", sealed), null, null),
                new CredentialRecord("c2", "broken", "basic", 200, true, Map.of("user_name", "root"),
                        Map.of("password", tampered), null, null),
                new CredentialRecord("c3", "vaulted", "ssh_key", 100, false, Map.of(), Map.of(), "vault", "kv/ssh"))));
        store.worked(store.find("lab").orElseThrow(), "10.0.0.5");
        commands = new CredentialCommands(store);
        threadIo = new ThreadIOImpl();
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        processor.addCommand("mid", commands, "credentials");
        processor.addCommand("mid", commands, "encrypt");
        processor.addCommand("mid", new CredentialTestCommand(commands), "credential-test");
    }

    @After
    public void tearDown() {
        processor.stop();
        threadIo.stop();
    }

    private Object run(String line, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSession session = processor.createSession(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, out);
        try {
            return session.execute(line);
        } finally {
            session.close();
        }
    }

    @Test
    public void credentialsListsEveryCredentialWithItsAffinityAndNoSecret() throws Exception {
        String table = (String) run("mid:credentials", "");
        assertTrue(table, table.startsWith("3 credentials, revision '5'\n"));
        assertTrue(table, table.contains("NAME     SYS_ID  TYPE     ORDER  ACTIVE  EXTERNAL  AFFINITY"));
        assertTrue(table, table.contains("lab      c1      basic    100    yes     -         10.0.0.5"));
        assertTrue(table, table.contains("broken   c2      basic    200    yes     -         -"));
        assertTrue(table, table.contains("vaulted  c3      ssh_key  100    no      vault     -"));
        assertFalse(table, table.contains(SECRET));
        assertFalse(table, table.contains("v1."));
    }

    @Test
    public void credentialTestOpensEveryFieldAndShowsNoSecret() throws Exception {
        // the sudo flag is shown when it allows sudo (vaulted below has none: nothing shown)
        assertEquals("credential 'lab' (basic) opens: user_name=scott, sudo=true, password set",
                run("mid:credential-test lab 10.0.0.5", ""));
        assertEquals("credential 'broken' (basic) does not open: the secret password of credential 'broken' was "
                + "altered or not sealed for this agent; it is not used", run("mid:credential-test c2 host", ""));
        String missing = (String) run("mid:credential-test vaulted 10.0.0.6", "");
        assertTrue(missing, missing.startsWith("credential 'vaulted' (ssh_key) does not open: the external "
                + "credential resolver 'vault' of credential 'vaulted' is not installed"));
        assertTrue((String) run("mid:credential-test nope host", ""), ((String) run("mid:credential-test nope h", ""))
                .startsWith("No credential 'nope'"));
        String usage = (String) run("mid:credential-test lab", "");
        assertTrue(usage, usage.startsWith("Usage: mid:credential-test <id|name> <target>"));
        assertTrue(usage, usage.contains("issue 7"));

        store.addResolver(request -> Map.of("user_name", "git", "ssh_private_key", SECRET),
                Map.of(CredentialResolver.NAME_PROPERTY, "vault"));
        assertEquals("credential 'vaulted' (ssh_key) [inactive] opens: user_name=git, ssh_private_key set, "
                + "ssh_passphrase not set", run("mid:credential-test vaulted 10.0.0.6", ""));
    }

    @Test
    public void encryptTakesTheValueAsArgumentOrFromOneInputLine() throws Exception {
        String fromArgument = (String) run("mid:encrypt " + SECRET, "");
        assertTrue(fromArgument, fromArgument.startsWith("encrypted:v1."));
        assertEquals(SECRET, store.decrypt(fromArgument));

        String fromInput = (String) run("mid:encrypt", "pass word ü\nnext line\n");
        assertTrue(fromInput, fromInput.startsWith("encrypted:v1."));
        assertEquals("pass word ü", store.decrypt(fromInput));

        assertEquals("Nothing encrypted: the value is empty", run("mid:encrypt", "\n"));
        assertTrue(store.candidates(CredentialType.BASIC, null).size() == 2);
    }
}
