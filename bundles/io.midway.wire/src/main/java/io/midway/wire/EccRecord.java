package io.midway.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record of the ECC queue (contract field names).
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
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EccRecord(
        @JsonProperty("sys_id") String sysId,
        @JsonProperty("agent") String agent,
        @JsonProperty("topic") String topic,
        @JsonProperty("name") String name,
        @JsonProperty("source") String source,
        @JsonProperty("payload") JsonNode payload,
        @JsonProperty("queue") String queue,
        @JsonProperty("state") String state,
        @JsonProperty("response_to") String responseTo,
        @JsonProperty("priority") Integer priority,
        @JsonProperty("error_string") String errorString,
        @JsonProperty("sys_created_on") String sysCreatedOn,
        @JsonProperty("processed") String processed) {

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
