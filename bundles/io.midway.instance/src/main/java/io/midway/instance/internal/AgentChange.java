package io.midway.instance.internal;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
 * @param cluster its cluster
 * @param isDefault whether it is the default agent
 */
public record AgentChange(String status, Boolean validated, List<String> applications, List<String> ipRanges,
        String cluster, Boolean isDefault) {

    /** Fields an admin may change. */
    static final Set<String> CHANGEABLE = Set.of("status", "validated", "applications", "ip_ranges", "cluster",
            "is_default");
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
        AgentChange change = new AgentChange(JsonBody.text(object, "status"), JsonBody.bool(object, "validated"),
                JsonBody.stringList(object, "applications"), JsonBody.stringList(object, "ip_ranges"),
                object.has("cluster") ? nonNull(JsonBody.text(object, "cluster")) : null,
                JsonBody.bool(object, "is_default"));
        if (change.status == null && change.validated == null && change.applications == null
                && change.ipRanges == null && change.cluster == null && change.isDefault == null) {
            throw RequestException.badRequest("nothing to change",
                    "fields that can be changed: " + String.join(", ", new TreeSet<>(CHANGEABLE)));
        }
        return change;
    }

    private static String nonNull(String text) {
        return text == null ? "" : text.trim();
    }
}
