package io.midway.instance.internal;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.framework.Version;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated admin change of an agent ({@code PATCH /api/now/table/ecc_agent/{sys_id}}); a
 * {@code null} component leaves the field as it is.
 *
 * @param status {@code Paused} or {@code Up}
 * @param validated whether it may take work
 * @param applications applications it serves
 * @param ipRanges IP ranges it serves
 * @param cluster the name of an existing {@code ecc_agent_cluster} the agent joins as its last member
 *     (leaving its cluster), or {@code ""} to leave its cluster
 * @param isDefault whether it is the default agent
 * @param pinnedVersion the core version to pin the agent to, normalised; {@code ""} to unpin it
 *     (it follows the instance version again)
 */
public record AgentChange(String status, Boolean validated, List<String> applications, List<String> ipRanges,
        String cluster, Boolean isDefault, String pinnedVersion) {

    /**
     * A change that leaves the pinned version as it is.
     *
     * @param status {@code Paused} or {@code Up}
     * @param validated whether it may take work
     * @param applications applications it serves
     * @param ipRanges IP ranges it serves
     * @param cluster its cluster
     * @param isDefault whether it is the default agent
     */
    public AgentChange(String status, Boolean validated, List<String> applications, List<String> ipRanges,
            String cluster, Boolean isDefault) {
        this(status, validated, applications, ipRanges, cluster, isDefault, null);
    }

    /** Fields an admin may change. */
    static final Set<String> CHANGEABLE = Set.of("status", "validated", "applications", "ip_ranges", "cluster",
            "is_default", "pinned_version");
    /** Fields of an agent record that the instance maintains itself; ignored in a change. */
    static final Set<String> READ_ONLY = Set.of("sys_id", "name", "version", "host_name", "ip_address",
            "last_refreshed", "capabilities", "sync_revision", "sync_state");

    /**
     * @param body the request body
     * @return the change
     * @throws RequestException (400) on an unknown field, a wrong type, or no change at all
     */
    public static AgentChange parse(JsonNode body) {
        ObjectNode object = JsonBody.object(body);
        Set<String> unknown = new TreeSet<>();
        object.fieldNames().forEachRemaining(name -> {
            if (!CHANGEABLE.contains(name) && !READ_ONLY.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw RequestException.badRequest("unknown field(s) " + String.join(", ", unknown),
                    "fields that can be changed: " + String.join(", ", new TreeSet<>(CHANGEABLE)));
        }
        List<String> ipRanges = JsonBody.stringList(object, "ip_ranges");
        if (ipRanges != null) {
            try {
                io.midway.instance.internal.selection.IpRanges.parse(ipRanges);
            } catch (IllegalArgumentException e) {
                throw RequestException.badRequest(e.getMessage(),
                        "each ip_ranges entry is a CIDR block (10.0.0.0/8), an address (192.168.1.7) or a range "
                                + "(10.0.0.1-10.0.0.50); nothing was changed");
            }
        }
        AgentChange change = new AgentChange(JsonBody.text(object, "status"), JsonBody.bool(object, "validated"),
                JsonBody.stringList(object, "applications"), JsonBody.stringList(object, "ip_ranges"),
                object.has("cluster") ? nonNull(JsonBody.text(object, "cluster")) : null,
                JsonBody.bool(object, "is_default"), object.has("pinned_version") ? pinned(object) : null);
        if (change.status == null && change.validated == null && change.applications == null
                && change.ipRanges == null && change.cluster == null && change.isDefault == null
                && change.pinnedVersion == null) {
            throw RequestException.badRequest("nothing to change",
                    "fields that can be changed: " + String.join(", ", new TreeSet<>(CHANGEABLE)));
        }
        return change;
    }

    /** @return the version, normalised, or {@code ""} for null or blank (unpin) */
    private static String pinned(ObjectNode object) {
        String text = JsonBody.text(object, "pinned_version");
        if (text == null || text.isBlank()) {
            return "";
        }
        try {
            return Version.parseVersion(text.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest("invalid pinned_version '" + (text.length() > 100
                    ? text.substring(0, 97) + "..." : text) + "'",
                    "an OSGi version is major[.minor[.micro[.qualifier]]], or null to unpin: " + e.getMessage());
        }
    }

    private static String nonNull(String text) {
        return text == null ? "" : text.trim();
    }
}
