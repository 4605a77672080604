package io.midway.agent.internal.lifecycle;

import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a supervisor starts the agent's process again when it exits with
 * {@link AgentLifecycle#EXIT_RESTART}: systemd (it sets {@code INVOCATION_ID} for the services it
 * runs), or whatever the operator declares with {@code MIDWAY_SUPERVISED=true};
 * {@code MIDWAY_SUPERVISED=false} says there is none, even under systemd (a unit that does not restart).
 */
public final class Supervisor {

    /** The variable an operator sets when a supervisor other than systemd restarts the agent. */
    public static final String SUPERVISED_VARIABLE = "MIDWAY_SUPERVISED";
    /** The variable systemd sets for every service it starts. */
    public static final String SYSTEMD_VARIABLE = "INVOCATION_ID";

    private Supervisor() {
    }

    /**
     * @param environment the process environment
     * @return the supervisor, described for an operator, or empty when the agent runs unsupervised
     */
    public static Optional<String> detect(Function<String, String> environment) {
        String declared = environment.apply(SUPERVISED_VARIABLE);
        if (declared != null && declared.trim().equalsIgnoreCase("true")) {
            return Optional.of("the supervisor declared by " + SUPERVISED_VARIABLE + "=true");
        }
        if (declared != null && declared.trim().equalsIgnoreCase("false")) {
            return Optional.empty();
        }
        String invocation = environment.apply(SYSTEMD_VARIABLE);
        if (invocation != null && !invocation.isBlank()) {
            return Optional.of("systemd");
        }
        return Optional.empty();
    }
}
