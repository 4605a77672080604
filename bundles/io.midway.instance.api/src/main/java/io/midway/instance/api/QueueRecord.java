package io.midway.instance.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record of the ECC queue, as the instance's services take and return it. The HTTP bundle maps it
 * to and from the wire record {@code io.midway.wire.EccRecord}, which has the same components in
 * the same order; the field names of the JSON contract live only there.
 *
 * @param sysId unique id
 * @param agent {@code mid.server.<NAME>} or {@code mid.server.*}
 * @param topic the probe type, e.g. {@code TCPScan}, {@code HeartbeatProbe}
 * @param name command text or label
 * @param source the target, usually an IP address
 * @param payload a JSON value
 * @param queue {@code output} (instance to agent) or {@code input} (agent to instance)
 * @param state {@code ready}, {@code processing}, {@code processed} or {@code error}
 * @param responseTo for an input, the {@code sys_id} of the output it answers
 * @param priority 0 interactive, 1 expedited, 2 standard
 * @param errorString why the record is in state {@code error}
 * @param sysCreatedOn creation time, {@code yyyy-MM-dd HH:mm:ss} UTC
 * @param processed when it was processed, same format
 * @param application for work that names no agent: the application the instance chose an agent
 *     for (e.g. {@code Discovery}); {@code null} otherwise (since 1.4)
 * @param capability for such work: the capability the agent needed, may be {@code null} (since 1.4)
 * @param selection for such work: which agent the instance chose and why, one line (since 1.4)
 */
public record QueueRecord(
        String sysId,
        String agent,
        String topic,
        String name,
        String source,
        JsonNode payload,
        String queue,
        String state,
        String responseTo,
        Integer priority,
        String errorString,
        String sysCreatedOn,
        String processed,
        String application,
        String capability,
        String selection) {

    /**
     * A record of work addressed to an agent by name (no selection fields).
     *
     * @param sysId unique id
     * @param agent {@code mid.server.<NAME>} or {@code mid.server.*}
     * @param topic the probe type
     * @param name command text or label
     * @param source the target
     * @param payload a JSON value
     * @param queue {@code output} or {@code input}
     * @param state the state
     * @param responseTo for an input, the output it answers
     * @param priority 0, 1 or 2
     * @param errorString why it is in state {@code error}
     * @param sysCreatedOn creation time
     * @param processed when it was processed
     */
    public QueueRecord(String sysId, String agent, String topic, String name, String source, JsonNode payload, String queue,
            String state, String responseTo, Integer priority, String errorString, String sysCreatedOn, String processed) {
        this(sysId, agent, topic, name, source, payload, queue, state, responseTo, priority, errorString, sysCreatedOn,
                processed, null, null, null);
    }

    /**
     * @param newState a state
     * @return this record in that state, every other field as it is
     */
    public QueueRecord withState(String newState) {
        return new QueueRecord(sysId, agent, topic, name, source, payload, queue, newState, responseTo, priority,
                errorString, sysCreatedOn, processed, application, capability, selection);
    }

    /** Queue of records the instance sends to agents. */
    public static final String QUEUE_OUTPUT = "output";
    /** Queue of records agents send back. */
    public static final String QUEUE_INPUT = "input";

    /** Waiting to be picked up. */
    public static final String STATE_READY = "ready";
    /** Leased to an agent. */
    public static final String STATE_PROCESSING = "processing";
    /** Done. */
    public static final String STATE_PROCESSED = "processed";
    /** Failed; see {@code error_string}. */
    public static final String STATE_ERROR = "error";

    /** Priority of interactive work (heartbeat, system commands). */
    public static final int PRIORITY_INTERACTIVE = 0;
    /** Priority of expedited work. */
    public static final int PRIORITY_EXPEDITED = 1;
    /** Priority of standard work, the default. */
    public static final int PRIORITY_STANDARD = 2;

    /** Prefix of the {@code agent} field. */
    public static final String AGENT_PREFIX = "mid.server.";
    /** The {@code agent} value that addresses every agent. */
    public static final String AGENT_ALL = "mid.server.*";

    /** Topic of the heartbeat the instance sends to every agent. */
    public static final String TOPIC_HEARTBEAT = "HeartbeatProbe";

    /**
     * @param agentName an agent name
     * @return the {@code agent} field value addressing it
     */
    public static String agentField(String agentName) {
        return AGENT_PREFIX + agentName;
    }
}
