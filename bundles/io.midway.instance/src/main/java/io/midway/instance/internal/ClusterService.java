package io.midway.instance.internal;

import io.midway.instance.api.AgentClusters;
import io.midway.instance.api.ClusterChange;
import io.midway.instance.api.InstanceException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.store.StoreSession;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;

import org.osgi.service.component.annotations.Reference;

/**
 * Agent clusters (failover, load balance): creating, changing and deleting them, with each
 * member's {@code ecc_agent.cluster} kept in step; an agent is in at most one cluster.
 */
@Component(service = {AgentClusters.class})
public class ClusterService implements AgentClusters {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterService.class);

    private final InstanceCore core;

    /**
     * @param core the instance core
     */
    @Activate
    public ClusterService(@Reference InstanceCore core) {
        this.core = core;
    }

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
    public AgentCluster createCluster(ClusterChange change) {
        if (change.name() == null) {
            throw InstanceException.invalid("field 'name' is required");
        }
        if (change.type() == null) {
            throw InstanceException.invalid("field 'type' is required",
                    "one of: " + io.midway.instance.api.ClusterType.labels());
        }
        return core.write((s, c) -> {
            long now = c.now.toEpochMilli();
            AgentCluster cluster = new AgentCluster(AgentRecords.newSysId(), change.name(), change.type(),
                    change.members() == null ? List.of() : change.members(), now, now);
            List<AgentCluster> all = s.clusters();
            requireFree(all, cluster);
            s.insertCluster(cluster);
            s.setAgentCluster(cluster.members(), cluster.name());
            LOG.info("Agent cluster {} ({}) created: {}, members {}", cluster.name(), cluster.sysId(),
                    cluster.type().label(), cluster.members());
            return cluster;
        });
    }

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
    public AgentCluster updateCluster(String sysId, ClusterChange change) {
        if (change.isEmpty()) {
            throw InstanceException.invalid("nothing to change", "fields that can be changed: name, type, members");
        }
        return core.write((s, c) -> {
            AgentCluster old = s.findCluster(sysId).orElseThrow(() -> clusterNotFound(sysId));
            AgentCluster cluster = new AgentCluster(sysId, change.name() != null ? change.name() : old.name(),
                    change.type() != null ? change.type() : old.type(),
                    change.members() != null ? change.members() : old.members(), old.createdMs(),
                    c.now.toEpochMilli());
            requireFree(s.clusters(), cluster);
            s.updateCluster(cluster);
            List<String> left = old.members().stream().filter(m -> !cluster.hasMember(m)).toList();
            s.setAgentCluster(left, "");
            s.setAgentCluster(cluster.members(), cluster.name());
            LOG.info("Agent cluster {} ({}) changed: {}, members {}{}", cluster.name(), sysId, cluster.type().label(),
                    cluster.members(), old.name().equals(cluster.name()) ? "" : " (was named " + old.name() + ")");
            return cluster;
        });
    }

    /**
     * Deletes a cluster; its members' {@code ecc_agent.cluster} is cleared. Work stays where it is.
     *
     * @param sysId the cluster's sys_id
     * @throws InstanceException 404 for an unknown sys_id
     */
    public void deleteCluster(String sysId) {
        core.write((s, c) -> {
            AgentCluster old = s.findCluster(sysId).orElseThrow(() -> clusterNotFound(sysId));
            s.deleteCluster(sysId);
            s.setAgentCluster(old.members(), "");
            LOG.info("Agent cluster {} ({}) deleted; its members {} are in no cluster now", old.name(), sysId,
                    old.members());
            return null;
        });
    }

    /**
     * @param query a query on {@link TableSchema#ECC_AGENT_CLUSTER}
     * @return the matching clusters
     */
    public List<AgentCluster> clusters(TableQuery query) {
        AgentRecords.requireTable(query, TableSchema.ECC_AGENT_CLUSTER);
        core.requireOpen();
        return core.read(s -> s.queryClusters(query));
    }

    /**
     * @param sysId a sys_id
     * @return the cluster
     */
    public Optional<AgentCluster> cluster(String sysId) {
        core.requireOpen();
        return core.read(s -> s.findCluster(sysId));
    }

    /** 409 when the cluster's name is taken or a member of it is in another cluster. */
    private static void requireFree(List<AgentCluster> all, AgentCluster cluster) {
        for (AgentCluster other : all) {
            if (other.sysId().equals(cluster.sysId())) {
                continue;
            }
            if (other.name().equals(cluster.name())) {
                throw InstanceException.conflict("a cluster named '" + cluster.name() + "' exists",
                        "its sys_id is " + other.sysId() + "; names are unique");
            }
            for (String member : cluster.members()) {
                if (other.hasMember(member)) {
                    throw InstanceException.conflict("agent '" + member + "' is already in cluster '" + other.name()
                            + "'", "an agent is in at most one cluster: remove it from '" + other.name()
                            + "' first (PATCH /api/now/table/ecc_agent_cluster/" + other.sysId() + ")");
                }
            }
        }
    }

    /** An admin sets {@code ecc_agent.cluster}: the agent leaves its cluster and joins the named one as its last member. */
    static void moveToCluster(StoreSession s, Changes c, String agentName, String clusterName)
            throws SQLException {
        AgentCluster target = null;
        if (!clusterName.isEmpty()) {
            target = s.findClusterByName(clusterName).orElseThrow(() -> InstanceException.invalid(
                    "no cluster named '" + clusterName + "'",
                    "create it with POST /api/now/table/ecc_agent_cluster, or send \"\" to take the agent out of its cluster"));
        }
        long now = c.now.toEpochMilli();
        for (AgentCluster cluster : s.clusters()) {
            if (cluster.hasMember(agentName)) {
                s.updateCluster(new AgentCluster(cluster.sysId(), cluster.name(), cluster.type(),
                        cluster.members().stream().filter(m -> !m.equals(agentName)).toList(), cluster.createdMs(), now));
                LOG.info("Agent {} left cluster {}", agentName, cluster.name());
            }
        }
        if (target != null) {
            target = s.findClusterByName(clusterName).orElseThrow();
            if (target.hasMember(agentName)) {
                return;
            }
            List<String> members = new ArrayList<>(target.members());
            members.add(agentName);
            s.updateCluster(new AgentCluster(target.sysId(), target.name(), target.type(), members, target.createdMs(),
                    now));
            LOG.info("Agent {} joined cluster {} as its last member", agentName, target.name());
        }
    }

    private static InstanceException clusterNotFound(String sysId) {
        return new InstanceException(InstanceException.Reason.NOT_FOUND, "No Record found",
                "no ecc_agent_cluster record with sys_id " + sysId);
    }
}
