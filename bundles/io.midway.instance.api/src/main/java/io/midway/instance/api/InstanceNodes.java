package io.midway.instance.api;

import java.time.Duration;
import java.util.List;

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
    }

    /** @return whether this node runs the singleton jobs now */
    boolean held();

    /** @return this node's id, made at its start */
    String nodeId();

    /** @return the nodes on this database, alive ones first */
    List<Node> nodes();
}
