package io.midway.instance.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The credentials agents use: encrypted at rest, sealed for one agent's validated key on delivery.
 */
@ProviderType
public interface Credentials {

    /**
     * @param body the request body: {@code name} and {@code type} required, {@code order},
     *     {@code active}, the type's fields, {@code resolver} and {@code external_id}
     * @return the stored credential as the Table API shows it (no secret values)
     * @throws InstanceException 400 for invalid input, 409 for a duplicate name
     */
    ObjectNode create(JsonNode body);

    /**
     * Changes the fields the body names: a secret field with a value replaces the secret, with
     * {@code ""} or {@code null} clears it; so does {@code ""}/{@code null} for the other text
     * fields. A change of type drops the fields the new type does not have.
     *
     * @param sysId the credential's sys_id
     * @param body the fields to change
     * @return the credential as stored
     * @throws InstanceException 400 for invalid input, 404 for an unknown sys_id, 409 for a duplicate name
     */
    ObjectNode update(String sysId, JsonNode body);

    /**
     * Deletes a credential and its affinity rows ({@code dscy_credentials_affinity}).
     *
     * @param sysId the credential's sys_id
     * @throws InstanceException 404 for an unknown sys_id
     */
    void delete(String sysId);

    /**
     * @param query a query on {@link TableSchema#DISCOVERY_CREDENTIALS}
     * @return the matching credentials as the Table API shows them, reduced to the query's fields
     */
    List<ObjectNode> list(TableQuery query);

    /**
     * @param sysId a sys_id
     * @return the credential as the Table API shows it
     */
    Optional<ObjectNode> get(String sysId);

    /** @return the current credential revision */
    String revision();

    /**
     * The active credentials for one agent, each secret decrypted from the store and sealed with
     * that agent's public key, so only it can open them. External credentials carry no secret.
     *
     * @param agentName the agent
     * @return the revision (read before the credentials, so a change in between makes the agent
     *     fetch again) and the credentials, by order then name
     * @throws InstanceException 400 without a name, 404 for an unknown agent, 403 for an agent that
     *     is not validated, 409 when the agent has registered no public key
     */
    CredentialSnapshot forAgent(String agentName);
}
