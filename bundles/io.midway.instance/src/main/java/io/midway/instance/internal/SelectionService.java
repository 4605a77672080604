package io.midway.instance.internal;

import io.midway.instance.api.AgentSelection;
import io.midway.instance.api.InstanceException;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.midway.instance.api.Agent;

import org.osgi.service.component.annotations.Reference;

/**
 * Explains which agent would take work with given criteria, as routing would, without enqueuing
 * anything ({@code POST /api/mid/admin/select}, {@code instance:select}, the console).
 */
@Component(service = {AgentSelection.class})
public class SelectionService implements AgentSelection {

    private final InstanceCore core;
    private final io.midway.instance.internal.selection.AgentSelector selector =
            new io.midway.instance.internal.selection.AgentSelector(new java.util.Random());

    /**
     * @param core the instance core
     */
    @Activate
    public SelectionService(@Reference InstanceCore core) {
        this.core = core;
    }

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
    public io.midway.instance.api.Selection select(String application, String ip, String capability,
            String algorithm) {
        core.requireOpen();
        io.midway.instance.internal.selection.SelectionRequest request;
        try {
            request = io.midway.instance.internal.selection.SelectionRequest.of(application, ip, capability,
                    algorithm == null || algorithm.isBlank() ? core.settings().selectionAlgorithm() : algorithm);
        } catch (IllegalArgumentException e) {
            throw InstanceException.invalid(e.getMessage(), "send {\"application\",\"ip\",\"capability\",\"algorithm\"}; "
                    + "algorithm is legacy or new (default: mid.selection.algorithm, now " + core.settings().selectionAlgorithm() + ")");
        }
        List<Agent> all = core.read(s -> s.agents());
        try {
            return selector.selectAmong(request, all);
        } catch (IllegalArgumentException e) {
            throw InstanceException.invalid(e.getMessage(), "correct the agent's ip_ranges with PATCH /api/now/table/ecc_agent/{sys_id}");
        }
    }

    /** @return the instance property {@code mid.selection.algorithm}: {@code legacy} or {@code new} */
    public String defaultAlgorithm() {
        return core.settings().selectionAlgorithm();
    }
}
