package io.midway.instance.api;

import java.util.List;

/**
 * An agent registering with the instance (the body of {@code POST /api/mid/agents/register},
 * the wire record {@code io.midway.wire.Registration}).
 *
 * @param name the agent name
 * @param version the agent core version
 * @param hostName the host it runs on
 * @param ipAddress its IP address
 * @param capabilities the protocols it can speak
 * @param publicKey the agent's RSA public key ({@code SealedSecret.publicKeyText}), for the
 *     instance to seal credential secrets with, or {@code null} when the agent has none
 * @param held on the first registration after a start: the sys_ids of the output records leased
 *     to the agent that it still holds and will answer; every other record leased to it becomes
 *     {@code ready} again at once. {@code null}: the agent says nothing (no lease changes)
 */
public record AgentRegistration(
        String name,
        String version,
        String hostName,
        String ipAddress,
        List<String> capabilities,
        String publicKey,
        List<String> held) {

    /**
     * A registration that says nothing about held leases.
     *
     * @param name the agent name
     * @param version the agent core version
     * @param hostName the host it runs on
     * @param ipAddress its IP address
     * @param capabilities the protocols it can speak
     * @param publicKey the agent's RSA public key, or {@code null}
     */
    public AgentRegistration(String name, String version, String hostName, String ipAddress, List<String> capabilities,
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
    public AgentRegistration(String name, String version, String hostName, String ipAddress, List<String> capabilities) {
        this(name, version, hostName, ipAddress, capabilities, null, null);
    }
}
