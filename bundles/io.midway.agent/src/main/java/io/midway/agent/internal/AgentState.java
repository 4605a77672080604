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

    public String connection() {
        return connection;
    }

    public void connection(String value) {
        connection = value;
    }

    public String agentStatus() {
        return agentStatus;
    }

    public boolean validated() {
        return validated;
    }

    /** Records what the instance says about us, and that we heard from it now. */
    public void instanceSays(String status, boolean isValidated) {
        if (status != null) {
            agentStatus = status;
        }
        validated = isValidated;
        contact();
    }

    public void agentStatus(String status) {
        agentStatus = status;
    }

    /** Records that the instance answered just now. */
    public void contact() {
        lastContact = Instant.now();
    }

    public Instant lastContact() {
        return lastContact;
    }

    /** Keeps the last error for the operator, stamped with the time it happened. */
    public void error(String message) {
        lastError = Json.time(Instant.now()) + " UTC: " + message;
    }

    public String lastError() {
        return lastError;
    }

    public void instanceVersion(String version, String revision) {
        instanceVersion = version;
        syncRevision = revision;
    }

    public String instanceVersion() {
        return instanceVersion;
    }

    public String syncRevision() {
        return syncRevision;
    }

    public void countResult(boolean success) {
        (success ? processed : failed).incrementAndGet();
    }

    public long processed() {
        return processed.get();
    }

    public long failed() {
        return failed.get();
    }
}
