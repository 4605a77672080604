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
 * @param publicKey the agent's RSA public key ({@link SealedSecret#publicKeyText}), for the
 *     instance to seal credential secrets with, or {@code null} when the agent has none
 * @param held on the first registration after the agent (or its core) started: the sys_ids of the
 *     output records leased to it that it still holds and will answer (queued in its journal, or
 *     answered in its spool and not yet delivered); the instance makes every other record leased
 *     to this agent {@code ready} again at once (crash recovery). {@code null} on any other
 *     registration, and from agents before 1.9: the instance then changes no lease
 */
public record Registration(
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("host_name") String hostName,
        @JsonProperty("ip_address") String ipAddress,
        @JsonProperty("capabilities") List<String> capabilities,
        @JsonProperty("public_key") String publicKey,
        @JsonProperty("held") List<String> held) {

    /**
     * A registration that says nothing about held leases (the 1.8 shape).
     *
     * @param name the agent name
     * @param version the agent core version
     * @param hostName the host it runs on
     * @param ipAddress its IP address
     * @param capabilities the protocols it can speak
     * @param publicKey the agent's RSA public key, or {@code null}
     */
    public Registration(String name, String version, String hostName, String ipAddress, List<String> capabilities,
            String publicKey) {
        this(name, version, hostName, ipAddress, capabilities, publicKey, null);
    }

    /**
     * A registration without a public key (the 1.2 shape).
     *
     * @param name the agent name
     * @param version the agent core version
     * @param hostName the host it runs on
     * @param ipAddress its IP address
     * @param capabilities the protocols it can speak
     */
    public Registration(String name, String version, String hostName, String ipAddress, List<String> capabilities) {
        this(name, version, hostName, ipAddress, capabilities, null, null);
    }
}
