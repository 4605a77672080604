package io.midway.instance.console.internal;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.Agent;

/**
 * An agent as the console's {@code agents.json} shows it: the fields, names, order and nulls of
 * the {@code ecc_agent} records of the HTTP API (the wire record {@code io.midway.wire.AgentRecord}),
 * written from the domain record without depending on the wire bundle.
 */
final class AgentJson {

    private AgentJson() {
    }

    static ObjectNode json(Agent a) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("sys_id", a.sysId());
        node.put("name", a.name());
        node.put("status", a.status());
        node.put("validated", a.validated());
        node.put("version", a.version());
        node.put("host_name", a.hostName());
        node.put("ip_address", a.ipAddress());
        node.put("last_refreshed", a.lastRefreshed());
        list(node, "capabilities", a.capabilities());
        list(node, "applications", a.applications());
        list(node, "ip_ranges", a.ipRanges());
        node.put("cluster", a.cluster());
        node.put("is_default", a.isDefault());
        node.put("sync_revision", a.syncRevision());
        node.put("sync_state", a.syncState());
        node.put("pinned_version", a.pinnedVersion());
        node.put("public_key_fingerprint", a.publicKeyFingerprint());
        if (a.manualCapabilities() != null) {
            list(node, "manual_capabilities", a.manualCapabilities());
        }
        if (a.advertisedCapabilities() != null) {
            list(node, "advertised_capabilities", a.advertisedCapabilities());
        }
        return node;
    }

    private static void list(ObjectNode node, String field, List<String> values) {
        if (values == null) {
            node.putNull(field);
            return;
        }
        ArrayNode array = node.putArray(field);
        values.forEach(array::add);
    }
}
