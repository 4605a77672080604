package io.midway.api.credential;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One credential, as a probe sees it. The agent core implements it; probes get one from
 * {@link Credentials}.
 *
 * <p>Non-secret fields are plain values; a secret is opened (decrypted, or fetched from its
 * external resolver) on each call of {@link #secret(String)} and kept only in memory by the
 * caller, for as short a time as it can.
 *
 * <p>An implementation's {@code toString()} must never show a secret (nor a sealed secret): the
 * name, the type and the id at most. Implementations are thread-safe.
 */
@ProviderType
public interface Credential {

    /**
     * @return the credential's {@code sys_id} on the instance
     */
    String id();

    /**
     * @return its name, unique on the instance, e.g. {@code lab-linux}; safe to log
     */
    String name();

    /**
     * @return its type
     */
    CredentialType type();

    /**
     * @return the order in which credentials of a type are tried, lowest first
     */
    int order();

    /**
     * A non-secret field, e.g. {@code user_name}.
     *
     * @param name a field name, one of {@link CredentialType#fields()} for this type
     * @return the value, or empty when the field is unset or is a secret field
     */
    Optional<String> field(String name);

    /**
     * Opens a secret field, e.g. {@code password}. Each call decrypts (or resolves) it afresh; the
     * value is never cached in clear by the implementation.
     *
     * @param name a secret field name, one of {@link CredentialType#secretFields()} for this type
     * @return the secret, never {@code null}
     * @throws CredentialException when the field is not a secret field of this type, is unset,
     *     cannot be opened (sealed for another key, altered) or its external resolver fails; the
     *     message names the credential and the field, never the value
     */
    String secret(String name) throws CredentialException;
}
