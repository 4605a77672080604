package io.midway.instance.internal;

import io.midway.instance.api.InstanceEvents;
import java.util.List;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.midway.instance.api.InstanceEvent;

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
    public void addEventListener(Consumer<InstanceEvent> listener) {
        core.addEventListener(listener);
    }

    /** @param listener a listener added before */
    public void removeEventListener(Consumer<InstanceEvent> listener) {
        core.removeEventListener(listener);
    }

    /**
     * @param limit the most events
     * @return the newest events, newest first
     */
    public List<InstanceEvent> latestEvents(int limit) {
        core.requireOpen();
        return core.read(s -> s.latestEvents(limit));
    }

    /**
     * @param since a sequence number, 0 for all
     * @param limit the most events to return
     * @return the events after {@code since}, oldest first
     */
    public List<InstanceEvent> events(long since, int limit) {
        core.requireOpen();
        return core.read(s -> s.eventsSince(since, limit));
    }
}
