package io.midway.api.credential.store;

import java.util.Objects;

/**
 * One entry of the agent's credential affinity: the credential that last worked for a target of
 * a type. No secret: the credential is named by its sys_id.
 *
 * @param type the credential type id ({@code basic}, {@code ssh_key} …)
 * @param target the IP address or host name it worked for
 * @param credential the sys_id of the credential ({@code discovery_credentials} on the instance)
 */
public record AffinityEntry(String type, String target, String credential) {

    /** Checks that no part is null. */
    public AffinityEntry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(credential, "credential");
    }
}
