package io.midway.instance.internal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.midway.instance.api.EccChange;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.store.StoreSession;
import io.midway.wire.Json;

/**
 * An admin's changes and deletes of ECC queue records (Table API {@code PATCH}/{@code PUT}/{@code
 * DELETE}), through the writer. The rules: an output in state {@code ready} may change
 * {@link EccChange#CHANGEABLE}; an input in state {@code ready} its {@code state} only (with
 * {@code error_string} for {@code error}); a record
 * leased to an agent ({@code processing}) is neither changed nor deleted (409 naming the agent);
 * a processed one is not changed (409) but may be deleted.
 *
 * <p>Against the polls: on a database server a lease is a row in state {@code processing}, and
 * the write is conditional ({@code … WHERE state = ?}, {@code … AND state <> 'processing'}); a
 * claim that took the record first makes it change no row, read again into the right 409/404.
 * On the embedded engine a lease is held in memory ({@link MemoryLeases}) while the row stays
 * {@code ready}: the write checks the lease and keeps the record off the agent's claims under the
 * agent's claim lock, until it commits — a poll never hands out a record just cancelled or
 * deleted, and a delete never drops a record a poll just took.
 */
final class RecordEditor {

    private final InstanceCore core;

    RecordEditor(InstanceCore core) {
        this.core = core;
    }

    QueueRecord update(String sysId, EccChange change) {
        core.requireOpen();
        return core.write((s, c) -> {
            QueueRecord current = find(s, sysId);
            change.checkReadOnly(current);
            boolean output = QueueRecord.QUEUE_OUTPUT.equals(current.queue());
            if (!output) {
                for (String field : change.given()) {
                    if (!"state".equals(field) && !"error_string".equals(field)) {
                        throw InstanceException.invalid("field '" + field + "' of an input cannot be changed",
                                "an input may only change its state from ready to processed or error (with error_string)");
                    }
                }
            }
            QueueRecord changed = guarded(s, c, current, seen -> {
                requireChangeable(seen);
                QueueRecord updated = change.applyTo(seen, Json.time(c.now));
                if (!s.updateRecordIf(updated, seen.state())) {
                    throw lost(s, sysId);
                }
                return updated;
            });
            List<String> fields = new ArrayList<>(change.given());
            if (!current.agent().equals(changed.agent()) && QueueRecord.STATE_READY.equals(changed.state())) {
                c.wake(changed.agent().substring(QueueRecord.AGENT_PREFIX.length()));
            }
            c.event(s, InstanceEvent.ECC_RECORD_UPDATED, agentName(changed),
                    current.queue() + " " + sysId + " (" + current.topic() + "): " + describe(current, changed, fields));
            return changed;
        });
    }

    void delete(String sysId) {
        core.requireOpen();
        core.write((s, c) -> {
            QueueRecord current = find(s, sysId);
            guarded(s, c, current, seen -> {
                if (QueueRecord.STATE_PROCESSING.equals(seen.state())) {
                    throw leased(seen);
                }
                if (!s.deleteRecordUnlessProcessing(sysId)) {
                    throw lost(s, sysId);
                }
                return seen;
            });
            c.event(s, InstanceEvent.ECC_RECORD_DELETED, agentName(current),
                    current.queue() + " " + sysId + " (" + current.topic() + ") in state " + current.state() + " deleted");
            return null;
        });
    }

    /** The part of a write that must not race a poll's claim: see the class comment. */
    private QueueRecord guarded(StoreSession s, Changes c, QueueRecord current, Step step) throws SQLException {
        MemoryLeases memory = core.memoryLeases();
        if (memory == null || !QueueRecord.QUEUE_OUTPUT.equals(current.queue())) {
            return step.run(current);
        }
        String agentField = current.agent();
        synchronized (memory.claimLock(agentField)) {
            QueueRecord seen = memory.overlay(current);
            if (QueueRecord.STATE_READY.equals(seen.state())) {
                long seq = s.recordSeq(current.sysId()).orElseThrow(() -> notFound(current.sysId()));
                memory.keepOff(agentField, seq);
                c.onCommit.add(() -> memory.restore(agentField, seq));
                c.onRollback.add(() -> memory.restore(agentField, seq));
            }
            return step.run(seen);
        }
    }

    @FunctionalInterface
    private interface Step {
        QueueRecord run(QueueRecord seen) throws SQLException;
    }

    private static QueueRecord find(StoreSession s, String sysId) throws SQLException {
        return s.findRecord(sysId).orElseThrow(() -> notFound(sysId));
    }

    private static InstanceException notFound(String sysId) {
        return InstanceException.notFound("No Record found", "no ecc_queue record with sys_id " + sysId);
    }

    private static void requireChangeable(QueueRecord seen) {
        if (QueueRecord.STATE_PROCESSING.equals(seen.state())) {
            throw leased(seen);
        }
        if (!QueueRecord.STATE_READY.equals(seen.state())) {
            throw InstanceException.conflict("the record is already processed",
                    "its state is " + seen.state() + "; a processed record cannot be changed (nor made ready again), only deleted");
        }
    }

    private static InstanceException leased(QueueRecord seen) {
        return InstanceException.conflict("the record is being processed by " + seen.agent(),
                "it is leased to that agent; it can be changed or deleted once the agent answers or the lease ends");
    }

    /** A conditional write changed no row: the record went, or a claim or an answer took it meanwhile. */
    private static InstanceException lost(StoreSession s, String sysId) throws SQLException {
        QueueRecord now = find(s, sysId);
        if (QueueRecord.STATE_PROCESSING.equals(now.state())) {
            return leased(now);
        }
        return InstanceException.conflict("the record is already processed",
                "its state is " + now.state() + "; a processed record cannot be changed (nor made ready again), only deleted");
    }

    private static String agentName(QueueRecord r) {
        String agent = r.agent() == null ? "" : r.agent();
        return agent.startsWith(QueueRecord.AGENT_PREFIX) ? agent.substring(QueueRecord.AGENT_PREFIX.length()) : agent;
    }

    private static String describe(QueueRecord before, QueueRecord after, List<String> fields) {
        if (fields.isEmpty()) {
            return "nothing changed";
        }
        StringBuilder text = new StringBuilder("changed ").append(String.join(", ", fields));
        if (!before.state().equals(after.state())) {
            text.append("; state ").append(before.state()).append(" -> ").append(after.state());
        }
        if (!before.agent().equals(after.agent())) {
            text.append("; agent ").append(before.agent()).append(" -> ").append(after.agent());
        }
        return text.toString();
    }
}
