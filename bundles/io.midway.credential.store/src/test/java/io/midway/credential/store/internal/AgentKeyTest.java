package io.midway.credential.store.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.wire.SealedSecret;

public class AgentKeyTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theKeyIsMadeOwnerOnlyAtFirstStartAndReusedAfter() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("data/credentials");
        AgentKey made = AgentKey.loadOrCreate(dir);

        Path privateFile = dir.resolve("agent.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        String pem = Files.readString(privateFile, StandardCharsets.US_ASCII);
        assertTrue(pem, pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
        String pub = Files.readString(dir.resolve("agent.pub"), StandardCharsets.US_ASCII);
        assertTrue(pub, pub.startsWith("-----BEGIN PUBLIC KEY-----\n"));
        try (var listing = Files.list(dir)) {
            assertEquals("no temporary file is left", 2, listing.count());
        }

        AgentKey again = AgentKey.loadOrCreate(dir);
        assertEquals(SealedSecret.publicKeyText(made.publicKey()), SealedSecret.publicKeyText(again.publicKey()));
        assertEquals("the reused private key opens what was sealed for the first one", "x",
                SealedSecret.openString(again.privateKey(), SealedSecret.seal(made.publicKey(), "x")));

        Files.delete(dir.resolve("agent.pub"));
        AgentKey third = AgentKey.loadOrCreate(dir);
        assertEquals("agent.pub is written again from the private key", pub,
                Files.readString(dir.resolve("agent.pub"), StandardCharsets.US_ASCII));
        assertEquals(SealedSecret.publicKeyText(made.publicKey()), SealedSecret.publicKeyText(third.publicKey()));
    }

    @Test
    public void aKeyReadableByGroupOrOthersIsRefusedLikeSshDoes() throws Exception {
        Path dir = KeyFixture.credentialsDirWithKey(tmp.getRoot().toPath().resolve("credentials"));
        Path key = dir.resolve("agent.key");

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        IOException group = refused(dir);
        assertTrue(group.getMessage(), group.getMessage().contains("accessible by group"));
        assertTrue(group.getMessage(), group.getMessage().contains("rw-r-----"));
        assertTrue(group.getMessage(), group.getMessage().contains("chmod 600 " + key));

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw----r--"));
        IOException others = refused(dir);
        assertTrue(others.getMessage(), others.getMessage().contains("accessible by others"));

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        AgentKey.loadOrCreate(dir);
        assertEquals("the refusal did not touch the file", "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }

    @Test
    public void aStoreOverAnOpenKeyDoesNotStart() throws Exception {
        Path dir = KeyFixture.credentialsDirWithKey(tmp.getRoot().toPath().resolve("credentials"));
        Files.setPosixFilePermissions(dir.resolve("agent.key"), PosixFilePermissions.fromString("rw-r--r--"));
        try {
            new AgentCredentialStore(dir);
            fail("a world-readable key must stop the store");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("group and others"));
        }
        assertFalse(Files.exists(dir.resolve("credentials.json")));
    }

    @Test
    public void aFileThatIsNoKeyIsRefusedClearly() throws Exception {
        Path dir = tmp.newFolder("credentials").toPath();
        Path key = dir.resolve("agent.key");
        Files.writeString(key, "not a key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        IOException e = refused(dir);
        assertTrue(e.getMessage(), e.getMessage().contains("is not a PEM PKCS#8 private key"));
    }

    private static IOException refused(Path dir) {
        try {
            AgentKey.loadOrCreate(dir);
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("the key in " + dir + " was accepted");
    }
}
