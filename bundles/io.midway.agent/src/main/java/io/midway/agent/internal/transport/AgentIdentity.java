package io.midway.agent.internal.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.agent.internal.lifecycle.DaemonThreads;
import io.midway.api.credential.store.CredentialStore;

/**
 * The agent's own identity on the instance (DESIGN §13), kept in {@code <data>/agent.identity}
 * (owner-only): the user name the instance made at the agent's enrollment and its password,
 * stored as the instance sent it, sealed for the agent's key ({@code encrypted:…}), so the file
 * alone gives nothing away. At a first start the instance sends it in clear (the key is still
 * being made): it is written at once, owner-only like the key, and sealed once the key is there.
 * The shared agent user only enrolls; from then on the agent logs in as itself.
 */
public final class AgentIdentity {

    /** The identity file in the data folder. */
    public static final String FILE = "agent.identity";

    private static final Logger LOG = LoggerFactory.getLogger(AgentIdentity.class);

    private final Path file;
    private final Supplier<CredentialStore> store;
    /** Writes an identity enrolled in clear once the key is there; {@code null} when none did. */
    private volatile Thread keeper;

    /**
     * @param file the identity file
     * @param store the agent's credential store, which opens the sealed password
     */
    public AgentIdentity(Path file, Supplier<CredentialStore> store) {
        this.file = file;
        this.store = store;
    }

    /**
     * Logs in as the stored identity, when there is one that opens.
     *
     * @param client the instance client
     * @return whether the client now uses the agent's own identity
     */
    public synchronized boolean apply(InstanceClient client) {
        if (client.usesOwnIdentity() || !Files.isRegularFile(file)) {
            return client.usesOwnIdentity();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Cannot read the agent identity {}: {}; enrolling again", file, e.getMessage());
            return false;
        }
        String user = p.getProperty("user");
        String password = p.getProperty("password");
        if (user == null || password == null) {
            LOG.warn("The agent identity {} is incomplete; enrolling again", file);
            return false;
        }
        try {
            client.useIdentity(user, open(password));
            if (!CredentialStore.isEncrypted(password)) {
                // written in clear at an enrollment whose sealing did not happen (the agent ended first)
                seal(user, password);
            }
            return true;
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("The agent identity {} cannot be opened ({}); enrolling again", file, e.getMessage());
            return false;
        }
    }

    /**
     * Keeps the identity the instance made at the enrollment and logs in as it.
     *
     * @param client the instance client
     * @param registered the registration's answer
     * @throws IOException when the identity cannot be opened or written: the agent then stays on
     *     the shared user and enrolls again at its next registration
     */
    public void enrolled(InstanceClient client, InstanceClient.Registered registered) throws IOException {
        if (registered.passwordSealed() != null) {
            String stored = CredentialStore.ENCRYPTED_PREFIX + registered.passwordSealed();
            String clear = open(stored);
            write(registered.identityUser(), stored);
            client.useIdentity(registered.identityUser(), clear);
            LOG.info("Enrolled: this agent now logs in as its own user '{}' ({})", registered.identityUser(), file);
            return;
        }
        // Sent in clear (the registration carried no key yet: a first start, the key being made):
        // used at once and written at once, owner-only like the key itself, so that a crash in the
        // next seconds does not lose it (the name is enrolled: a lost identity locks the agent
        // out); sealed for the agent's key as soon as the key is made, on a thread of its own, so
        // that neither the poll nor the first results wait for the key (a stop waits for it)
        String user = registered.identityUser();
        String clear = registered.password();
        write(user, clear);
        client.useIdentity(user, clear);
        LOG.info("Enrolled: this agent now logs in as its own user '{}' ({})", user, file);
        seal(user, clear);
    }

    /** Rewrites the identity file sealed for the agent's key, on a thread of its own. */
    private void seal(String user, String clear) {
        CredentialStore s = store.get();
        if (s == null) {
            return;
        }
        Thread keeper = DaemonThreads.newThread("midway-identity-keeper", () -> {
            try {
                write(user, s.encrypt(clear)); // waits for the key, making it now if not yet begun
                LOG.info("Kept this agent's identity '{}' in {}, sealed for its key", user, file);
            } catch (IOException | RuntimeException e) {
                LOG.error("Cannot seal this agent's identity '{}' in {}: {}; it stays there unsealed (owner-only) and "
                        + "is sealed at the next start", user, file, e.getMessage());
            }
        });
        this.keeper = keeper;
        keeper.start();
    }

    /**
     * Waits until an identity enrolled in clear is in the file (the agent stops: without the file
     * its next start could not log in, as its name is enrolled).
     *
     * @param millis how long to wait at most
     * @throws InterruptedException when interrupted
     */
    public void awaitKept(long millis) throws InterruptedException {
        Thread t = keeper;
        if (t != null && t.isAlive()) {
            LOG.info("Waiting for this agent's identity to be kept in {} before stopping", file);
            t.join(millis);
        }
    }

    /** Writes the identity file (owner-only), replacing it at once. */
    private synchronized void write(String user, String stored) throws IOException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", stored);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "This agent's own identity on the instance (the password sealed for its key once it is made)");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The instance refused the identity (deleted or disabled by an admin): the agent goes back to
     * the shared user to enroll again (which the instance allows only with its validated key).
     *
     * @param client the instance client
     * @param sharedUser the shared user
     * @param sharedPassword its password, or {@code null} when none is configured
     * @return whether there is a shared user to go back to
     */
    public boolean refused(InstanceClient client, String sharedUser, String sharedPassword) {
        if (!client.usesOwnIdentity() || sharedPassword == null) {
            return false;
        }
        LOG.warn("The instance refused this agent's own user '{}': enrolling again as '{}'", client.user(), sharedUser);
        try {
            Files.move(file, file.resolveSibling(FILE + ".refused"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("Cannot move the refused identity {} aside: {}", file, e.getMessage());
        }
        client.useShared(sharedUser, sharedPassword);
        return true;
    }

    private String open(String stored) {
        if (!CredentialStore.isEncrypted(stored)) {
            return stored;
        }
        CredentialStore s = store.get();
        if (s == null) {
            throw new IllegalStateException("the credential store, which holds the agent's key, is not running");
        }
        return s.decrypt(stored);
    }
}
