package io.midway.instance.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.store.StoreSession;
import io.midway.wire.Json;

/**
 * The master key file and AES-GCM at rest, and how the credential store refuses to start on a
 * missing, damaged or foreign key. Real files in a temporary folder, a real H2 database.
 */
public class CredentialCipherTest extends ServiceFixture {

    private static final String SECRET = "s3cret-for-the-cipher-test";

    private Path keyFile() {
        return tmp.getRoot().toPath().resolve(CredentialCipher.KEY_FILE);
    }

    @Test
    public void createsAnOwnerOnlyKeyOnceAndReadsItAfterwards() throws Exception {
        CredentialCipher first = CredentialCipher.open(keyFile(), true);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile())));
        byte[] bytes = Files.readAllBytes(keyFile());
        String sealed = first.encrypt("sys1", "password", SECRET);

        CredentialCipher again = CredentialCipher.open(keyFile(), true);
        assertArrayEquals("never made again over an existing key", bytes, Files.readAllBytes(keyFile()));
        assertEquals(SECRET, again.decrypt("sys1", "password", sealed));
        assertFalse("no temporary file left", Files.exists(keyFile().resolveSibling(CredentialCipher.KEY_FILE + ".tmp")));
    }

    @Test
    public void freshIvAndCiphertextsBoundToCredentialAndField() {
        CredentialCipher cipher = CredentialCipher.open(keyFile(), true);
        String a = cipher.encrypt("sys1", "password", SECRET);
        String b = cipher.encrypt("sys1", "password", SECRET);
        assertNotEquals("a fresh IV each time", a, b);
        assertFalse(a.contains(SECRET));
        assertEquals(SECRET, cipher.decrypt("sys1", "password", b));
        for (String[] other : new String[][] {{"sys2", "password"}, {"sys1", "ssh_passphrase"}}) {
            try {
                cipher.decrypt(other[0], other[1], a);
                fail("a ciphertext moved to " + other[0] + "/" + other[1] + " decrypted");
            } catch (IllegalStateException expected) {
                assertFalse(expected.getMessage().contains(SECRET));
            }
        }
        String tampered = a.substring(0, a.length() - 3) + (a.charAt(a.length() - 3) == 'A' ? 'B' : 'A')
                + a.substring(a.length() - 2);
        try {
            cipher.decrypt("sys1", "password", tampered);
            fail("a tampered ciphertext decrypted");
        } catch (IllegalStateException expected) {
            // the GCM tag does not match
        }
    }

    @Test
    public void aDamagedKeyIsRefusedWithAClearMessage() throws Exception {
        Files.writeString(keyFile(), "midway-credential-key-v1:c2hvcnQ=\n", StandardCharsets.US_ASCII);
        assertRefused(() -> CredentialCipher.open(keyFile(), true), "damaged");
        Files.writeString(keyFile(), "garbage", StandardCharsets.US_ASCII);
        assertRefused(() -> CredentialCipher.open(keyFile(), true), "damaged");
        assertEquals("the damaged file is left as it is", "garbage", Files.readString(keyFile()));
        Files.delete(keyFile());
        assertRefused(() -> CredentialCipher.open(keyFile(), false), "missing");
        assertFalse(Files.exists(keyFile()));
    }

    @Test
    public void anUnreadableKeyIsRefused() throws Exception {
        CredentialCipher.open(keyFile(), true);
        Files.setPosixFilePermissions(keyFile(), PosixFilePermissions.fromString("---------"));
        try {
            if (Files.isReadable(keyFile())) {
                return; // running as root: permissions do not stop reading
            }
            assertRefused(() -> CredentialCipher.open(keyFile(), true), "permission denied");
        } finally {
            Files.setPosixFilePermissions(keyFile(), PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    public void theStoreRefusesAMissingOrForeignKeyOnceSecretsAreStored() throws Exception {
        CredentialService credentials = new CredentialService(service.core(), keyFile());
        ObjectNode body = Json.mapper().createObjectNode().put("name", "x").put("type", "basic")
                .put("password", SECRET);
        String sysId = credentials.create(body).path("sys_id").asText();
        String stored = service.core().read(s -> s.findCredential(sysId)).orElseThrow().secrets().get("password");
        assertFalse(stored.contains(SECRET));
        assertEquals(SECRET, credentials.cipher().decrypt(sysId, "password", stored));

        byte[] original = Files.readAllBytes(keyFile());
        Files.delete(keyFile());
        assertRefused(() -> new CredentialService(service.core(), keyFile()), "missing");
        assertFalse("no new key over the lost one", Files.exists(keyFile()));

        CredentialCipher.open(keyFile(), true); // another key
        assertRefused(() -> new CredentialService(service.core(), keyFile()), "not the key");

        Files.write(keyFile(), original);
        CredentialService restored = new CredentialService(service.core(), keyFile());
        assertEquals(SECRET, restored.cipher().decrypt(sysId, "password", stored));
    }

    @Test
    public void withoutStoredSecretsALostKeyIsReplaced() {
        CredentialService credentials = new CredentialService(service.core(), keyFile());
        String check = service.core().read(StoreSession::credentialKeyCheck);
        assertTrue(credentials.cipher().matches(check));
        try {
            Files.delete(keyFile());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        CredentialService again = new CredentialService(service.core(), keyFile());
        assertTrue(again.cipher().matches(service.core().read(StoreSession::credentialKeyCheck)));
        assertFalse(again.cipher().matches(check));
    }

    private static void assertRefused(Runnable start, String why) {
        try {
            start.run();
            fail("started, though the key is " + why);
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(why));
            assertTrue(e.getMessage(), e.getMessage().contains(CredentialCipher.KEY_FILE));
        }
    }
}
