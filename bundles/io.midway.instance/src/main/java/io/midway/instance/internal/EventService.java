package io.midway.instance.internal;

import io.midway.instance.api.InstanceEvents;
import io.midway.instance.api.InstanceException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.AgentCluster;
import io.midway.instance.internal.cluster.ClusterRouter;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.StoreException;
import io.midway.instance.store.StoreSession;
import io.midway.instance.store.StoreSession.PendingHeartbeat;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;
import io.midway.wire.AgentRecord;
import io.midway.wire.EccRecord;
import io.midway.wire.EventRecord;
import io.midway.wire.InputBatch;
import io.midway.wire.InputRecord;
import io.midway.wire.InstanceInfo;
import io.midway.wire.Json;
import io.midway.wire.PollReply;
import io.midway.wire.Registration;
import io.midway.wire.SealedSecret;
import io.midway.wire.SyncReport;

import org.osgi.service.component.annotations.Reference;

/** The instance's events: read in order or newest first, and listened to as they are stored. */
@Component(service = {InstanceEvents.class})
public class EventService implements InstanceEvents {

    private final InstanceCore core;

    /**
     * @param core the instance core
     */
    @Activate
    public EventService(@Reference InstanceCore core) {
        this.core = core;
    }

    /** @param listener called with each new event, after it is stored */
    public void addEventListener(Consumer<EventRecord> listener) {
        core.addEventListener(listener);
    }

    /** @param listener a listener added before */
    public void removeEventListener(Consumer<EventRecord> listener) {
        core.removeEventListener(listener);
    }

    /**
     * @param limit the most events
     * @return the newest events, newest first
     */
    public List<EventRecord> latestEvents(int limit) {
        core.requireOpen();
        return core.read(s -> s.latestEvents(limit));
    }

    /**
     * @param since a sequence number, 0 for all
     * @param limit the most events to return
     * @return the events after {@code since}, oldest first
     */
    public List<EventRecord> events(long since, int limit) {
        core.requireOpen();
        return core.read(s -> s.eventsSince(since, limit));
    }
}
