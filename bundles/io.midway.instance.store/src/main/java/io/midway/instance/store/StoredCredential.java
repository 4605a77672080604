package io.midway.instance.store;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A credential as stored: its secrets are ciphertexts (the caller encrypts and decrypts them).
 *
 * @param sysId its sys_id
 * @param name its unique name
 * @param type its type ({@code basic}, {@code ssh_key} …)
 * @param order the order agents try credentials in, lowest first
 * @param active whether agents get it
 * @param fields the non-secret fields that are set, by name
 * @param secrets the secret fields that are set: name → ciphertext
 * @param resolver the external resolver on the agent, or {@code null} for a credential held here
 * @param externalId the id the resolver knows it by, or {@code null}
 * @param createdMs when it was created, epoch milliseconds
 * @param updatedMs when it was last changed, epoch milliseconds
 */
public record StoredCredential(String sysId, String name, String type, int order, boolean active,
        Map<String, String> fields, Map<String, String> secrets, String resolver, String externalId,
        long createdMs, long updatedMs) {

    /** Copies the maps (sorted by name, unmodifiable). */
    public StoredCredential {
        fields = Collections.unmodifiableMap(new TreeMap<>(fields));
        secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
    }
}
