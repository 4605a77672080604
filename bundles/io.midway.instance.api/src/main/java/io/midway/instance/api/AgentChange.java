package io.midway.instance.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
 * @param manualCapabilities the capabilities set by hand (trimmed, non-blank, each once ignoring
 *     case), replacing those set before; empty to clear them. The agent's {@code capabilities} are
 *     what it advertised and then these.
 */
public record AgentChange(String status, Boolean validated, List<String> applications, List<String> ipRanges,
        String cluster, Boolean isDefault, String pinnedVersion, List<String> manualCapabilities) {

    /**
     * A change that leaves the hand-set capabilities as they are.
     *
     * @param status {@code Paused} or {@code Up}
     * @param validated whether it may take work
     * @param applications applications it serves
     * @param ipRanges IP ranges it serves
     * @param cluster its cluster
     * @param isDefault whether it is the default agent
     * @param pinnedVersion the core version to pin the agent to, or {@code ""} to unpin it
     */
    public AgentChange(String status, Boolean validated, List<String> applications, List<String> ipRanges,
            String cluster, Boolean isDefault, String pinnedVersion) {
        this(status, validated, applications, ipRanges, cluster, isDefault, pinnedVersion, null);
    }

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
        this(status, validated, applications, ipRanges, cluster, isDefault, null, null);
    }

    /** Fields an admin may change. */
    public static final Set<String> CHANGEABLE = Set.of("status", "validated", "applications", "ip_ranges", "cluster",
            "is_default", "pinned_version", "manual_capabilities");
    /**
     * Fields of an agent record that the instance maintains itself; ignored in a change, so a
     * record read can be sent back. {@code capabilities} is among them: it is what the agent
     * advertises plus {@code manual_capabilities}, which is where capabilities set by hand go.
     */
    public static final Set<String> READ_ONLY = Set.of("sys_id", "name", "version", "host_name", "ip_address",
            "last_refreshed", "capabilities", "advertised_capabilities", "sync_revision", "sync_state");
    /** The longest capability name set by hand. */
    public static final int MAX_CAPABILITY_LENGTH = 100;
    /** The most capabilities set by hand on one agent. */
    public static final int MAX_MANUAL_CAPABILITIES = 100;
    private static final String CAPABILITIES_NOTE = "capabilities is read-only (what the agent advertises plus "
            + "manual_capabilities); set capabilities by hand with manual_capabilities";

    /**
     * @param body the request body
     * @return the change
     * @throws InstanceException (400) on an unknown field, a wrong type, or no change at all
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
            throw InstanceException.invalid("unknown field(s) " + String.join(", ", unknown),
                    "fields that can be changed: " + String.join(", ", new TreeSet<>(CHANGEABLE)) + "; "
                            + CAPABILITIES_NOTE);
        }
        AgentChange change = new AgentChange(JsonBody.text(object, "status"), JsonBody.bool(object, "validated"),
                JsonBody.stringList(object, "applications"), JsonBody.stringList(object, "ip_ranges"),
                object.has("cluster") ? nonNull(JsonBody.text(object, "cluster")) : null,
                JsonBody.bool(object, "is_default"), object.has("pinned_version") ? pinned(object) : null,
                object.has("manual_capabilities") ? manualCapabilities(object.get("manual_capabilities")) : null);
        if (change.status == null && change.validated == null && change.applications == null
                && change.ipRanges == null && change.cluster == null && change.isDefault == null
                && change.pinnedVersion == null && change.manualCapabilities == null) {
            throw InstanceException.invalid("nothing to change",
                    "fields that can be changed: " + String.join(", ", new TreeSet<>(CHANGEABLE)) + "; "
                            + CAPABILITIES_NOTE);
        }
        return change;
    }

    /**
     * The capabilities set by hand: a JSON array of strings (or one comma-separated string), each
     * trimmed; {@code null}, {@code ""} or {@code []} clear them. A later entry equal to an earlier
     * one ignoring case is dropped (the first spelling stays).
     *
     * @param node the value of {@code manual_capabilities}
     * @return the capabilities, each once, in the order given
     * @throws InstanceException (400) naming the first bad entry: not a string, blank, with a comma
     *     or a control character, or longer than {@value #MAX_CAPABILITY_LENGTH} characters; or
     *     more than {@value #MAX_MANUAL_CAPABILITIES} of them
     */
    public static List<String> manualCapabilities(JsonNode node) {
        List<String> given = new ArrayList<>();
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            if (node.textValue().isBlank()) {
                return List.of();
            }
            given.addAll(List.of(node.textValue().split(",", -1)));
        } else if (node.isArray()) {
            int index = 0;
            for (JsonNode element : node) {
                if (!element.isTextual()) {
                    throw badCapability("manual_capabilities[" + index + "] is " + JsonBody.describe(element)
                            + ", not a string");
                }
                if (element.textValue().indexOf(',') >= 0) {
                    throw badCapability("manual_capabilities[" + index + "] '" + shorten(element.textValue())
                            + "' holds a comma; give each capability as its own entry");
                }
                given.add(element.textValue());
                index++;
            }
        } else {
            throw badCapability("manual_capabilities must be a list of strings, not " + JsonBody.describe(node));
        }
        List<String> capabilities = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String capability = given.get(i).strip();
            if (capability.isEmpty()) {
                throw badCapability("manual_capabilities[" + i + "] is blank");
            }
            if (capability.length() > MAX_CAPABILITY_LENGTH) {
                throw badCapability("manual_capabilities[" + i + "] '" + shorten(capability) + "' is longer than "
                        + MAX_CAPABILITY_LENGTH + " characters");
            }
            if (capability.chars().anyMatch(Character::isISOControl)) {
                throw badCapability("manual_capabilities[" + i + "] '" + shorten(capability.replaceAll("\\p{Cntrl}",
                        "?")) + "' holds a control character");
            }
            if (seen.add(capability.toLowerCase(Locale.ROOT))) {
                capabilities.add(capability);
            }
        }
        if (capabilities.size() > MAX_MANUAL_CAPABILITIES) {
            throw badCapability("manual_capabilities holds " + capabilities.size() + " capabilities, more than "
                    + MAX_MANUAL_CAPABILITIES);
        }
        return List.copyOf(capabilities);
    }

    /**
     * The capabilities of an agent: what it advertised, then those set by hand that it does not
     * advertise already (ignoring case).
     *
     * @param advertised what the agent advertised at its last registration, may be {@code null}
     * @param manual the capabilities set by hand, may be {@code null}
     * @return the union, advertised first, each once
     */
    public static List<String> unionOfCapabilities(List<String> advertised, List<String> manual) {
        List<String> union = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (List<String> part : Arrays.asList(advertised, manual)) {
            if (part != null) {
                for (String capability : part) {
                    if (capability != null && seen.add(capability.toLowerCase(Locale.ROOT))) {
                        union.add(capability);
                    }
                }
            }
        }
        return List.copyOf(union);
    }

    private static InstanceException badCapability(String message) {
        return InstanceException.invalid(message, "manual_capabilities is a list of capability names, e.g. "
                + "[\"powershell\",\"ssh\"] (each trimmed, at most " + MAX_CAPABILITY_LENGTH
                + " characters, no commas; [] clears them); nothing was changed");
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
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
            throw InstanceException.invalid("invalid pinned_version '" + (text.length() > 100
                    ? text.substring(0, 97) + "..." : text) + "'",
                    "an OSGi version is major[.minor[.micro[.qualifier]]], or null to unpin: " + e.getMessage());
        }
    }

    private static String nonNull(String text) {
        return text == null ? "" : text.trim();
    }
}
