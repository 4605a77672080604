package io.midway.agent.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the agent core, pid {@value #PID}. Editable in the Web Console; framework
 * properties set from the environment win over it (see {@link AgentSettings}).
 */
@ObjectClassDefinition(
        name = "Midway agent",
        description = "Connection of this agent to its instance, worker pools and result delivery. "
                + "MIDWAY_INSTANCE_URL, MIDWAY_AGENT_NAME and MIDWAY_AGENT_USER override these values; "
                + "MIDWAY_AGENT_PASSWORD wins over the agent password here, which is best kept encrypted: "
                + "mid:encrypt prints the encrypted: form, decrypted with this agent's key.")
public @interface AgentConfiguration {

    /** The configuration pid. */
    String PID = "io.midway.agent";

    @AttributeDefinition(name = "Instance URL",
            description = "Base URL of the instance, e.g. https://localhost:8443 (overridden by MIDWAY_INSTANCE_URL).")
    String instance_url() default AgentSettings.DEFAULT_INSTANCE_URL;

    @AttributeDefinition(name = "Agent name",
            description = "Name this agent registers under; empty means the host name "
                    + "(overridden by MIDWAY_AGENT_NAME).")
    String agent_name() default "";

    @AttributeDefinition(name = "Agent password", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
            description = "The password of the agent user, used when MIDWAY_AGENT_PASSWORD is not set; "
                    + "as encrypted:… (from mid:encrypt on this agent) it is decrypted with the agent's key.")
    String agent_password() default "";

    @AttributeDefinition(name = "Agent user",
            description = "The mid_server user for HTTP Basic authentication (overridden by MIDWAY_AGENT_USER).")
    String agent_user() default "mid";

    @AttributeDefinition(name = "Interactive threads", min = "1",
            description = "Worker threads for priority 0 (interactive) work such as heartbeats.")
    int threads_interactive() default 10;

    @AttributeDefinition(name = "Expedited threads", min = "1",
            description = "Worker threads for priority 1 (expedited) work.")
    int threads_expedited() default 20;

    @AttributeDefinition(name = "Standard threads", min = "1",
            description = "Worker threads for priority 2 (standard) work.")
    int threads_standard() default 25;

    @AttributeDefinition(name = "Queued work per thread", min = "0",
            description = "Work items a pool may hold waiting, per thread, beyond those running; the agent asks the "
                    + "instance for no more than its pools can hold, so larger values mean fewer, larger polls.")
    int queue_per_thread() default 4;

    @AttributeDefinition(name = "Poll wait (ms)", min = "0",
            description = "How long the instance may hold a long poll open when it has no work.")
    long poll_wait_ms() default 30000;

    @AttributeDefinition(name = "Result batch size", min = "1",
            description = "Most results posted to the instance in one request.")
    int result_batch_size() default 100;

    @AttributeDefinition(name = "Spool directory",
            description = "Where results wait until the instance accepts them; empty means <midway.data>/spool, "
                    + "a relative path is resolved against midway.data.")
    String spool_dir() default "";
}
