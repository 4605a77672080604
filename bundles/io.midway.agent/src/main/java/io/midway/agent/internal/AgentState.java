package io.midway.agent.internal;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import io.midway.wire.Json;

/**
 * What the agent knows about its connection and its work, shared by the poller, the result
 * sender and the status snapshot. Thread-safe; never holds a secret.
 */
public final class AgentState {

    /** Registering with the instance (also while it refuses our credentials). */
    public static final String REGISTERING = "registering";
    /** Registered and polling. */
    public static final String CONNECTED = "connected";
    /** The instance cannot be reached or fails. */
    public static final String UNREACHABLE = "unreachable";
    /** The agent is not running. */
    public static final String STOPPED = "stopped";

    private volatile String connection = STOPPED;
    private volatile String agentStatus;
    private volatile boolean validated;
    private volatile Instant lastContact;
    private volatile String lastError;
    private volatile String instanceVersion;
    private volatile String syncRevision;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    String connection() {
        return connection;
    }

    void connection(String value) {
        connection = value;
    }

    String agentStatus() {
        return agentStatus;
    }

    boolean validated() {
        return validated;
    }

    /** Records what the instance says about us, and that we heard from it now. */
    void instanceSays(String status, boolean isValidated) {
        if (status != null) {
            agentStatus = status;
        }
        validated = isValidated;
        contact();
    }

    void agentStatus(String status) {
        agentStatus = status;
    }

    /** Records that the instance answered just now. */
    void contact() {
        lastContact = Instant.now();
    }

    Instant lastContact() {
        return lastContact;
    }

    /** Keeps the last error for the operator, stamped with the time it happened. */
    void error(String message) {
        lastError = Json.time(Instant.now()) + " UTC: " + message;
    }

    String lastError() {
        return lastError;
    }

    void instanceVersion(String version, String revision) {
        instanceVersion = version;
        syncRevision = revision;
    }

    String instanceVersion() {
        return instanceVersion;
    }

    String syncRevision() {
        return syncRevision;
    }

    void countResult(boolean success) {
        (success ? processed : failed).incrementAndGet();
    }

    long processed() {
        return processed.get();
    }

    long failed() {
        return failed.get();
    }
}
