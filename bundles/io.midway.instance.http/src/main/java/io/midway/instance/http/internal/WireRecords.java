package io.midway.instance.http.internal;

import java.util.List;

import io.midway.instance.api.Agent;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.QueueRecord;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.EventRecord;
import io.midway.wire.PollReply;

/**
 * Where the instance's domain records meet the wire records of {@code io.midway.wire}, the JSON
 * shapes of the HTTP contract: the servlets map what a service returns to its wire record before
 * writing it, and what a request body holds to its domain record before handing it on. Each pair
 * has the same components in the same order, so each mapping is one constructor call.
 */
final class WireRecords {

    private WireRecords() {
    }

    static EccRecord toWire(QueueRecord r) {
        return r == null ? null : new EccRecord(r.sysId(), r.agent(), r.topic(), r.name(), r.source(), r.payload(),
                r.queue(), r.state(), r.responseTo(), r.priority(), r.errorString(), r.sysCreatedOn(), r.processed(),
                r.application(), r.capability(), r.selection());
    }

    static QueueRecord fromWire(EccRecord r) {
        return r == null ? null : new QueueRecord(r.sysId(), r.agent(), r.topic(), r.name(), r.source(), r.payload(),
                r.queue(), r.state(), r.responseTo(), r.priority(), r.errorString(), r.sysCreatedOn(), r.processed(),
                r.application(), r.capability(), r.selection());
    }

    static List<EccRecord> queueToWire(List<QueueRecord> records) {
        return records == null ? null : records.stream().map(WireRecords::toWire).toList();
    }

    static AgentRecord toWire(Agent a) {
        return a == null ? null : new AgentRecord(a.sysId(), a.name(), a.status(), a.validated(), a.version(),
                a.hostName(), a.ipAddress(), a.lastRefreshed(), a.capabilities(), a.applications(), a.ipRanges(),
                a.cluster(), a.isDefault(), a.syncRevision(), a.syncState(), a.pinnedVersion(),
                a.publicKeyFingerprint(), a.manualCapabilities(), a.advertisedCapabilities());
    }

    static Agent fromWire(AgentRecord a) {
        return a == null ? null : new Agent(a.sysId(), a.name(), a.status(), a.validated(), a.version(),
                a.hostName(), a.ipAddress(), a.lastRefreshed(), a.capabilities(), a.applications(), a.ipRanges(),
                a.cluster(), a.isDefault(), a.syncRevision(), a.syncState(), a.pinnedVersion(),
                a.publicKeyFingerprint(), a.manualCapabilities(), a.advertisedCapabilities());
    }

    static List<AgentRecord> agentsToWire(List<Agent> agents) {
        return agents == null ? null : agents.stream().map(WireRecords::toWire).toList();
    }

    static EventRecord toWire(InstanceEvent e) {
        return e == null ? null : new EventRecord(e.seq(), e.name(), e.agent(), e.time(), e.detail());
    }

    static InstanceEvent fromWire(EventRecord e) {
        return e == null ? null : new InstanceEvent(e.seq(), e.name(), e.agent(), e.time(), e.detail());
    }

    static List<EventRecord> eventsToWire(List<InstanceEvent> events) {
        return events == null ? null : events.stream().map(WireRecords::toWire).toList();
    }

    static PollReply toWire(PollResult p) {
        return p == null ? null : new PollReply(queueToWire(p.result()), p.syncRevision(), p.instanceVersion(),
                p.agentStatus(), p.validated(), p.pinnedVersion(), p.credentialRevision());
    }

    static PollResult fromWire(PollReply p) {
        return p == null ? null : new PollResult(p.result() == null ? null
                : p.result().stream().map(WireRecords::fromWire).toList(), p.syncRevision(), p.instanceVersion(),
                p.agentStatus(), p.validated(), p.pinnedVersion(), p.credentialRevision());
    }
}
