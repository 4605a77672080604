package io.midway.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the instance says about one agent during the file sync and upgrade tests ({@link FileSyncIT},
 * {@link UpgradeIT}, {@link UpgradeOutageIT}): its events, and how often a core offered for upgrade
 * was downloaded.
 */
final class InstanceWatch {

    private static final String UPGRADE_API = "/api/mid/admin/upgrade";

    private final Http admin;
    private final String agent;

    /**
     * @param admin the instance, as its administrator
     * @param agent the agent's name
     */
    InstanceWatch(Http admin, String agent) {
        this.admin = admin;
        this.agent = agent;
    }

    /** @return the instance's events after {@code since} (all agents), oldest first */
    JsonNode events(long since) throws IOException, InterruptedException {
        return admin.json("/api/mid/events?since=" + since).path("result");
    }

    /** @return the names of this agent's events after {@code since}, oldest first */
    List<String> agentEventNames(long since) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (JsonNode e : events(since)) {
            if (agent.equals(e.path("agent").asText())) {
                names.add(e.path("name").asText());
            }
        }
        return names;
    }

    /** @return the sequence number of the newest event, 0 without one */
    long lastEventSeq() throws IOException, InterruptedException {
        long last = 0;
        for (JsonNode e : events(0)) {
            last = Math.max(last, e.path("seq").asLong());
        }
        return last;
    }

    /** @return how often the core of this SHA-256 was downloaded; fails when the instance offers none */
    long downloads(String sha256) throws IOException, InterruptedException {
        JsonNode status = admin.json(UPGRADE_API).path("result");
        for (JsonNode core : status.path("cores")) {
            if (sha256.equals(core.path("sha256").asText())) {
                return core.path("downloads").asLong();
            }
        }
        throw new AssertionError("no core with sha256 " + sha256 + " in " + status);
    }
}
