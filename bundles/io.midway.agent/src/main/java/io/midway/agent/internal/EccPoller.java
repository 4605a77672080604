package io.midway.agent.internal;

import java.io.IOException;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;

/**
 * The connection loop, on its own thread: registers with the instance, then long-polls the ECC
 * queue for as many records as the worker pools can take and dispatches them. While the instance
 * is unreachable it retries with capped exponential backoff; when the instance no longer knows
 * the agent (404 on poll) it registers again. A refused login is logged once per change of the
 * problem, with what to check.
 */
final class EccPoller {

    private static final Logger LOG = LoggerFactory.getLogger(EccPoller.class);

    private final InstanceClient client;
    private final AgentState state;
    private final WorkDispatcher dispatcher;
    private final ResultSender sender;
    private final String agentName;
    private final String version;
    private final long pollWaitMs;
    private final long minPollIntervalMs;
    private final Backoff backoff;

    private volatile boolean running;
    private Thread thread;
    private String lastProblem;
    private boolean registered;

    EccPoller(InstanceClient client, AgentState state, WorkDispatcher dispatcher, ResultSender sender,
            AgentSettings settings, String version, AgentTimings timings) {
        this.client = client;
        this.state = state;
        this.dispatcher = dispatcher;
        this.sender = sender;
        this.agentName = settings.agentName();
        this.version = version;
        this.pollWaitMs = settings.pollWaitMs();
        this.minPollIntervalMs = timings.minPollInterval().toMillis();
        this.backoff = new Backoff(timings.backoffMin(), timings.backoffMax());
    }

    synchronized void start() {
        running = true;
        state.connection(AgentState.REGISTERING);
        thread = new Thread(this::loop, "midway-ecc-poller");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops polling: interrupts a poll in progress and waits for the thread.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    void stop() throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        running = false;
        if (t != null) {
            t.interrupt();
            t.join(5000);
            if (t.isAlive()) {
                LOG.warn("The ECC poller did not stop within 5 s");
            }
        }
    }

    private void loop() {
        try {
            while (running) {
                boolean ok = registered ? pollOnce() : register();
                if (!ok && running) {
                    Thread.sleep(backoff.nextDelayMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the agent is now registered */
    private boolean register() throws InterruptedException {
        try {
            AgentRecord record = client.register(new Registration(agentName, version, HostIdentity.hostName(),
                    HostIdentity.ipAddress(), List.of()));
            registered = true;
            state.instanceSays(record.status(), record.validated());
            state.connection(AgentState.CONNECTED);
            backoff.reset();
            recovered();
            LOG.info("Registered as '{}' (version {}) with instance {}: status {}, {}", agentName, version,
                    client.baseUrl(), record.status(), record.validated() ? "validated" : "not validated yet");
            sender.wake();
            return true;
        } catch (InstanceException e) {
            failed(e, e.isAuthFailure() ? AgentState.REGISTERING : AgentState.UNREACHABLE);
        } catch (IOException e) {
            failed(e, AgentState.UNREACHABLE);
        }
        return false;
    }

    /** @return whether the poll went through */
    private boolean pollOnce() throws InterruptedException {
        long started = System.nanoTime();
        PollReply reply;
        try {
            reply = client.poll(agentName, Math.max(1, dispatcher.freeCapacity()), pollWaitMs);
        } catch (InstanceException e) {
            if (e.statusCode() == 404) {
                LOG.info("Instance {} does not know agent '{}' (404): registering again", client.baseUrl(), agentName);
                registered = false;
                state.connection(AgentState.REGISTERING);
                return true;
            }
            if (e.isAuthFailure()) {
                registered = false;
            }
            failed(e, e.isAuthFailure() ? AgentState.REGISTERING : AgentState.UNREACHABLE);
            return false;
        } catch (IOException e) {
            failed(e, AgentState.UNREACHABLE);
            return false;
        }
        boolean wasConnected = AgentState.CONNECTED.equals(state.connection());
        state.instanceSays(reply.agentStatus(), reply.validated());
        state.instanceVersion(reply.instanceVersion(), reply.syncRevision());
        state.connection(AgentState.CONNECTED);
        backoff.reset();
        if (!wasConnected) {
            sender.wake();
        }
        recovered();
        List<EccRecord> records = reply.result() == null ? List.of() : reply.result();
        for (EccRecord record : records) {
            dispatcher.dispatch(record);
        }
        if (records.isEmpty()) {
            long elapsedMs = (System.nanoTime() - started) / 1_000_000L;
            if (elapsedMs < minPollIntervalMs) {
                Thread.sleep(minPollIntervalMs - elapsedMs);
            }
        }
        return true;
    }

    private void failed(IOException e, String connection) {
        state.connection(connection);
        String message = e instanceof InstanceException ie && ie.isAuthFailure() ? authMessage(ie)
                : e.getMessage() == null ? e.toString() : e.getMessage();
        state.error(message);
        if (!message.equals(lastProblem)) {
            LOG.warn("{}; retrying", message);
            LOG.debug("Connection failure", e);
            lastProblem = message;
        }
    }

    private void recovered() {
        if (lastProblem != null) {
            LOG.info("Connected to instance {} again", client.baseUrl());
            lastProblem = null;
        }
    }

    private String authMessage(InstanceException e) {
        String who = "instance " + client.baseUrl() + " refused user '" + client.user() + "' (" + e.statusCode() + ")";
        if (e.statusCode() == 403) {
            return who + ": the user needs the mid_server role on the instance";
        }
        return client.hasPassword() ? who + ": check MIDWAY_AGENT_PASSWORD"
                : who + ": no password is set; set MIDWAY_AGENT_PASSWORD";
    }
}
