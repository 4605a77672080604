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
 */
public record AgentRegistration(
        String name,
        String version,
        String hostName,
        String ipAddress,
        List<String> capabilities,
        String publicKey) {

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
        this(name, version, hostName, ipAddress, capabilities, null);
    }
}
