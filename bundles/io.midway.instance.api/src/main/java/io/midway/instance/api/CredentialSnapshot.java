package io.midway.instance.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The credentials one agent may use, their secrets sealed for that agent's key, as
 * {@link Credentials#forAgent} returns them ({@code GET /api/mid/credentials?agent=NAME} sends the
 * wire record {@code io.midway.wire.CredentialSync}).
 *
 * @param revision changes with every change of the credentials; the same value rides on every
 *     poll reply as {@code credential_revision}, so the agent fetches again only when it differs
 * @param result the credentials; never {@code null}
 */
public record CredentialSnapshot(
        String revision,
        List<Credential> result) {

    /**
     * Copies the list and turns {@code null} into an empty one.
     *
     * @param revision the credentials' revision
     * @param result the credentials, or {@code null}
     */
    public CredentialSnapshot {
        result = result == null ? List.of() : List.copyOf(result);
    }

    /**
     * A credential as the instance pushes it to one agent (the wire record
     * {@code io.midway.wire.CredentialRecord}). The secret fields are only there sealed for that
     * agent's key; an external credential carries no secret at all, only the resolver's name and
     * the id it understands.
     *
     * @param sysId unique id
     * @param name the credential's name, unique on the instance
     * @param type the credential type id, e.g. {@code basic}, {@code ssh_key}, {@code snmpv3}
     * @param order the order in which credentials of a type are tried, lowest first
     * @param active whether probes may use it
     * @param fields the non-secret fields, e.g. {@code {"user_name":"scott"}}; never {@code null}
     * @param sealed secret field name to sealed-secret text sealed for the receiving agent;
     *     never {@code null}
     * @param resolver the name of the external resolver that supplies the fields, or {@code null}
     *     for a credential stored on the instance
     * @param externalId the id the external resolver understands, or {@code null}
     */
    public record Credential(
            String sysId,
            String name,
            String type,
            int order,
            boolean active,
            Map<String, String> fields,
            Map<String, String> sealed,
            String resolver,
            String externalId) {

        /**
         * Copies the maps (unmodifiable, in their order) and turns {@code null} maps into empty ones.
         *
         * @param sysId unique id
         * @param name the credential's name
         * @param type the credential type id
         * @param order the order of trying, lowest first
         * @param active whether probes may use it
         * @param fields the non-secret fields, or {@code null}
         * @param sealed the sealed secret fields, or {@code null}
         * @param resolver the external resolver's name, or {@code null}
         * @param externalId the id the external resolver understands, or {@code null}
         */
        public Credential {
            fields = copy(fields);
            sealed = copy(sealed);
        }

        private static Map<String, String> copy(Map<String, String> map) {
            return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
        }
    }
}
