package io.midway.instance.http.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import io.midway.instance.api.Agent;
import io.midway.instance.api.AgentRegistration;
import io.midway.instance.api.AgentResult;
import io.midway.instance.api.AgentResults;
import io.midway.instance.api.CredentialSnapshot;
import io.midway.instance.api.InstanceDescription;
import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.PollResult;
import io.midway.instance.api.QueueRecord;
import io.midway.instance.api.RepositoryFile;
import io.midway.instance.api.SyncFiles;
import io.midway.instance.api.SyncState;
import io.midway.wire.AgentRecord;
import io.midway.wire.CredentialRecord;
import io.midway.wire.CredentialSync;
import io.midway.wire.EccRecord;
import io.midway.wire.EventRecord;
import io.midway.wire.InputBatch;
import io.midway.wire.InputRecord;
import io.midway.wire.InstanceInfo;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;
import io.midway.wire.SyncFile;
import io.midway.wire.SyncReport;
import io.midway.wire.SyncSnapshot;

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
        return map(records, WireRecords::toWire);
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
        return map(agents, WireRecords::toWire);
    }

    static EventRecord toWire(InstanceEvent e) {
        return e == null ? null : new EventRecord(e.seq(), e.name(), e.agent(), e.time(), e.detail());
    }

    static InstanceEvent fromWire(EventRecord e) {
        return e == null ? null : new InstanceEvent(e.seq(), e.name(), e.agent(), e.time(), e.detail());
    }

    static List<EventRecord> eventsToWire(List<InstanceEvent> events) {
        return map(events, WireRecords::toWire);
    }

    static PollReply toWire(PollResult p) {
        return p == null ? null : new PollReply(queueToWire(p.result()), p.syncRevision(), p.instanceVersion(),
                p.agentStatus(), p.validated(), p.pinnedVersion(), p.credentialRevision(), p.configRevision());
    }

    static PollResult fromWire(PollReply p) {
        return p == null ? null : new PollResult(map(p.result(), WireRecords::fromWire), p.syncRevision(), p.instanceVersion(),
                p.agentStatus(), p.validated(), p.pinnedVersion(), p.credentialRevision(), p.configRevision());
    }

    static Registration toWire(AgentRegistration r) {
        return r == null ? null : new Registration(r.name(), r.version(), r.hostName(), r.ipAddress(),
                r.capabilities(), r.publicKey(), r.held());
    }

    static AgentRegistration fromWire(Registration r) {
        return r == null ? null : new AgentRegistration(r.name(), r.version(), r.hostName(), r.ipAddress(),
                r.capabilities(), r.publicKey(), r.held());
    }

    static InputRecord toWire(AgentResult r) {
        return r == null ? null : new InputRecord(r.responseTo(), r.topic(), r.name(), r.source(), r.payload(),
                r.state(), r.errorString());
    }

    static AgentResult fromWire(InputRecord r) {
        return r == null ? null : new AgentResult(r.responseTo(), r.topic(), r.name(), r.source(), r.payload(),
                r.state(), r.errorString());
    }

    static InputBatch toWire(AgentResults b) {
        return b == null ? null : new InputBatch(map(b.records(), WireRecords::toWire));
    }

    static AgentResults fromWire(InputBatch b) {
        return b == null ? null : new AgentResults(map(b.records(), WireRecords::fromWire));
    }

    static SyncReport.Result toWire(SyncState.Result r) {
        return r == null ? null : new SyncReport.Result(r.symbolicName(), r.version(), r.sha256(), r.action(),
                r.outcome(), r.message());
    }

    static SyncState.Result fromWire(SyncReport.Result r) {
        return r == null ? null : new SyncState.Result(r.symbolicName(), r.version(), r.sha256(), r.action(),
                r.outcome(), r.message());
    }

    static SyncReport toWire(SyncState s) {
        return s == null ? null : new SyncReport(s.name(), s.revision(), s.state(), map(s.files(), WireRecords::toWire));
    }

    static SyncState fromWire(SyncReport s) {
        return s == null ? null : new SyncState(s.name(), s.revision(), s.state(), map(s.files(), WireRecords::fromWire));
    }

    static SyncFile toWire(RepositoryFile f) {
        return f == null ? null : new SyncFile(f.name(), f.kind(), f.symbolicName(), f.version(), f.sha256(), f.size());
    }

    static RepositoryFile fromWire(SyncFile f) {
        return f == null ? null : new RepositoryFile(f.name(), f.kind(), f.symbolicName(), f.version(), f.sha256(),
                f.size());
    }

    static SyncSnapshot toWire(SyncFiles s) {
        return s == null ? null : new SyncSnapshot(s.revision(), map(s.files(), WireRecords::toWire));
    }

    static SyncFiles fromWire(SyncSnapshot s) {
        return s == null ? null : new SyncFiles(s.revision(), map(s.files(), WireRecords::fromWire));
    }

    static InstanceInfo.Core toWire(InstanceDescription.Core c) {
        return c == null ? null : new InstanceInfo.Core(c.symbolicName(), c.version(), c.sha256(), c.size());
    }

    static InstanceDescription.Core fromWire(InstanceInfo.Core c) {
        return c == null ? null : new InstanceDescription.Core(c.symbolicName(), c.version(), c.sha256(), c.size());
    }

    static InstanceInfo toWire(InstanceDescription i) {
        return i == null ? null : new InstanceInfo(i.version(), toWire(i.core()));
    }

    static InstanceDescription fromWire(InstanceInfo i) {
        return i == null ? null : new InstanceDescription(i.version(), fromWire(i.core()));
    }

    static CredentialRecord toWire(CredentialSnapshot.Credential c) {
        return c == null ? null : new CredentialRecord(c.sysId(), c.name(), c.type(), c.order(), c.active(), c.fields(),
                c.sealed(), c.resolver(), c.externalId());
    }

    static CredentialSnapshot.Credential fromWire(CredentialRecord c) {
        return c == null ? null : new CredentialSnapshot.Credential(c.sysId(), c.name(), c.type(), c.order(),
                c.active(), c.fields(), c.sealed(), c.resolver(), c.externalId());
    }

    static CredentialSync toWire(CredentialSnapshot s) {
        return s == null ? null : new CredentialSync(s.revision(), map(s.result(), WireRecords::toWire));
    }

    static CredentialSnapshot fromWire(CredentialSync s) {
        return s == null ? null : new CredentialSnapshot(s.revision(), map(s.result(), WireRecords::fromWire));
    }

    /** @return the list mapped element by element, {@code null} for {@code null} (elements may be null) */
    static <A, B> List<B> map(List<A> list, Function<A, B> mapping) {
        if (list == null) {
            return null;
        }
        List<B> mapped = new ArrayList<>(list.size());
        for (A a : list) {
            mapped.add(mapping.apply(a));
        }
        return Collections.unmodifiableList(mapped);
    }
}
