package io.midway.wire;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reply of {@code GET /api/mid/credentials?agent=NAME}: every credential the agent may use, its
 * secrets sealed for that agent's key.
 *
 * @param revision changes with every change of the credentials; the same value rides on every
 *     poll reply as {@code credential_revision}, so the agent fetches again only when it differs
 * @param result the credentials; never {@code null}
 */
public record CredentialSync(
        @JsonProperty("revision") String revision,
        @JsonProperty("result") List<CredentialRecord> result) {

    /**
     * Copies the list and turns {@code null} into an empty one.
     *
     * @param revision the credentials' revision
     * @param result the credentials, or {@code null}
     */
    public CredentialSync {
        result = result == null ? List.of() : List.copyOf(result);
    }
}
