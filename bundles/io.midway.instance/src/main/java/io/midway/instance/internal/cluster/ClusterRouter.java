package io.midway.instance.internal.cluster;

import io.midway.instance.api.ClusterType;
import io.midway.instance.api.AgentCluster;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

import io.midway.instance.api.Agent;
import io.midway.instance.api.QueueRecord;

/**
 * Where the agent clusters send work (DESIGN §9). Pure logic over the clusters and the agents'
 * statuses; the {@code InstanceCore} applies its answers inside its write transactions.
 *
 * <h2>Who can take work</h2> A member that is {@code Up} and validated. {@code Down},
 * {@code Paused}, {@code Upgrading}, {@code Upgrade Failed}, not validated and not registered
 * members are passed over.
 *
 * <h2>At insert</h2> Work addressed to a member, by name or by MID selection:
 * <ul>
 * <li><b>failover</b>: while the member is {@code Down}, the work goes to the next member in order
 * (after it, then from the start) that can take work; otherwise it stays with its member (one that
 * is Paused or not registered yet waits for it, as without a cluster);</li>
 * <li><b>load_balance</b>: the work goes to a member that can take work, chosen at random (the
 * addressed member among them);</li>
 * <li>no member can take work: the work stays with its member and waits.</li>
 * </ul>
 *
 * <h2>When a member goes Down</h2> Its {@code ready} and {@code processing} work moves: to the next
 * member in order that can take work (failover), or each record to one of the members that can
 * take work at random (load balance); with none, it stays and waits.
 *
 * <h2>What never moves</h2> Work bound to the agent's own host: the topics in
 * {@link #HOST_BOUND_TOPICS} and the per-agent copies of {@code mid.server.*} work (each agent's
 * own copy; the caller knows which records those are).
 */
public final class ClusterRouter {

    /**
     * Topics bound to the host of the agent they are addressed to, never redirected (the MID
     * Server's rule for Command-type topics): {@code Command} runs a command on the agent's own
     * host, {@code SystemCommand} is the agent's own system work, {@code HeartbeatProbe} asks that
     * very agent whether it is alive.
     */
    public static final Set<String> HOST_BOUND_TOPICS = Set.of("Command", "SystemCommand",
            QueueRecord.TOPIC_HEARTBEAT);

    /**
     * Where work goes instead of the agent it was addressed to.
     *
     * @param agent the agent name that takes it
     * @param note one line for the record's {@code selection}, e.g.
     *     {@code failover: dc-1 is Down, cluster dc → dc-2}
     */
    public record Redirect(String agent, String note) {
    }

    /**
     * Who takes the work of a member that went Down.
     *
     * @param cluster its cluster
     * @param down the member that went Down
     * @param targets the members that take it (failover: one; load balance: all that can take
     *     work); empty when none can
     */
    public record Takeover(AgentCluster cluster, String down, List<String> targets) {

        /** Copies the targets. */
        public Takeover {
            targets = List.copyOf(targets);
        }

        /** @return whether some member can take the work */
        public boolean possible() {
            return !targets.isEmpty();
        }
    }

    private final RandomGenerator random;

    /**
     * @param random chooses between members of a load-balance cluster; a {@link java.util.Random}
     *     to share between threads, a seeded one in tests
     */
    public ClusterRouter(RandomGenerator random) {
        this.random = random;
    }

    /**
     * @param topic a record's topic
     * @return whether it is bound to its agent's host and never redirected
     */
    public static boolean isHostBound(String topic) {
        return topic != null && HOST_BOUND_TOPICS.contains(topic);
    }

    /**
     * @param agent an agent, or {@code null} when not registered
     * @return whether it can take work a cluster sends it: {@code Up} and validated
     */
    public static boolean canTakeWork(Agent agent) {
        return agent != null && agent.validated() && Agent.STATUS_UP.equals(agent.status());
    }

    /**
     * @param clusters every cluster
     * @param agentName an agent name
     * @return the cluster it is a member of
     */
    public static Optional<AgentCluster> clusterOf(Collection<AgentCluster> clusters, String agentName) {
        return clusters.stream().filter(c -> c.hasMember(agentName)).findFirst();
    }

    /**
     * Where new work addressed to an agent goes.
     *
     * @param agentName the agent the work is addressed to (by name or by MID selection)
     * @param topic the work's topic
     * @param clusters every cluster
     * @param agents the registered agents by name
     * @return where it goes instead, with the note for {@code selection}; empty when it stays
     *     (not in a cluster, bound to the host, its member can keep it, or no member can take it)
     */
    public Optional<Redirect> atInsert(String agentName, String topic, Collection<AgentCluster> clusters,
            Map<String, Agent> agents) {
        if (isHostBound(topic)) {
            return Optional.empty();
        }
        Optional<AgentCluster> found = clusterOf(clusters, agentName);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        AgentCluster cluster = found.get();
        if (cluster.type() == ClusterType.FAILOVER) {
            Agent addressed = agents.get(agentName);
            if (addressed == null || !Agent.STATUS_DOWN.equals(addressed.status())) {
                return Optional.empty();
            }
            return nextInOrder(cluster, agentName, agents).map(next -> new Redirect(next,
                    "failover: " + agentName + " is Down, cluster " + cluster.name() + " → " + next));
        }
        List<String> up = canTakeWork(cluster, agents, null);
        if (up.isEmpty()) {
            return Optional.empty();
        }
        String chosen = pick(up);
        return Optional.of(new Redirect(chosen, "load_balance: cluster " + cluster.name() + " → " + chosen));
    }

    /**
     * Who takes the work of an agent that went Down.
     *
     * @param downAgent the agent that went Down
     * @param clusters every cluster
     * @param agents the registered agents by name, with their statuses after the change
     * @return who takes it; empty when the agent is in no cluster
     */
    public Optional<Takeover> takeover(String downAgent, Collection<AgentCluster> clusters,
            Map<String, Agent> agents) {
        return clusterOf(clusters, downAgent).map(cluster -> new Takeover(cluster, downAgent,
                cluster.type() == ClusterType.FAILOVER
                        ? nextInOrder(cluster, downAgent, agents).map(List::of).orElse(List.of())
                        : canTakeWork(cluster, agents, downAgent)));
    }

    /**
     * @param takeover who takes the work
     * @return the member that takes one record: the only target, or one of them at random
     */
    public String target(Takeover takeover) {
        return pick(takeover.targets());
    }

    /**
     * @param takeover who takes the work
     * @param target the member chosen for one record
     * @return the note for its {@code selection}
     */
    public static String note(Takeover takeover, String target) {
        return takeover.cluster().type().label() + ": " + takeover.down() + " went Down, cluster "
                + takeover.cluster().name() + " → " + target;
    }

    /** The members after {@code from} in order, then those before it: the first that can take work. */
    private static Optional<String> nextInOrder(AgentCluster cluster, String from, Map<String, Agent> agents) {
        List<String> members = cluster.members();
        int start = members.indexOf(from);
        for (int i = 1; i < members.size(); i++) {
            String candidate = members.get((start + i) % members.size());
            if (canTakeWork(agents.get(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static List<String> canTakeWork(AgentCluster cluster, Map<String, Agent> agents, String except) {
        List<String> up = new ArrayList<>();
        for (String member : cluster.members()) {
            if (!member.equals(except) && canTakeWork(agents.get(member))) {
                up.add(member);
            }
        }
        return up;
    }

    private String pick(List<String> members) {
        return members.size() == 1 ? members.get(0) : members.get(random.nextInt(members.size()));
    }
}
