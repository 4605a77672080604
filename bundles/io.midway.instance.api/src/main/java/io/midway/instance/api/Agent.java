package io.midway.instance.api;

import java.util.List;

/**
 * An agent as the instance knows it ({@code ecc_agent} table). The HTTP bundle maps it to the wire
 * record {@code io.midway.wire.AgentRecord}, which has the same components in the same order.
 *
 * @param sysId unique id
 * @param name agent name
 * @param status {@code Up}, {@code Down}, {@code Paused}, {@code Upgrading}, {@code Upgrade Failed}
 * @param validated whether it may take work
 * @param version its core version
 * @param hostName host name
 * @param ipAddress IP address
 * @param lastRefreshed the last time it was heard from
 * @param capabilities the capabilities it has: those it advertised (installed protocol bundles) and,
 *     after them, those set by hand ({@code manualCapabilities}), each once (case-insensitive)
 * @param applications applications it serves
 * @param ipRanges IP ranges it serves
 * @param cluster the cluster it belongs to, or empty
 * @param isDefault whether it is the default agent
 * @param syncRevision the file-sync revision the agent last applied, or {@code null}
 * @param syncState the outcome of its last sync: {@code applied}, {@code failed}, or {@code null}
 * @param pinnedVersion the core version this agent is pinned to, or {@code null} to follow the
 *     instance version
 * @param publicKeyFingerprint the fingerprint ({@code SealedSecret.fingerprint}) of the public key
 *     the agent registered with, or {@code null} when it sent none
 * @param manualCapabilities the capabilities an admin set by hand; they survive registrations;
 *     {@code null} in a record of an older shape
 * @param advertisedCapabilities the capabilities the agent advertised when it last registered
 *     (read-only); {@code null} in a record of an older shape
 */
public record Agent(
        String sysId,
        String name,
        String status,
        boolean validated,
        String version,
        String hostName,
        String ipAddress,
        String lastRefreshed,
        List<String> capabilities,
        List<String> applications,
        List<String> ipRanges,
        String cluster,
        boolean isDefault,
        String syncRevision,
        String syncState,
        String pinnedVersion,
        String publicKeyFingerprint,
        List<String> manualCapabilities,
        List<String> advertisedCapabilities) {

    /**
     * An agent without the split of its capabilities (the 1.5 shape): {@code capabilities}
     * is all there is.
     *
     * @param sysId unique id
     * @param name agent name
     * @param status status
     * @param validated whether it may take work
     * @param version its core version
     * @param hostName host name
     * @param ipAddress IP address
     * @param lastRefreshed the last time it was heard from
     * @param capabilities the capabilities it has
     * @param applications applications it serves
     * @param ipRanges IP ranges it serves
     * @param cluster the cluster it belongs to, or empty
     * @param isDefault whether it is the default agent
     * @param syncRevision the file-sync revision the agent last applied
     * @param syncState the outcome of its last sync
     * @param pinnedVersion the core version this agent is pinned to, or {@code null}
     * @param publicKeyFingerprint the fingerprint of its public key, or {@code null}
     */
    public Agent(String sysId, String name, String status, boolean validated, String version, String hostName,
            String ipAddress, String lastRefreshed, List<String> capabilities, List<String> applications,
            List<String> ipRanges, String cluster, boolean isDefault, String syncRevision, String syncState,
            String pinnedVersion, String publicKeyFingerprint) {
        this(sysId, name, status, validated, version, hostName, ipAddress, lastRefreshed, capabilities, applications,
                ipRanges, cluster, isDefault, syncRevision, syncState, pinnedVersion, publicKeyFingerprint, null,
                null);
    }

    /**
     * An agent without a public key fingerprint (the 1.2 shape).
     *
     * @param sysId unique id
     * @param name agent name
     * @param status status
     * @param validated whether it may take work
     * @param version its core version
     * @param hostName host name
     * @param ipAddress IP address
     * @param lastRefreshed the last time it was heard from
     * @param capabilities protocols it speaks
     * @param applications applications it serves
     * @param ipRanges IP ranges it serves
     * @param cluster the cluster it belongs to, or empty
     * @param isDefault whether it is the default agent
     * @param syncRevision the file-sync revision the agent last applied
     * @param syncState the outcome of its last sync
     * @param pinnedVersion the core version this agent is pinned to, or {@code null}
     */
    public Agent(String sysId, String name, String status, boolean validated, String version, String hostName,
            String ipAddress, String lastRefreshed, List<String> capabilities, List<String> applications,
            List<String> ipRanges, String cluster, boolean isDefault, String syncRevision, String syncState,
            String pinnedVersion) {
        this(sysId, name, status, validated, version, hostName, ipAddress, lastRefreshed, capabilities, applications,
                ipRanges, cluster, isDefault, syncRevision, syncState, pinnedVersion, null, null, null);
    }

    /**
     * An agent without a pinned version (the 1.1 shape).
     *
     * @param sysId unique id
     * @param name agent name
     * @param status status
     * @param validated whether it may take work
     * @param version its core version
     * @param hostName host name
     * @param ipAddress IP address
     * @param lastRefreshed the last time it was heard from
     * @param capabilities protocols it speaks
     * @param applications applications it serves
     * @param ipRanges IP ranges it serves
     * @param cluster the cluster it belongs to, or empty
     * @param isDefault whether it is the default agent
     * @param syncRevision the file-sync revision the agent last applied
     * @param syncState the outcome of its last sync
     */
    public Agent(String sysId, String name, String status, boolean validated, String version, String hostName,
            String ipAddress, String lastRefreshed, List<String> capabilities, List<String> applications,
            List<String> ipRanges, String cluster, boolean isDefault, String syncRevision, String syncState) {
        this(sysId, name, status, validated, version, hostName, ipAddress, lastRefreshed, capabilities, applications,
                ipRanges, cluster, isDefault, syncRevision, syncState, null, null, null, null);
    }

    /**
     * An agent without file-sync state (the 1.0 shape).
     *
     * @param sysId unique id
     * @param name agent name
     * @param status status
     * @param validated whether it may take work
     * @param version its core version
     * @param hostName host name
     * @param ipAddress IP address
     * @param lastRefreshed the last time it was heard from
     * @param capabilities protocols it speaks
     * @param applications applications it serves
     * @param ipRanges IP ranges it serves
     * @param cluster the cluster it belongs to, or empty
     * @param isDefault whether it is the default agent
     */
    public Agent(String sysId, String name, String status, boolean validated, String version, String hostName,
            String ipAddress, String lastRefreshed, List<String> capabilities, List<String> applications,
            List<String> ipRanges, String cluster, boolean isDefault) {
        this(sysId, name, status, validated, version, hostName, ipAddress, lastRefreshed, capabilities, applications,
                ipRanges, cluster, isDefault, null, null, null, null, null, null);
    }

    /** Running and answering heartbeats. */
    public static final String STATUS_UP = "Up";
    /** Not answering heartbeats. */
    public static final String STATUS_DOWN = "Down";
    /** Takes heartbeats and system work only. */
    public static final String STATUS_PAUSED = "Paused";
    /** Replacing its core. */
    public static final String STATUS_UPGRADING = "Upgrading";
    /** The last upgrade failed and was rolled back. */
    public static final String STATUS_UPGRADE_FAILED = "Upgrade Failed";
}
