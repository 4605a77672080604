package io.midway.credential.store.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.midway.api.credential.CredentialType;
import io.midway.wire.CredentialRecord;

/**
 * What the Credentials page of the Web Console shows, as one snapshot of the store: the revision
 * held, the agent key's fingerprint, each credential without any secret, and the records that
 * cannot be used. It is made from the records as pushed and never opens a secret; it is the
 * page's JSON as it stands.
 *
 * @param revision the revision held, {@code ""} when none was received
 * @param agentKeyFingerprint {@code SHA256:<hex>} of the agent's public key, or {@code null} when
 *     it could not be read (see {@code agentKeyNote})
 * @param agentKeyNote why there is no fingerprint, or {@code null}
 * @param credentials the credentials held, in the store's order (type, order, name)
 * @param unusable the records of an unknown type, as "name (type)"
 */
record CredentialOverview(
        @JsonProperty("revision") String revision,
        @JsonProperty("agent_key_fingerprint") String agentKeyFingerprint,
        @JsonProperty("agent_key_note") String agentKeyNote,
        @JsonProperty("credentials") List<Row> credentials,
        @JsonProperty("unusable") List<String> unusable) {

    /**
     * One credential, without any secret.
     *
     * @param name its name
     * @param sysId its sys_id
     * @param type its type id
     * @param order the order it is tried in
     * @param active whether probes may use it
     * @param resolver the external resolver that supplies its fields, or {@code null}
     * @param externalId the id the resolver is asked for, or {@code null}
     * @param secretsSet the names of the secret fields it holds (sealed), in the type's order;
     *     {@code null} for an external credential, whose secrets come from the resolver on each use
     * @param affinity the targets it last worked for, sorted
     */
    record Row(
            @JsonProperty("name") String name,
            @JsonProperty("sys_id") String sysId,
            @JsonProperty("type") String type,
            @JsonProperty("order") int order,
            @JsonProperty("active") boolean active,
            @JsonProperty("resolver") String resolver,
            @JsonProperty("external_id") String externalId,
            @JsonProperty("secrets_set") List<String> secretsSet,
            @JsonProperty("affinity") List<String> affinity) {

        /** @return whether its fields come from an external resolver */
        boolean external() {
            return resolver != null;
        }
    }

    /**
     * Takes a snapshot of the store. Reads the records as pushed (secrets sealed) and which secret
     * fields they carry; opens nothing.
     *
     * @param inventory the store
     * @param agentKeyFingerprint the agent key's fingerprint, or {@code null}
     * @param agentKeyNote why there is none, or {@code null}
     * @return the snapshot
     */
    static CredentialOverview of(CredentialInventory inventory, String agentKeyFingerprint, String agentKeyNote) {
        Map<String, List<String>> affinity = inventory.affinityTargets();
        List<Row> rows = new ArrayList<>();
        for (StoredCredential credential : inventory.all()) {
            CredentialRecord record = credential.record();
            CredentialType type = credential.type();
            boolean external = credential.external();
            List<String> secretsSet = null;
            if (!external) {
                secretsSet = new ArrayList<>();
                for (String field : type.secretFields()) {
                    if (credential.hasSecret(field)) {
                        secretsSet.add(field);
                    }
                }
                secretsSet = List.copyOf(secretsSet);
            }
            rows.add(new Row(credential.name(), credential.id(), type.id(), credential.order(), credential.active(),
                    external ? record.resolver().trim() : null,
                    external ? blankToNull(record.externalId()) : null,
                    secretsSet, List.copyOf(affinity.getOrDefault(credential.id(), List.of()))));
        }
        return new CredentialOverview(inventory.revision(), agentKeyFingerprint, agentKeyNote, List.copyOf(rows),
                List.copyOf(inventory.unusable()));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
