package io.midway.instance.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of the instance simulator (pid {@code io.midway.instance}). */
@ObjectClassDefinition(
        name = "Midway instance simulator",
        description = "Heartbeat, lease and long-poll settings of the simulated instance.")
public @interface InstanceConfiguration {

    /** @return seconds between two heartbeats to an agent */
    @AttributeDefinition(name = "Heartbeat interval (seconds)", min = "1",
            description = "Seconds between two HeartbeatProbe records written to each agent. "
                    + "The framework property midway.heartbeat.seconds (MIDWAY_HEARTBEAT_SECONDS) overrides it.")
    int heartbeat_seconds() default 300;

    /** @return seconds a heartbeat may stay unanswered, 0 for the interval */
    @AttributeDefinition(name = "Heartbeat timeout (seconds)", min = "0",
            description = "An agent whose pending heartbeat is older than this becomes Down. 0 means the heartbeat interval.")
    int heartbeat_timeout_seconds() default 0;

    /** @return seconds an output record stays leased to an agent */
    @AttributeDefinition(name = "Lease (seconds)", min = "1",
            description = "An output record handed to an agent and not answered within this time is handed out again.")
    int lease_seconds() default 300;

    /** @return whether new agents are validated at registration */
    @AttributeDefinition(name = "Validate new agents automatically",
            description = "New agents start validated and take work at once. Off: they get heartbeats only until an admin validates them.")
    boolean auto_validate() default false;

    /** @return the longest a poll may wait for work */
    @AttributeDefinition(name = "Longest poll wait (ms)", min = "0",
            description = "Upper bound of the wait_ms an agent may ask for when it long-polls.")
    long poll_max_wait_ms() default 60000;

    /** @return the MID selection algorithm for work that names no agent */
    @AttributeDefinition(name = "MID selection algorithm (mid.selection.algorithm)",
            description = "How the instance chooses an agent for work that names none: 'new' (application, IP "
                    + "range and capability together, then the default agent) or 'legacy' (application and IP "
                    + "range, then the default agent, then a random agent when no agent has IP ranges).",
            options = {
                @Option(label = "new: application, IP range and capability", value = "new"),
                @Option(label = "legacy: application and IP range (Service Mapping in upgraded deployments)",
                        value = "legacy"),
            })
    String mid_selection_algorithm() default "new";
}
