package io.midway.instance.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.AgentResult;
import io.midway.wire.Json;

/**
 * Plays agents that poll and answer everything they get as processed, from many threads at once,
 * noting each record's taker: the tests of exactly-once delivery read what it saw.
 */
public final class Deliveries {

    /** sys_id of each record delivered, to the agent that took it first. */
    public final Map<String, String> takenBy = new ConcurrentHashMap<>();
    /** Records delivered a second time. */
    public final AtomicInteger twice = new AtomicInteger();
    /** Records delivered to an agent they were not addressed to. */
    public final AtomicInteger foreign = new AtomicInteger();

    /**
     * One poll of an agent on a node, its records answered in one batch.
     *
     * @param node the instance node polled
     * @param agent the agent
     * @param max the most records to take
     * @return whether the poll brought any record
     */
    public boolean pollAndAnswer(InstanceServices node, String agent, int max) {
        List<AgentResult> results = new ArrayList<>();
        for (QueueRecord r : node.polls().poll(agent, max).result()) {
            if (!r.agent().equals(QueueRecord.agentField(agent))) {
                foreign.incrementAndGet();
            }
            if (takenBy.putIfAbsent(r.sysId(), agent) != null) {
                twice.incrementAndGet();
            }
            results.add(new AgentResult(r.sysId(), null, null, null, Json.mapper().getNodeFactory().textNode("ok"),
                    QueueRecord.STATE_PROCESSED, null));
        }
        if (!results.isEmpty()) {
            node.polls().input(new AgentResults(results));
        }
        return !results.isEmpty();
    }
}
