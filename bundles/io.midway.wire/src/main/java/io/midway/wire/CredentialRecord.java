package io.midway.wire;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A credential as the instance pushes it to one agent ({@code GET /api/mid/credentials}). The
 * secret fields are only there sealed for that agent's key ({@link SealedSecret}); an external
 * credential carries no secret at all, only the resolver's name and the id it understands.
 *
 * @param sysId unique id
 * @param name the credential's name, unique on the instance
 * @param type the credential type id, e.g. {@code basic}, {@code ssh_key}, {@code snmpv3}
 * @param order the order in which credentials of a type are tried, lowest first
 * @param active whether probes may use it
 * @param fields the non-secret fields, e.g. {@code {"user_name":"scott"}}; never {@code null}
 * @param sealed secret field name to {@link SealedSecret} text sealed for the receiving agent;
 *     never {@code null}
 * @param resolver the name of the external resolver that supplies the fields, or {@code null}
 *     for a credential stored on the instance
 * @param externalId the id the external resolver understands, or {@code null}
 */
public record CredentialRecord(
        @JsonProperty("sys_id") String sysId,
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("order") int order,
        @JsonProperty("active") boolean active,
        @JsonProperty("fields") Map<String, String> fields,
        @JsonProperty("sealed") Map<String, String> sealed,
        @JsonProperty("resolver") String resolver,
        @JsonProperty("external_id") String externalId) {

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
    public CredentialRecord {
        fields = copy(fields);
        sealed = copy(sealed);
    }

    private static Map<String, String> copy(Map<String, String> map) {
        return map == null || map.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
