package io.midway.instance.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import io.midway.instance.api.InstanceException;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.instance.api.Agent;
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

    /**
     * A new sys_id: 32 lower-case hex digits, as on ServiceNow, made of the time in milliseconds
     * (12 digits) and 80 random bits. Ids made one after another sort together, so that each
     * index on a sys_id (and an input's {@code response_to}) grows at its end: with random ids
     * every record inserted in a batch changed a page of its own in those indexes, and each
     * commit wrote them all (issue 15: 20 % of the H2 queue's throughput).
     *
     * @return the id
     */
    static String newSysId() {
        byte[] random = new byte[10];
        SYS_ID_RANDOM.nextBytes(random);
        String time = Long.toHexString(System.currentTimeMillis());
        return "0".repeat(Math.max(0, 12 - time.length())) + time + HexFormat.of().formatHex(random);
    }

    private static final SecureRandom SYS_ID_RANDOM = new SecureRandom();

    static Agent withStatus(Agent a, String status) {
        return new Agent(a.sysId(), a.name(), status, a.validated(), a.version(), a.hostName(), a.ipAddress(),
                a.lastRefreshed(), a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                a.syncRevision(), a.syncState(), a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }

    static Agent withLastRefreshed(Agent a, String time) {
        return new Agent(a.sysId(), a.name(), a.status(), a.validated(), a.version(), a.hostName(),
                a.ipAddress(), time, a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                a.syncRevision(), a.syncState(), a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }

    static Agent withSync(Agent a, String time, String revision, String state) {
        return new Agent(a.sysId(), a.name(), a.status(), a.validated(), a.version(), a.hostName(),
                a.ipAddress(), time, a.capabilities(), a.applications(), a.ipRanges(), a.cluster(), a.isDefault(),
                revision, state, a.pinnedVersion(), a.publicKeyFingerprint(), a.manualCapabilities(),
                a.advertisedCapabilities());
    }
}
