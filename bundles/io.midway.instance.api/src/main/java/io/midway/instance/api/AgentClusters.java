package io.midway.instance.api;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Agent clusters (failover, load balance); an agent is in at most one. */
@ProviderType
public interface AgentClusters {

    /**
     * Creates an agent cluster; its members' {@code ecc_agent.cluster} shows its name. Members
     * need not be registered yet (an admin may define the cluster first): an agent that registers
     * later with a member's name is a member.
     *
     * @param change the body: {@code name}, {@code type} required; {@code members} optional
     * @return the stored cluster
     * @throws InstanceException 400 without a name or type, 409 for a taken name or a member that is
     *     in another cluster (named)
     */
    AgentCluster createCluster(ClusterChange change);

    /**
     * Changes the fields the body names; members that leave lose their {@code ecc_agent.cluster},
     * members (old and new) show the new name. Work already moved stays where it is.
     *
     * @param sysId the cluster's sys_id
     * @param change the fields to change
     * @return the cluster as stored
     * @throws InstanceException 400 for nothing to change, 404 for an unknown sys_id, 409 for a taken
     *     name or a member in another cluster
     */
    AgentCluster updateCluster(String sysId, ClusterChange change);

    /**
     * Deletes a cluster; its members' {@code ecc_agent.cluster} is cleared. Work stays where it is.
     *
     * @param sysId the cluster's sys_id
     * @throws InstanceException 404 for an unknown sys_id
     */
    void deleteCluster(String sysId);

    /**
     * @param query a query on {@link TableSchema#ECC_AGENT_CLUSTER}
     * @return the matching clusters
     */
    List<AgentCluster> clusters(TableQuery query);

    /**
     * @param sysId a sys_id
     * @return the cluster
     */
    Optional<AgentCluster> cluster(String sysId);
}
