package io.midway.instance.internal;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.midway.instance.store.StoreSession;
import io.midway.instance.api.InstanceEvent;
import io.midway.wire.Json;

/** Events and wake-ups of one write, published after it commits. */
final class Changes {
    final Instant now;
    final List<InstanceEvent> events = new ArrayList<>();
    final Set<String> wake = new LinkedHashSet<>();
    final List<Runnable> onCommit = new ArrayList<>();
    final List<Runnable> onRollback = new ArrayList<>();
    /** The new file-sync revision, when this write changed the set. */
    Long syncRevision;
    /** The new credential revision, when this write changed the credentials. */
    Long credentialRevision;
    /** The new configuration revision, when this write changed agent properties or parameters. */
    Long configRevision;
    /** The new instance version, when this write published an agent core. */
    String instanceVersion;

    Changes(Instant now) {
        this.now = now;
    }

    void event(StoreSession s, String name, String agent, String detail) throws SQLException {
        events.add(s.insertEvent(name, agent, Json.time(now), detail));
    }

    /**
     * Takes a new configuration revision for this write; again in the same write, the same one.
     *
     * @param s the write's session
     * @return the new revision
     * @throws SQLException on a database error
     */
    long nextConfigRevision(StoreSession s) throws SQLException {
        if (configRevision == null) {
            configRevision = s.incrementConfigRevision();
        }
        return configRevision;
    }

    void wake(String agentName) {
        wake.add(agentName);
    }
}
