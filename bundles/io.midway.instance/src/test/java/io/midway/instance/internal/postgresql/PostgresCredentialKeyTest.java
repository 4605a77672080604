package io.midway.instance.internal.postgresql;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.After;
import org.junit.Test;

import io.midway.instance.internal.CredentialCipher;
import io.midway.instance.internal.CredentialService;
import io.midway.instance.internal.InstanceServices;
import io.midway.instance.internal.ServiceFixture;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.StoreSession;
import io.midway.instance.store.TestPostgres;

/**
 * One credential master key for every instance node of a PostgreSQL database (issue 15 point 5):
 * the first node to start records a check value of its key (never the key); a node with another
 * key, or none, does not start its credential store, and says which file to copy where.
 */
public class PostgresCredentialKeyTest extends ServiceFixture {

    private InstanceServices other;

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }

    @After
    public void stopOther() {
        if (other != null) {
            other.close();
        }
    }

    private Path nodeKey(String node) {
        return tmp.getRoot().toPath().resolve(node).resolve(CredentialCipher.KEY_FILE);
    }

    private void refused(Path key, String problem) {
        try {
            new CredentialService(other.core(), key);
            fail("a node with " + problem + " started its credential store");
        } catch (IllegalStateException e) {
            String message = e.getMessage();
            assertTrue(message, message.contains(key.toAbsolutePath().toString()) && message.contains(problem));
            assertTrue(message, message.contains("copy credentials.key from the data folder of a node already running"));
        }
    }

    @Test
    public void theFirstNodeRecordsItsKeyAndANodeWithAnotherKeyOrNoneDoesNotStart() throws Exception {
        Path keyA = nodeKey("a");
        new CredentialService(service.core(), keyA);
        String check = service.core().read(StoreSession::credentialKeyCheck);
        assertNotNull("the first node recorded its key's check value", check);
        assertTrue(CredentialCipher.open(keyA, false).matches(check));
        assertFalse("never the key itself", check.contains(Files.readString(keyA).split(":")[1].trim()));

        other = new InstanceServices(TestPostgres.open(false), settings(), clock);
        // another key (made by this node at an earlier start, or by hand)
        Path keyB = nodeKey("b");
        CredentialCipher.open(keyB, true);
        byte[] keyBBytes = Files.readAllBytes(keyB);
        refused(keyB, "is not the key of this database");
        assertArrayEquals("its key file is left as it was", keyBBytes, Files.readAllBytes(keyB));

        // no key: none is made (it could not read what the other node encrypts)
        Path keyC = nodeKey("c");
        refused(keyC, "is missing");
        assertFalse("no key made", Files.exists(keyC));

        assertTrue("the recorded key stays the first node's", CredentialCipher.open(keyA, false)
                .matches(service.core().read(StoreSession::credentialKeyCheck)));

        // the first node's key, copied: it starts
        Files.createDirectories(keyC.getParent());
        Files.copy(keyA, keyC);
        new CredentialService(other.core(), keyC);
        assertTrue(check.equals(other.core().read(StoreSession::credentialKeyCheck)));
    }
}
