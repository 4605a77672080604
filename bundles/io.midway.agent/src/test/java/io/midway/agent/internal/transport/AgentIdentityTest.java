package io.midway.agent.internal.transport;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.agent.internal.Await;
import io.midway.api.credential.store.CredentialStore;

/**
 * The agent's own identity at a first start, when the instance sends it in clear because the key
 * is still being made: used and written at once (a crash in the next seconds must not lose it:
 * the name is enrolled), sealed once the key is there, and sealed at the next start if the agent
 * ended before.
 */
public class AgentIdentityTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** A store whose key is "being made" until {@link #keyMade} is counted down. */
    private final CountDownLatch keyMade = new CountDownLatch(1);

    private CredentialStore store() {
        return (CredentialStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {CredentialStore.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "encrypt":
                            assertTrue("the key is made in time", keyMade.await(30, TimeUnit.SECONDS));
                            return CredentialStore.ENCRYPTED_PREFIX + new StringBuilder((String) args[0]).reverse();
                        case "decrypt":
                            return new StringBuilder(((String) args[0]).substring(CredentialStore.ENCRYPTED_PREFIX.length()))
                                    .reverse().toString();
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static Properties read(Path file) throws Exception {
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    @Test
    public void anIdentityInClearIsUsedAndWrittenAtOnceAndSealedOnceTheKeyIsMade() throws Exception {
        Path file = tmp.getRoot().toPath().resolve(AgentIdentity.FILE);
        CredentialStore store = store();
        AgentIdentity identity = new AgentIdentity(file, () -> store);
        InstanceClient client = new InstanceClient("http://127.0.0.1:9", "mid", "shared", Duration.ofSeconds(1), null);

        identity.enrolled(client, new InstanceClient.Registered(null, "mid.server.a", null, "s3cret"));
        assertTrue("used at once, the key still being made", client.usesOwnIdentity());
        assertEquals("written at once", "s3cret", read(file).getProperty("password"));
        assertEquals("owner-only", "rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));

        keyMade.countDown();
        identity.awaitKept(30_000);
        assertEquals("sealed once the key is made", CredentialStore.ENCRYPTED_PREFIX + "terc3s",
                read(file).getProperty("password"));
    }

    @Test
    public void anIdentityLeftInClearByAnEndedAgentIsUsedAndSealedAtTheNextStart() throws Exception {
        Path file = tmp.getRoot().toPath().resolve(AgentIdentity.FILE);
        Files.writeString(file, "user=mid.server.a\npassword=s3cret\n");
        keyMade.countDown();
        CredentialStore store = store();
        AgentIdentity identity = new AgentIdentity(file, () -> store);
        InstanceClient client = new InstanceClient("http://127.0.0.1:9", "mid", "shared", Duration.ofSeconds(1), null);

        assertTrue(identity.apply(client));
        assertTrue(client.usesOwnIdentity());
        Await.until("sealed", () -> {
            try {
                return read(file).getProperty("password").startsWith(CredentialStore.ENCRYPTED_PREFIX);
            } catch (Exception e) {
                return false;
            }
        });
    }
}
