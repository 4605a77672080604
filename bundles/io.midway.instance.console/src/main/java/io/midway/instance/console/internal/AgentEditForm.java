package io.midway.instance.console.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.midway.instance.api.Agent;
import io.midway.wire.Json;
import jakarta.servlet.http.HttpServletRequest;

/**
 * What the edit form of one agent submitted, as text, and the PATCH body it stands for.
 *
 * @param sysId the agent's sys_id (hidden field)
 * @param applications the applications, comma-separated as typed
 * @param ipRanges the IP ranges, comma-separated as typed
 * @param manualCapabilities the capabilities set by hand, comma-separated as typed
 * @param isDefault whether the "default agent" box was ticked
 * @param validated whether the "validated" box was ticked
 * @param status {@code Up} or {@code Paused}, or empty to keep the status (an agent that is
 *     {@code Down}, {@code Upgrading} …)
 */
record AgentEditForm(String sysId, String applications, String ipRanges, String manualCapabilities, boolean isDefault,
        boolean validated, String status) {

    /** Form field: the agent's sys_id. */
    static final String SYS_ID = "sys_id";
    /** Form field: comma-separated applications. */
    static final String APPLICATIONS = "applications";
    /** Form field: comma-separated IP ranges. */
    static final String IP_RANGES = "ip_ranges";
    /** Form field: comma-separated capabilities set by hand. */
    static final String MANUAL_CAPABILITIES = "manual_capabilities";
    /** Form field (checkbox): the default agent. */
    static final String IS_DEFAULT = "is_default";
    /** Form field (checkbox): validated. */
    static final String VALIDATED = "validated";
    /** Form field: {@code Up}, {@code Paused} or empty. */
    static final String STATUS = "status";

    /** Null texts become empty. */
    AgentEditForm {
        sysId = sysId == null ? "" : sysId.trim();
        applications = applications == null ? "" : applications;
        ipRanges = ipRanges == null ? "" : ipRanges;
        manualCapabilities = manualCapabilities == null ? "" : manualCapabilities;
        status = status == null ? "" : status.trim();
    }

    /**
     * @param request a form POST; a checkbox that is not ticked is not sent
     * @return the submitted values
     */
    static AgentEditForm of(HttpServletRequest request) {
        return new AgentEditForm(request.getParameter(SYS_ID), request.getParameter(APPLICATIONS),
                request.getParameter(IP_RANGES), request.getParameter(MANUAL_CAPABILITIES), request.getParameter(IS_DEFAULT) != null,
                request.getParameter(VALIDATED) != null, request.getParameter(STATUS));
    }

    /**
     * @param agent an agent as stored
     * @return the form filled with its values
     */
    static AgentEditForm of(Agent agent) {
        return new AgentEditForm(agent.sysId(), String.join(", ", AgentConsolePage.list(agent.applications())),
                String.join(", ", AgentConsolePage.list(agent.ipRanges())),
                String.join(", ", AgentConsolePage.list(agent.manualCapabilities())), agent.isDefault(), agent.validated(),
                AgentConsolePage.ADMIN_STATUSES.contains(agent.status()) ? agent.status() : "");
    }

    /**
     * The body a {@code PATCH /api/now/table/ecc_agent/{sys_id}} with these values would carry:
     * the lists as the comma-separated strings the Table API also takes, both flags, and the
     * status only when one is chosen. {@code AgentChange.parse} validates it as it does a PATCH.
     *
     * @return the JSON body
     */
    ObjectNode toPatch() {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put(APPLICATIONS, applications);
        body.put(IP_RANGES, ipRanges);
        body.put(MANUAL_CAPABILITIES, manualCapabilities);
        body.put(IS_DEFAULT, isDefault);
        body.put(VALIDATED, validated);
        if (!status.isEmpty()) {
            body.put(STATUS, status);
        }
        return body;
    }
}
