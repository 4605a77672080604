package io.midway.instance.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.midway.instance.api.QueueRecord;

/**
 * The leases of an instance that uses its database alone (the embedded H2): a poll's claim is a
 * read of the agent's ready records and an entry here, not a write of each record (issue 15: on
 * one node "leases kept in memory"). A record stays {@code ready} in the store while its lease is
 * held here, and reads of records show it {@code processing}; a lease still held after
 * {@link #WRITE_AFTER_MS} is written to the store ({@code processing} with its expiry) and from
 * then on kept there, as on a database server. Most work is answered before that, so its record
 * goes from {@code ready} to {@code processed} with one write. A lease lost in a crash only means
 * the record is delivered again: inputs are idempotent on {@code response_to}.
 *
 * <p>Claims run outside the writer, one at a time per agent ({@link #claimLock}); answers and the
 * writes of old leases end leases after their commit; expiry is the lease reaper's.
 */
final class MemoryLeases {

    /**
     * How long a lease stays in memory only before it is written to the store, in milliseconds:
     * longer than work takes from claim to answer when the instance is busy (results wait in the
     * agent for the writer then), so that most leases end in memory.
     */
    static final long WRITE_AFTER_MS = 10_000;

    /**
     * A lease held in memory.
     *
     * @param agentField the agent that holds it ({@code mid.server.NAME})
     * @param seq its record's key
     * @param claimedMs when it was claimed, epoch milliseconds
     * @param expiresMs when it expires, epoch milliseconds
     */
    record Lease(String agentField, long seq, long claimedMs, long expiresMs) {
    }

    private final Map<String, Lease> bySysId = new HashMap<>();
    /** Agent → the lock its claims hold from reading its ready records to holding them. */
    private final java.util.concurrent.ConcurrentHashMap<String, Object> claimLocks = new java.util.concurrent.ConcurrentHashMap<>();
    /** Agent → the keys of the records it holds here. */
    private final Map<String, Set<Long>> byAgent = new HashMap<>();
    /**
     * Agent → the keys of its ready records an admin's change or delete is writing: kept off its
     * claims from the check (under its claim lock) until that write commits or rolls back.
     */
    private final Map<String, Set<Long>> keptOff = new HashMap<>();

    /**
     * @param agentField an agent ({@code mid.server.NAME})
     * @return the lock its claims hold from reading its ready records to holding them, so that two
     *     polls of one agent never take the same record (claims run outside the writer)
     */
    Object claimLock(String agentField) {
        return claimLocks.computeIfAbsent(agentField, a -> new Object());
    }

    /**
     * @param agentField an agent ({@code mid.server.NAME})
     * @return the keys ({@code seq}) of the records it holds in memory
     */
    synchronized Set<Long> heldBy(String agentField) {
        Set<Long> held = byAgent.get(agentField);
        Set<Long> off = keptOff.get(agentField);
        if (off == null) {
            return held == null ? Set.of() : Set.copyOf(held);
        }
        Set<Long> both = new HashSet<>(off);
        if (held != null) {
            both.addAll(held);
        }
        return both;
    }

    /**
     * @param sysId a record
     * @return its lease, if held here
     */
    synchronized Lease lease(String sysId) {
        return bySysId.get(sysId);
    }

    /**
     * Keeps a ready record off its agent's claims while an admin's change or delete of it is
     * written; taken under the agent's {@link #claimLock}, ended by {@link #restore} after the
     * write commits or rolls back.
     *
     * @param agentField the agent the record is addressed to
     * @param seq the record's key
     */
    synchronized void keepOff(String agentField, long seq) {
        keptOff.computeIfAbsent(agentField, a -> new HashSet<>()).add(seq);
    }

    /**
     * @param agentField the agent given to {@link #keepOff}
     * @param seq the record's key
     */
    synchronized void restore(String agentField, long seq) {
        Set<Long> off = keptOff.get(agentField);
        if (off != null && off.remove(seq) && off.isEmpty()) {
            keptOff.remove(agentField);
        }
    }

    /**
     * @param sysIds the records claimed
     * @param seqs their keys, in the same order
     * @param agentField the agent that claimed them
     * @param nowMs the time of the claim
     * @param expiresMs the lease expiry
     */
    synchronized void hold(List<String> sysIds, List<Long> seqs, String agentField, long nowMs, long expiresMs) {
        for (int i = 0; i < sysIds.size(); i++) {
            String sysId = sysIds.get(i);
            forget(sysId);
            bySysId.put(sysId, new Lease(agentField, seqs.get(i), nowMs, expiresMs));
            byAgent.computeIfAbsent(agentField, a -> new HashSet<>()).add(seqs.get(i));
        }
    }

    /** @param sysIds records answered, put back or written to the store: their leases, if held here, end */
    synchronized void release(Collection<String> sysIds) {
        for (String sysId : sysIds) {
            forget(sysId);
        }
    }

    /**
     * Crash recovery: ends the leases an agent holds here on records it no longer holds (their
     * records are {@code ready} in the store as they are).
     *
     * @param agentField the agent ({@code mid.server.NAME})
     * @param held sys_ids of the records it still holds: their leases stay
     * @return the sys_ids of the records whose leases ended
     */
    synchronized List<String> releaseAllOf(String agentField, Set<String> held) {
        List<String> lost = new ArrayList<>();
        bySysId.forEach((sysId, lease) -> {
            if (lease.agentField().equals(agentField) && !held.contains(sysId)) {
                lost.add(sysId);
            }
        });
        lost.forEach(this::forget);
        return lost;
    }

    private void forget(String sysId) {
        Lease old = bySysId.remove(sysId);
        if (old != null) {
            Set<Long> held = byAgent.get(old.agentField());
            held.remove(old.seq());
            if (held.isEmpty()) {
                byAgent.remove(old.agentField());
            }
        }
    }

    /**
     * @param record a record as stored
     * @return the record as it is: {@code processing} while its lease is held here
     */
    QueueRecord overlay(QueueRecord record) {
        if (!QueueRecord.STATE_READY.equals(record.state()) || !QueueRecord.QUEUE_OUTPUT.equals(record.queue())) {
            return record;
        }
        synchronized (this) {
            Lease lease = bySysId.get(record.sysId());
            if (lease == null || !lease.agentField().equals(record.agent())) {
                return record;
            }
        }
        return record.withState(QueueRecord.STATE_PROCESSING);
    }

    /**
     * @param claimedBeforeMs a time
     * @return the leases claimed before it, by sys_id (they stay held until {@link #release})
     */
    synchronized Map<String, Lease> claimedBefore(long claimedBeforeMs) {
        Map<String, Lease> old = new LinkedHashMap<>();
        bySysId.forEach((sysId, lease) -> {
            if (lease.claimedMs() < claimedBeforeMs) {
                old.put(sysId, lease);
            }
        });
        return old;
    }

    /**
     * Ends the leases that expired.
     *
     * @param nowMs the time
     * @return the agent of each lease ended, one entry per record
     */
    synchronized List<String> expire(long nowMs) {
        List<String> sysIds = new ArrayList<>();
        List<String> agents = new ArrayList<>();
        bySysId.forEach((sysId, lease) -> {
            if (lease.expiresMs() <= nowMs) {
                sysIds.add(sysId);
                agents.add(lease.agentField());
            }
        });
        sysIds.forEach(this::forget);
        return agents;
    }

    /** @return how many leases are held here */
    synchronized int size() {
        return bySysId.size();
    }
}
