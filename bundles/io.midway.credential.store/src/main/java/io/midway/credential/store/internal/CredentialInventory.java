package io.midway.credential.store.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the shell commands see of the store, besides the public services. Never a secret. */
interface CredentialInventory {

    /** @return the revision held, {@code ""} when none */
    String revision();

    /** @return every credential held, active or not, of a known type, sorted by type, order, name */
    List<StoredCredential> all();

    /**
     * @param idOrName a {@code sys_id} or a name
     * @param target the target to test it for (told to an external resolver), or {@code null}
     * @return the credential, or empty
     */
    Optional<StoredCredential> credential(String idOrName, String target);

    /** @return the credentials held that cannot be offered (an unknown type), as "name (type)" */
    List<String> unusable();

    /** @return credential {@code sys_id} to the targets it has affinity for, sorted */
    Map<String, List<String>> affinityTargets();

    /**
     * @param value a clear value
     * @return {@code encrypted:<text>} for this agent's key
     */
    String encrypt(String value);
}
