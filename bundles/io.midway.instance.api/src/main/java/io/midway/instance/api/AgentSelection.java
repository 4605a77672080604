package io.midway.instance.api;

import org.osgi.annotation.versioning.ProviderType;

/** Which agent would take work with given criteria, and why (MID selection). */
@ProviderType
public interface AgentSelection {

    /**
     * Chooses an agent for work with the given criteria among the registered agents, as routing
     * would, without enqueuing anything ({@code POST /api/mid/admin/select}).
     *
     * @param application the application, e.g. {@code Discovery}
     * @param ip the target IP, may be empty
     * @param capability the capability, may be empty
     * @param algorithm {@code legacy} or {@code new}; empty or {@code null} for the instance property
     *     {@code mid.selection.algorithm}
     * @return the choice and its explanation
     * @throws InstanceException (400) on a missing application, an IP that is not an address, or an
     *     unknown algorithm
     */
    io.midway.instance.api.Selection select(String application, String ip, String capability, String algorithm);

    /** @return the instance property {@code mid.selection.algorithm}: {@code legacy} or {@code new} */
    String defaultAlgorithm();
}
