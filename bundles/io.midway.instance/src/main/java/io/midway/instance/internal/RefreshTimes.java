package io.midway.instance.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.midway.instance.api.Agent;

/**
 * When each agent was last heard from ({@code ecc_agent.last_refreshed}), kept here as the polls
 * come and written to the store in one batch a second (issue 15: with 5,000 idle agents, every
 * poll's own write of the field was most of what an idle instance did). Reads of agents show the
 * time held here when it is newer than the stored one, so the field is never behind what the
 * instance knows; a crash loses at most the last second of it.
 */
final class RefreshTimes {

    /** Agent name → the latest time it was heard from (wire format, which sorts as text), not yet written. */
    private final ConcurrentHashMap<String, String> pending = new ConcurrentHashMap<>();

    /**
     * @param agent an agent name
     * @param wireTime the time it was heard from, wire format
     */
    void heard(String agent, String wireTime) {
        pending.merge(agent, wireTime, (held, now) -> held.compareTo(now) >= 0 ? held : now);
    }

    /**
     * @param agent an agent as stored
     * @return the agent with the time held here, when that is newer than the stored one
     */
    Agent overlay(Agent agent) {
        String held = pending.get(agent.name());
        if (held == null || agent.lastRefreshed() != null && agent.lastRefreshed().compareTo(held) >= 0) {
            return agent;
        }
        return AgentRecords.withLastRefreshed(agent, held);
    }

    /** @return whether no time waits to be written */
    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** @return the times waiting to be written, by agent name (they stay held until {@link #written}) */
    Map<String, String> snapshot() {
        return new HashMap<>(pending);
    }

    /**
     * Forgets the times a flush wrote, unless a newer one came in meanwhile.
     *
     * @param written what was written
     */
    void written(Map<String, String> written) {
        written.forEach(pending::remove);
    }
}
