package io.midway.instance.internal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.QueueRecord;
import io.midway.instance.store.StoreSession;

/**
 * Crash recovery (issue 18): an agent that starts again says at its first registration which of
 * the records leased to it it still holds (queued in its journal, answered in its spool); every
 * other record leased to it — and only to it, not to a cluster peer — is {@code ready} again at
 * once instead of after its lease, so the work runs again within seconds. A record it still holds
 * keeps its lease: its result comes from the agent's spool, and the record is not run twice.
 */
final class LeaseRecovery {

    /** Event: an agent came back and the records it had leased and no longer holds are ready again. */
    static final String MID_SERVER_LEASES_RELEASED = "mid_server.leases_released";

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRecovery.class);

    private LeaseRecovery() {
    }

    /**
     * Answers the agent's long polls still waiting, leasing nothing, on this node and (on a shared
     * database) on the others: after a crash they belong to a connection that is gone, and a woken
     * one would lease the records made ready here to it. Call before {@link #release}: the other
     * nodes hear of it before the release's wake-up (one listener each, in the order sent).
     *
     * @param core the instance core
     * @param agentName the agent
     * @return how many polls were waiting on this node
     */
    static int supersedeWaitingPolls(InstanceCore core, String agentName) {
        int here = supersedeHere(core, agentName);
        core.releasePollsOnOtherNodes(agentName);
        return here;
    }

    /**
     * Answers the agent's long polls waiting on this node, leasing nothing.
     *
     * @param core the instance core
     * @param agentName the agent
     * @return how many polls were waiting
     */
    static int supersedeHere(InstanceCore core, String agentName) {
        int superseded = 0;
        for (Runnable waiting : core.waiters().take(agentName)) {
            if (waiting instanceof LongPoll stale) {
                stale.supersede();
                superseded++;
            }
        }
        return superseded;
    }

    /**
     * Makes every record leased to the agent that it does not name as held {@code ready} again,
     * both leases in the store and leases held in memory (one node alone), with an event naming
     * how many and why, and wakes the agent.
     *
     * @param core the instance core
     * @param s the registration's write
     * @param c its changes
     * @param agentName the agent
     * @param held sys_ids of the records it still holds
     * @return how many records are ready again
     * @throws SQLException on a database error
     */
    static int release(InstanceCore core, StoreSession s, Changes c, String agentName, List<String> held)
            throws SQLException {
        Set<String> kept = new HashSet<>();
        for (String id : held) {
            if (id != null && !id.isBlank()) {
                kept.add(id.trim());
            }
        }
        String agentField = QueueRecord.agentField(agentName);
        List<String> released = new ArrayList<>(s.releaseLeasedExcept(agentField, kept));
        MemoryLeases memory = core.memoryLeases();
        if (memory != null) {
            // their records are ready in the store already; ended here under the writer, so that
            // the writer of old leases does not write them as processing afterwards
            released.addAll(memory.releaseAllOf(agentField, kept));
        }
        if (released.isEmpty()) {
            return 0;
        }
        c.event(s, MID_SERVER_LEASES_RELEASED, agentName, released.size()
                + " output record(s) leased to it are ready again: the agent started again and no longer holds them"
                + " (crashed or stopped while they were queued or running; " + kept.size()
                + " it still holds keep their lease)");
        c.wake(agentName);
        LOG.info("Agent {} started again: {} output record(s) leased to it and no longer held are ready again at once"
                + " ({} held keep their lease)", agentName, released.size(), kept.size());
        return released.size();
    }
}
