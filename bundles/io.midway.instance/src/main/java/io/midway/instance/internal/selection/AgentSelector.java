package io.midway.instance.internal.selection;

import io.midway.instance.api.SelectionAlgorithm;
import io.midway.instance.api.Selection;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

import io.midway.instance.api.Selection.Rule;
import io.midway.instance.api.Agent;

/**
 * Chooses the agent for a job that names none (DESIGN §9), and explains the choice.
 *
 * <h2>What makes an agent suitable</h2>
 * <ul>
 * <li><b>legacy</b>: it serves the application (or {@code ALL}) and one of its {@code ip_ranges}
 * holds the target IP. A capability in the request is ignored (and the explanation says so).</li>
 * <li><b>new</b>: it serves the application (or {@code ALL}), advertises the capability
 * (case-insensitive, or {@code ALL}) when one is asked, and one of its {@code ip_ranges} holds the
 * target IP.</li>
 * <li>With no target IP, the IP rule is skipped: every agent for the application (and capability)
 * is suitable. An agent without {@code ip_ranges} holds no IP.</li>
 * </ul>
 *
 * <h2>The default agent</h2> The agent with {@code is_default} is the catch-all: it is used for
 * any application and IP when no suitable agent is available. Our reading of "best match → default
 * → fail" for <b>new</b>: the default must still advertise the requested capability, because a job
 * needing SSH cannot run on an agent without it; application and IP are what the default stands in
 * for. <b>legacy</b> takes the default whatever its capabilities.
 *
 * <h2>Order tried (status-aware, the MID Server's auto-select order)</h2>
 * <ol>
 * <li>a suitable agent that is {@code Up} and validated;</li>
 * <li>the default agent if {@code Up} and validated;</li>
 * <li>a suitable agent that is {@code Paused}, {@code Upgrading} or {@code Upgrade Failed}, and
 * validated (the work waits in its queue until it takes work again);</li>
 * <li>the default agent if {@code Paused}, {@code Upgrading} or {@code Upgrade Failed}, and
 * validated;</li>
 * <li>"the rest", legacy only and only when a target IP is given and no agent at all has
 * {@code ip_ranges}: a random agent for the application, first among those {@code Up}, then among
 * those {@code Paused}/{@code Upgrading}/{@code Upgrade Failed};</li>
 * <li>otherwise no agent: the reason names every rule that failed.</li>
 * </ol>
 * {@code Down} agents, agents not validated and agents with an unknown status are never chosen.
 *
 * <h2>Ties</h2> When several agents qualify at one rule, the one whose matching IP range is
 * narrowest (fewest addresses) wins; agents still tied are chosen between at random with the
 * {@link RandomGenerator} given to the constructor (seed it in tests). Candidates are considered in
 * name order, so a seeded generator gives a repeatable choice.
 *
 * <p>Thread-safe when the generator is (e.g. {@link java.util.Random}); pure logic, no I/O.
 */
public final class AgentSelector {

    private final RandomGenerator random;

    /**
     * @param random breaks ties between equally good agents; a {@link java.util.Random} for use
     *     from several threads, a seeded one in tests
     */
    public AgentSelector(RandomGenerator random) {
        this.random = random;
    }

    /**
     * @param request what the job needs
     * @param candidates every agent the instance knows (any status); the "no agent has ip_ranges"
     *     rule looks at all of them
     * @return the chosen agent and the explanation, or no agent and the reason
     */
    public Selection select(SelectionRequest request, Collection<SelectionCandidate> candidates) {
        return new Run(request, candidates).select();
    }

    /**
     * {@link #select(SelectionRequest, Collection)} over agent records.
     *
     * @param request what the job needs
     * @param agents every agent the instance knows
     * @return the chosen agent and the explanation
     * @throws IllegalArgumentException when an agent's stored {@code ip_ranges} do not parse
     */
    public Selection selectAmong(SelectionRequest request, Collection<Agent> agents) {
        return select(request, agents.stream().map(SelectionCandidate::from).toList());
    }

    /** Whether an agent's status lets it take work. */
    private enum Availability {
        UP, PAUSED_OR_UPGRADING, NEVER
    }

    private static Availability availability(SelectionCandidate agent) {
        if (!agent.validated()) {
            return Availability.NEVER;
        }
        String status = agent.status().strip();
        if (status.equalsIgnoreCase(Agent.STATUS_UP)) {
            return Availability.UP;
        }
        if (status.equalsIgnoreCase(Agent.STATUS_PAUSED) || status.equalsIgnoreCase(Agent.STATUS_UPGRADING)
                || status.equalsIgnoreCase(Agent.STATUS_UPGRADE_FAILED)) {
            return Availability.PAUSED_OR_UPGRADING;
        }
        return Availability.NEVER;
    }

    /** @return e.g. {@code dc-1 (Up)}, {@code dc-2 (Up, not validated)} */
    private static String withStatus(SelectionCandidate agent) {
        String status = agent.status().isBlank() ? "no status" : agent.status();
        return agent.name() + " (" + status + (agent.validated() ? "" : ", not validated") + ")";
    }

    private static String names(List<SelectionCandidate> agents) {
        return agents.stream().map(SelectionCandidate::name).collect(Collectors.joining(", "));
    }

    /** One selection: the request, the candidates and the explanation being written. */
    private final class Run {

        private final SelectionRequest request;
        private final SelectionAlgorithm algorithm;
        private final List<SelectionCandidate> all;
        private final Optional<IpRanges.Address> ip;
        private final boolean useCapability;
        private final List<String> steps = new ArrayList<>();
        /** Suitable agents with their narrowest matching range (null when no IP is asked). */
        private final Map<SelectionCandidate, IpRanges.Range> matchedRange = new LinkedHashMap<>();
        /** Why each rule of the fallback order found nobody, for the failure reason. */
        private final List<String> failures = new ArrayList<>();

        Run(SelectionRequest request, Collection<SelectionCandidate> candidates) {
            this.request = request;
            this.algorithm = request.algorithm();
            this.all = candidates.stream().sorted(Comparator.comparing(SelectionCandidate::name)).toList();
            this.ip = request.address();
            this.useCapability = algorithm == SelectionAlgorithm.NEW && !request.capability().isEmpty();
        }

        private void step(String text) {
            steps.add("step " + (steps.size() + 1) + ": " + text);
        }

        /** @return "application 'Discovery' or ALL" with ", capability 'ssh'" under new */
        private String criteria() {
            return "application '" + request.application() + "' or ALL"
                    + (useCapability ? " with capability '" + request.capability() + "'" : "");
        }

        Selection select() {
            List<SelectionCandidate> suitable = suitable();
            List<SelectionCandidate> defaults = defaults();
            List<SelectionCandidate> rest = rest();

            Selection chosen = tryRule(Rule.SUITABLE_UP, suitable, Availability.UP);
            if (chosen == null) {
                chosen = tryRule(Rule.DEFAULT_UP, defaults, Availability.UP);
            }
            if (chosen == null) {
                chosen = tryRule(Rule.SUITABLE_PAUSED_OR_UPGRADING, suitable, Availability.PAUSED_OR_UPGRADING);
            }
            if (chosen == null) {
                chosen = tryRule(Rule.DEFAULT_PAUSED_OR_UPGRADING, defaults, Availability.PAUSED_OR_UPGRADING);
            }
            if (chosen == null && rest != null) {
                chosen = tryRule(Rule.RANDOM_UP, rest, Availability.UP);
                if (chosen == null) {
                    chosen = tryRule(Rule.RANDOM_PAUSED_OR_UPGRADING, rest, Availability.PAUSED_OR_UPGRADING);
                }
            }
            if (chosen != null) {
                return chosen;
            }
            String reason = algorithm.label() + ": no agent may take this job: " + String.join("; ", failures);
            step("no agent chosen");
            return new Selection(null, algorithm, Rule.NONE, steps, reason);
        }

        /** Application, then capability (new), then IP: the agents matching every rule. */
        private List<SelectionCandidate> suitable() {
            String application = request.application();
            if (algorithm == SelectionAlgorithm.LEGACY && !request.capability().isEmpty()) {
                step("capability '" + request.capability() + "' is ignored by the legacy algorithm");
            } else if (algorithm == SelectionAlgorithm.NEW && !useCapability) {
                step("no capability asked: the capability rule is skipped");
            }
            List<SelectionCandidate> forApplication = all.stream().filter(a -> a.servesApplication(application))
                    .toList();
            step(forApplication.isEmpty()
                    ? "no agent serves application '" + application + "' or ALL"
                    : "agents for application '" + application + "' or ALL: "
                            + forApplication.stream().map(AgentSelector::withStatus).collect(Collectors.joining(", ")));
            if (forApplication.isEmpty()) {
                failures.add("no agent serves application '" + application + "' or ALL");
                return List.of();
            }
            List<SelectionCandidate> pool = forApplication;
            if (useCapability) {
                pool = forApplication.stream().filter(a -> a.advertises(request.capability())).toList();
                step(pool.isEmpty()
                        ? "none of them advertises capability '" + request.capability() + "' (or ALL)"
                        : "agents for application '" + application + "' or ALL that advertise capability '"
                                + request.capability() + "' (or ALL): " + names(pool));
                if (pool.isEmpty()) {
                    failures.add("no agent for application '" + application + "' or ALL advertises capability '"
                            + request.capability() + "'");
                    return List.of();
                }
            }
            if (ip.isEmpty()) {
                step("no target IP: the IP rules are skipped, every agent for " + criteria() + " is suitable");
                pool.forEach(a -> matchedRange.put(a, null));
                return pool;
            }
            List<String> found = new ArrayList<>();
            for (SelectionCandidate agent : pool) {
                agent.narrowestMatch(ip.get()).ifPresent(range -> {
                    matchedRange.put(agent, range);
                    found.add(agent.name() + " (" + range.text() + ")");
                });
            }
            step("agents for " + criteria() + " whose ip_ranges hold " + ip.get() + ": "
                    + (found.isEmpty() ? "none" : String.join(", ", found)));
            if (found.isEmpty()) {
                failures.add("no agent for " + criteria() + " has an ip_range holding " + ip.get());
            }
            return List.copyOf(matchedRange.keySet());
        }

        /** The default agent(s), as the algorithm may use them. */
        private List<SelectionCandidate> defaults() {
            List<SelectionCandidate> defaults = all.stream().filter(SelectionCandidate::isDefault).toList();
            if (defaults.isEmpty()) {
                step("no default agent");
                failures.add("no default agent");
                return defaults;
            }
            String listed = defaults.stream().map(AgentSelector::withStatus).collect(Collectors.joining(", "));
            if (!useCapability) {
                step("default agent: " + listed);
                return defaults;
            }
            List<SelectionCandidate> capable = defaults.stream().filter(a -> a.advertises(request.capability()))
                    .toList();
            if (capable.isEmpty()) {
                step("default agent " + listed + " does not advertise capability '" + request.capability()
                        + "': not usable");
                failures.add("default agent " + names(defaults) + " does not advertise capability '"
                        + request.capability() + "'");
            } else {
                step("default agent: " + listed + ", advertises capability '" + request.capability() + "'");
            }
            return capable;
        }

        /** @return legacy's last resort (a random agent for the application), or null when it does not apply */
        private List<SelectionCandidate> rest() {
            if (algorithm == SelectionAlgorithm.NEW) {
                failures.add("the new algorithm has no random fallback");
                return null;
            }
            if (ip.isEmpty()) {
                // Every agent for the application is already suitable: there is no rest.
                return null;
            }
            List<SelectionCandidate> withRanges = all.stream().filter(a -> !a.ipRanges().isEmpty()).toList();
            if (!withRanges.isEmpty()) {
                step("no random fallback: some agents have ip_ranges (" + names(withRanges) + ")");
                failures.add("no random fallback because " + names(withRanges) + " have ip_ranges");
                return null;
            }
            List<SelectionCandidate> forApplication = all.stream()
                    .filter(a -> a.servesApplication(request.application())).toList();
            step("no agent has ip_ranges: a random agent for application '" + request.application()
                    + "' or ALL may be chosen last" + (forApplication.isEmpty() ? ", but there is none" : ""));
            return forApplication;
        }

        /** Tries one rule of the fallback order; writes its step; null when it finds nobody. */
        private Selection tryRule(Rule rule, List<SelectionCandidate> agents, Availability wanted) {
            String what = switch (rule) {
                case SUITABLE_UP -> "fallback 1, a suitable agent Up and validated";
                case DEFAULT_UP -> "fallback 2, the default agent if Up and validated";
                case SUITABLE_PAUSED_OR_UPGRADING -> "fallback 3, a suitable agent Paused/Upgrading and validated";
                case DEFAULT_PAUSED_OR_UPGRADING -> "fallback 4, the default agent Paused/Upgrading and validated";
                case RANDOM_UP -> "fallback 5, a random agent for the application, Up and validated";
                case RANDOM_PAUSED_OR_UPGRADING ->
                    "fallback 6, a random agent for the application, Paused/Upgrading and validated";
                case NONE -> throw new IllegalStateException("no rule");
            };
            if (agents.isEmpty()) {
                step(what + ": none to consider");
                return null;
            }
            List<SelectionCandidate> available = agents.stream().filter(a -> availability(a) == wanted).toList();
            if (available.isEmpty()) {
                String statuses = agents.stream().map(AgentSelector::withStatus).collect(Collectors.joining(", "));
                step(what + ": none (" + statuses + ")");
                if (wanted == Availability.PAUSED_OR_UPGRADING
                        && agents.stream().allMatch(a -> availability(a) == Availability.NEVER)) {
                    String whose = isSuitable(rule) ? "suitable agents"
                            : rule == Rule.DEFAULT_PAUSED_OR_UPGRADING ? "default agent" : "agents for the application";
                    failures.add(whose + " " + statuses + " cannot take work (Down, not validated or unknown status)");
                }
                return null;
            }
            List<SelectionCandidate> passedOver = agents.stream().filter(a -> !available.contains(a)).toList();
            step(what + ": " + names(available) + (passedOver.isEmpty() ? ""
                    : " (passed over: " + passedOver.stream().map(AgentSelector::withStatus)
                            .collect(Collectors.joining(", ")) + ")"));
            List<SelectionCandidate> best = available;
            boolean narrowed = false;
            if (isSuitable(rule) && ip.isPresent()) {
                BigInteger smallest = available.stream().map(a -> matchedRange.get(a).size()).min(BigInteger::compareTo)
                        .orElseThrow();
                best = available.stream().filter(a -> matchedRange.get(a).size().equals(smallest)).toList();
                if (best.size() < available.size()) {
                    narrowed = true;
                    step("the narrowest ip range wins (" + smallest + " address" + (smallest.equals(BigInteger.ONE) ? "" : "es")
                            + "): " + best.stream().map(a -> a.name() + " (" + matchedRange.get(a).text() + ")")
                                    .collect(Collectors.joining(", ")));
                }
            }
            SelectionCandidate agent;
            String tie = "";
            if (best.size() == 1) {
                agent = best.get(0);
            } else {
                agent = best.get(random.nextInt(best.size()));
                tie = "; random of " + best.size() + " equally good";
                step("tie between " + names(best) + (narrowed ? " (same narrowest range size)" : "")
                        + ": chosen at random: " + agent.name());
            }
            step("chosen: " + agent.name() + ", " + label(rule) + ", " + agent.status());
            return new Selection(agent.name(), algorithm, rule, steps, reason(rule, agent) + tie);
        }

        private boolean isSuitable(Rule rule) {
            return rule == Rule.SUITABLE_UP || rule == Rule.SUITABLE_PAUSED_OR_UPGRADING;
        }

        private String label(Rule rule) {
            return switch (rule) {
                case SUITABLE_UP, SUITABLE_PAUSED_OR_UPGRADING -> "suitable agent";
                case DEFAULT_UP, DEFAULT_PAUSED_OR_UPGRADING -> "default agent";
                case RANDOM_UP, RANDOM_PAUSED_OR_UPGRADING -> "random agent (no agent has ip_ranges)";
                case NONE -> "none";
            };
        }

        /** The one-line reason for the record. */
        private String reason(Rule rule, SelectionCandidate agent) {
            StringBuilder text = new StringBuilder(algorithm.label()).append(": ");
            String capability = useCapability ? ", capability " + request.capability() : "";
            if (isSuitable(rule)) {
                text.append("application ").append(request.application()).append(capability);
                if (ip.isPresent()) {
                    text.append(", ip ").append(ip.get()).append(" in ").append(matchedRange.get(agent).text())
                            .append(" of ").append(agent.name());
                } else {
                    text.append(", no target IP: ").append(agent.name());
                }
            } else if (rule == Rule.DEFAULT_UP || rule == Rule.DEFAULT_PAUSED_OR_UPGRADING) {
                text.append("default agent ").append(agent.name()).append(", no suitable agent available for application ")
                        .append(request.application()).append(capability)
                        .append(ip.map(a -> ", ip " + a).orElse(""));
            } else {
                text.append("random agent ").append(agent.name()).append(" for application ")
                        .append(request.application()).append(", no agent has ip_ranges and no default agent is available");
            }
            return text.append("; ").append(agent.status()).toString();
        }
    }
}
