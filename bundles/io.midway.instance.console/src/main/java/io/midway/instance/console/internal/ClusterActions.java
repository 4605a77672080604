package io.midway.instance.console.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.api.AgentClusters;
import io.midway.instance.api.ClusterChange;
import io.midway.instance.api.InstanceException;
import io.midway.wire.Json;

/**
 * The cluster forms of the Agents page: create, change and delete an agent cluster with the
 * rules of {@code POST}/{@code PATCH}/{@code DELETE /api/now/table/ecc_agent_cluster} — the form's
 * values become the body the Table API would take ({@link ClusterChange#parse}).
 */
final class ClusterActions {

    /** {@value}: make a cluster (POST: name, type, members). */
    static final String CREATE = "cluster-create";
    /** {@value}: change a cluster (POST: sys_id, type, members). */
    static final String UPDATE = "cluster-update";
    /** {@value}: delete a cluster (POST: sys_id). */
    static final String DELETE = "cluster-delete";
    /** The actions. */
    static final Set<String> ACTIONS = Set.of(CREATE, UPDATE, DELETE);

    /** Form fields. */
    static final String SYS_ID = "cluster_sys_id";
    static final String NAME = "cluster_name";
    static final String TYPE = "cluster_type";
    static final String MEMBERS = "cluster_members";

    private final AgentClusters clusters;

    ClusterActions(AgentClusters clusters) {
        this.clusters = clusters;
    }

    /**
     * @param action one of {@link #ACTIONS}
     * @param sysId the cluster's sys_id (change, delete)
     * @param name its name (create)
     * @param type {@code failover} or {@code load_balance}
     * @param members agent names, comma or line separated, in failover order
     * @return what was done, for the page
     * @throws InstanceException what the Table API would answer with 400 or 404
     */
    String apply(String action, String sysId, String name, String type, String members) {
        switch (action) {
            case CREATE -> {
                ObjectNode body = body(type, members);
                body.put("name", name == null ? "" : name.trim());
                AgentCluster created = clusters.createCluster(ClusterChange.parse(body));
                return "Cluster " + created.name() + " created (" + created.type().label() + ": "
                        + String.join(", ", created.members()) + ").";
            }
            case UPDATE -> {
                AgentCluster changed = clusters.updateCluster(requireId(sysId), ClusterChange.parse(body(type, members)));
                return "Cluster " + changed.name() + " saved (" + changed.type().label() + ": "
                        + String.join(", ", changed.members()) + ").";
            }
            case DELETE -> {
                String id = requireId(sysId);
                String shown = clusters.cluster(id).map(AgentCluster::name).orElse(id);
                clusters.deleteCluster(id);
                return "Cluster " + shown + " deleted; its agents no longer belong to a cluster.";
            }
            default -> throw InstanceException.invalid("unknown cluster action '" + action + "'");
        }
    }

    private static String requireId(String sysId) {
        if (sysId == null || sysId.isBlank()) {
            throw InstanceException.invalid("no cluster chosen", "the form carries the cluster's sys_id");
        }
        return sysId.trim();
    }

    private static ObjectNode body(String type, String members) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("type", type == null ? "" : type.trim());
        ArrayNode list = body.putArray("members");
        for (String member : split(members)) {
            list.add(member);
        }
        return body;
    }

    /** @return the names in a comma- or line-separated list, trimmed, blanks dropped */
    static List<String> split(String text) {
        List<String> names = new ArrayList<>();
        if (text != null) {
            for (String part : text.split("[,\\r\\n]+")) {
                if (!part.isBlank()) {
                    names.add(part.trim());
                }
            }
        }
        return names;
    }
}
