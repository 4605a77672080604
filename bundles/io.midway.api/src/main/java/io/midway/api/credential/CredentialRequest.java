package io.midway.api.credential;

import java.util.Objects;

/**
 * What the agent asks an external {@link CredentialResolver} for. Holds no secret.
 *
 * @param credentialId the id the resolver understands (the credential's {@code external_id}),
 *     e.g. a vault path
 * @param type the credential type, which says which fields to return
 * @param target the host, address or URL the credential is wanted for, or {@code null} when
 *     unknown
 * @param credentialName the credential's name on the instance, for messages
 */
public record CredentialRequest(String credentialId, CredentialType type, String target, String credentialName) {

    /**
     * Checks the required parts.
     *
     * @param credentialId the id the resolver understands
     * @param type the credential type
     * @param target the target, or {@code null}
     * @param credentialName the credential's name on the instance
     * @throws NullPointerException when the id, the type or the name is {@code null}
     */
    public CredentialRequest {
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(credentialName, "credentialName");
    }
}
