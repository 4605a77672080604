package io.midway.instance.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The instance nodes serving one database, and which of them runs the singleton jobs (heartbeat
 * monitor, lease reaper, failover). On the embedded H2 there is one node, and it runs them.
 */
@ProviderType
public interface InstanceNodes {

    /** A node whose row was not written for this long shows as gone. */
    Duration GONE_AFTER = Duration.ofSeconds(15);

    /**
     * A node as {@code instance:nodes} shows it.
     *
     * @param row its row (for this node: as of now)
     * @param alive whether it wrote its row within {@link #GONE_AFTER} (this node: always)
     * @param self whether it is this node
     */
    record Node(NodeRow row, boolean alive, boolean self) {

        /** @return whether it runs the singleton jobs: alive, and it held them when it last wrote its row */
        public boolean runsJobs() {
            return alive && row.holdsJobs();
        }
    }

    /**
     * @param nodes nodes as {@link #nodes()} lists them
     * @return the id of the node that runs the singleton jobs, empty when none does yet
     */
    static Optional<String> jobsHolder(List<Node> nodes) {
        return nodes.stream().filter(Node::runsJobs).map(n -> n.row().id()).findFirst();
    }

    /** @return whether this node runs the singleton jobs now */
    boolean held();

    /** @return this node's id, made at its start */
    String nodeId();

    /** @return the nodes on this database, alive ones first */
    List<Node> nodes();
}
