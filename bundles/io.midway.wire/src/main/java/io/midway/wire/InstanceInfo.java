package io.midway.wire;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reply of the public {@code GET /api/mid/instance_info}.
 *
 * @param version the instance version, which agents follow
 * @param core the agent core the instance offers, or {@code null} when it offers none
 */
public record InstanceInfo(
        @JsonProperty("version") String version,
        @JsonProperty("core") Core core) {

    /**
     * The agent core jar an instance offers.
     *
     * @param symbolicName its Bundle-SymbolicName
     * @param version its Bundle-Version
     * @param sha256 hex SHA-256 of the jar
     * @param size size in bytes
     */
    public record Core(
            @JsonProperty("symbolic_name") String symbolicName,
            @JsonProperty("version") String version,
            @JsonProperty("sha256") String sha256,
            @JsonProperty("size") long size) {
    }
}
