package io.midway.api.credential.store;

import java.io.IOException;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;


/**
 * The agent's credential store: its key pair and the credentials the instance pushed to it, their
 * secrets still sealed for that key. The agent core registers with {@link #publicKey()}, compares
 * {@link #revision()} with the {@code credential_revision} of each poll reply and, when they
 * differ, fetches {@code GET /api/mid/credentials?agent=NAME} and hands the reply to
 * {@link #update(String)}.
 *
 * <p><b>Local secrets.</b> A configuration value that starts with {@value #ENCRYPTED_PREFIX} is
 * encrypted for this agent's key (the shell command {@code mid:encrypt} makes one); whoever reads
 * such a value calls {@link #decrypt(String)} (see {@link #isEncrypted(String)}) and keeps the
 * clear value in memory only. The value opens only on the agent whose key encrypted it.
 *
 * <p><b>Affinity.</b> Which credential last worked for which target ({@link #affinity()}) is kept
 * here and reported to the instance: the agent core compares {@link #affinityVersion()} with the
 * version it last reported and, when they differ, posts the whole set.
 *
 * <p>Implementations are thread-safe; nothing they log, throw or show contains a secret.
 */
@ProviderType
public interface CredentialStore {

    /** The prefix that marks an encrypted configuration value: {@code encrypted:<text>}. */
    String ENCRYPTED_PREFIX = "encrypted:";

    /**
     * @return the agent's public key as the registration sends it ({@code public_key}: standard
     *     base64 of its X.509 encoding, {@code io.midway.wire.SealedSecret.publicKeyText})
     */
    String publicKey();

    /**
     * @return the revision of the credentials held, {@code ""} when none were ever received
     */
    String revision();

    /**
     * Replaces every credential held by those of the instance's reply, and its revision. The reply
     * is written to disk as received (the secrets stay sealed) before this returns; on failure the
     * store keeps what it held. The reply is passed as its JSON text, so that this API (and the
     * agent core that calls it) depends on no bundle that file sync can replace.
     *
     * @param credentialsJson the body of {@code GET /api/mid/credentials?agent=NAME}:
     *     {@code {"revision":…,"result":[…]}}
     * @return the revision taken and how many credentials it holds
     * @throws IOException when the reply is unusable (not that JSON, a record without
     *     {@code sys_id} or name, two records with one {@code sys_id}) or cannot be written
     */
    Taken update(String credentialsJson) throws IOException;

    /**
     * What an {@link #update(String)} took.
     *
     * @param revision the credentials' revision
     * @param count how many credentials the store now holds
     */
    record Taken(String revision, int count) {
    }

    /**
     * A number that changes whenever the affinity set changes (a credential worked for a target
     * where another one, or none, had worked; affinity to a credential no longer held is dropped),
     * and differs between two runs of the store. Read it before {@link #affinity()}: a change in
     * between then shows as a further change.
     *
     * @return the version of the affinity set
     * @since 1.1
     */
    long affinityVersion();

    /**
     * @return the whole current affinity set, by type then target (one entry per type and target)
     * @since 1.1
     */
    List<AffinityEntry> affinity();

    /**
     * Encrypts a value for this agent's key, for a configuration file.
     *
     * @param value the clear value
     * @return {@value #ENCRYPTED_PREFIX} followed by the encrypted text; different on every call
     */
    String encrypt(String value);

    /**
     * Decrypts a value made by {@link #encrypt(String)}.
     *
     * @param encrypted the value, with or without the {@value #ENCRYPTED_PREFIX} prefix
     * @return the clear value
     * @throws IllegalArgumentException when the value is malformed, was altered or was encrypted
     *     for another agent's key; the message never contains the value
     */
    String decrypt(String encrypted);

    /**
     * @param value a configuration value, or {@code null}
     * @return whether it starts with {@value #ENCRYPTED_PREFIX}, so must go through
     *     {@link #decrypt(String)}
     */
    static boolean isEncrypted(String value) {
        return value != null && value.startsWith(ENCRYPTED_PREFIX);
    }
}
