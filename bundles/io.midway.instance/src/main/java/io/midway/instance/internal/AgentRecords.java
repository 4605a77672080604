package io.midway.instance.internal;

import io.midway.instance.api.InstanceException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.wire.AgentRecord;
import io.midway.wire.Json;

/** Small helpers over agent records and sys_ids, shared by the instance's services. */
final class AgentRecords {

    private AgentRecords() {
    }


    static InstanceException notRegistered(String agentName) {
        return new InstanceException(InstanceException.Reason.NOT_FOUND, "agent " + agentName + " is not registered",
                "register with POST /api/mid/agents/register first");
    }


    static void requireTable(TableQuery query, TableSchema table) {
        if (query.table() != table) {
            throw new IllegalArgumentException("query on " + query.table() + " where " + table + " was expected");
        }
    }


    static String or(String value, String fallback) {
        return value == null ? fallback : value;
    }

    static long secondsSince(String wireTime, Instant now) {
        try {
            return Duration.between(Json.parseTime(wireTime), now).toSeconds();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static String newSysId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    static AgentRecord withStatus(AgentRecord a, String status) {
        return new AgentRecord(a.sysId(), a.name(), status, a.validated(), a.version(), a.hostName(), a.ipAddress(),
                a.lastRefreshed(), a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                a.syncRevision(), a.syncState(), a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }

    static AgentRecord withLastRefreshed(AgentRecord a, String time) {
        return new AgentRecord(a.sysId(), a.name(), a.status(), a.validated(), a.version(), a.hostName(),
                a.ipAddress(), time, a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                a.syncRevision(), a.syncState(), a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }

    static AgentRecord withSync(AgentRecord a, String time, String revision, String state) {
        return new AgentRecord(a.sysId(), a.name(), a.status(), a.validated(), a.version(), a.hostName(),
                a.ipAddress(), time, a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                revision, state, a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }
}
