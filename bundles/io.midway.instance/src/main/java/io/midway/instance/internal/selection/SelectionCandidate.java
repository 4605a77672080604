package io.midway.instance.internal.selection;

import java.util.List;
import java.util.Optional;

import io.midway.instance.api.Agent;

/**
 * An agent as selection sees it.
 *
 * @param name agent name
 * @param status {@code Up}, {@code Down}, {@code Paused}, {@code Upgrading}, {@code Upgrade Failed}
 * @param validated whether it may take work
 * @param applications applications it serves; {@code ALL} serves every application
 * @param ipRanges the IP ranges it serves
 * @param capabilities capabilities it advertises; {@code ALL} advertises every capability
 * @param isDefault whether it is the default agent
 */
public record SelectionCandidate(String name, String status, boolean validated, List<String> applications,
        IpRanges ipRanges, List<String> capabilities, boolean isDefault) {

    /** The application and capability value that matches every application or capability. */
    public static final String ALL = "ALL";

    /** Copies the lists; {@code null} lists and ranges become empty. */
    public SelectionCandidate {
        status = status == null ? "" : status;
        applications = applications == null ? List.of() : List.copyOf(applications);
        ipRanges = ipRanges == null ? IpRanges.none() : ipRanges;
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }

    /**
     * @param agent an {@code ecc_agent} record
     * @return its candidate view
     * @throws IllegalArgumentException when its stored {@code ip_ranges} do not parse; the message
     *     names the agent and the entry
     */
    public static SelectionCandidate from(Agent agent) {
        IpRanges ranges;
        try {
            ranges = IpRanges.parse(agent.ipRanges());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("agent '" + agent.name() + "': " + e.getMessage(), e);
        }
        return new SelectionCandidate(agent.name(), agent.status(), agent.validated(), agent.applications(), ranges,
                agent.capabilities(), agent.isDefault());
    }

    /**
     * @param application an application name
     * @return whether it serves it: the name (case-insensitive) or {@code ALL} is among its applications
     */
    public boolean servesApplication(String application) {
        return matches(applications, application);
    }

    /**
     * @param capability a capability name
     * @return whether it advertises it: the name (case-insensitive) or {@code ALL} is among its capabilities
     */
    public boolean advertises(String capability) {
        return matches(capabilities, capability);
    }

    /**
     * @param ip a target address
     * @return the narrowest of its ranges holding the address, or empty
     */
    public Optional<IpRanges.Range> narrowestMatch(IpRanges.Address ip) {
        return ipRanges.narrowestMatch(ip);
    }

    private static boolean matches(List<String> values, String wanted) {
        for (String value : values) {
            if (value != null && (value.strip().equalsIgnoreCase(wanted) || value.strip().equalsIgnoreCase(ALL))) {
                return true;
            }
        }
        return false;
    }
}
