package io.midway.instance.internal.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.instance.internal.ConfigurationSecrets;
import io.midway.instance.internal.CredentialCipher;

/**
 * {@code instance:encrypt} in a real Gogo processor: the value typed on the next line comes back
 * as {@code encrypted:<text>} that this instance's master key opens and another's does not.
 */
public class EncryptCommandTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aTypedValueComesBackEncryptedForThisInstanceOnly() throws Exception {
        Path key = tmp.getRoot().toPath().resolve("credentials.key");
        CredentialCipher.open(key, true);
        CommandProcessorImpl processor = new CommandProcessorImpl(null);
        processor.addCommand("instance", new EncryptCommand(key), "encrypt");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(
                new ByteArrayInputStream("db-S3cret!\n".getBytes(StandardCharsets.UTF_8)), out, out);
        String sealed = String.valueOf(session.execute("instance:encrypt"));
        session.close();
        processor.stop();
        assertTrue(sealed, sealed.startsWith("encrypted:v1:"));
        assertFalse("the value is not in it", sealed.contains("db-S3cret!"));
        assertEquals("db-S3cret!", ConfigurationSecrets.reveal(key, "MIDWAY_DB_PASSWORD", sealed));
        assertEquals("a plain value passes as it is", "plain", ConfigurationSecrets.reveal(key, "MIDWAY_DB_PASSWORD", "plain"));

        Path otherKey = tmp.getRoot().toPath().resolve("other.key");
        CredentialCipher.open(otherKey, true);
        try {
            ConfigurationSecrets.reveal(otherKey, "MIDWAY_DB_PASSWORD", sealed);
            fail("another instance's key opened it");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MIDWAY_DB_PASSWORD does not decrypt")
                    && e.getMessage().contains("instance:encrypt") && !e.getMessage().contains("db-S3cret!"));
        }
        try {
            ConfigurationSecrets.reveal(tmp.getRoot().toPath().resolve("missing.key"), "MIDWAY_DB_PASSWORD", sealed);
            fail("no key");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is not there"));
        }
    }
}
