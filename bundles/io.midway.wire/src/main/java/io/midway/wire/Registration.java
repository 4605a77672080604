package io.midway.wire;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /api/mid/agents/register}.
 *
 * @param name the agent name
 * @param version the agent core version
 * @param hostName the host it runs on
 * @param ipAddress its IP address
 * @param capabilities the protocols it can speak
 */
public record Registration(
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("host_name") String hostName,
        @JsonProperty("ip_address") String ipAddress,
        @JsonProperty("capabilities") List<String> capabilities) {
}
