package io.midway.instance.api;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of the agent selection ({@link AgentSelection}): the chosen agent, or none, and why.
 *
 * @param agent the chosen agent's name, or {@code null} when no agent may take the job
 * @param algorithm the algorithm applied
 * @param decidedBy the rule of the fallback order that chose the agent, {@link Rule#NONE} when none did
 * @param steps every step in order with what it found, each starting {@code step N: }
 * @param reason one line for the record: on success why this agent (e.g. {@code new: application
 *     Discovery, capability ssh, ip 10.1.2.3 in 10.1.0.0/16 of dc-1; Up}); on failure every rule
 *     that failed, for {@code error_string}
 */
public record Selection(String agent, SelectionAlgorithm algorithm, Rule decidedBy, List<String> steps,
        String reason) {

    /** The rules of the fallback order, in the order they are tried. */
    public enum Rule {
        /** A suitable agent (matching every rule of the algorithm) that is Up and validated. */
        SUITABLE_UP,
        /** The default agent, Up and validated. */
        DEFAULT_UP,
        /** A suitable agent that is Paused, Upgrading or Upgrade Failed, and validated. */
        SUITABLE_PAUSED_OR_UPGRADING,
        /** The default agent, Paused, Upgrading or Upgrade Failed, and validated. */
        DEFAULT_PAUSED_OR_UPGRADING,
        /** Legacy only, when no agent has IP ranges: a random agent for the application, Up and validated. */
        RANDOM_UP,
        /** Legacy only, when no agent has IP ranges: a random agent for the application, Paused or Upgrading. */
        RANDOM_PAUSED_OR_UPGRADING,
        /** No agent may take the job. */
        NONE
    }

    /** Copies the steps. */
    public Selection {
        steps = List.copyOf(steps);
    }

    /** @return the chosen agent's name, or empty */
    public Optional<String> chosenAgent() {
        return Optional.ofNullable(agent);
    }

    /** @return whether an agent was chosen */
    public boolean isChosen() {
        return agent != null;
    }

    /** @return the algorithm, every step and the reason, one per line */
    public String explanation() {
        return "algorithm " + algorithm.label() + "\n" + String.join("\n", steps) + "\n" + reason;
    }
}
