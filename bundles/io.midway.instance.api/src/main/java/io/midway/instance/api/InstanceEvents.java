package io.midway.instance.api;

import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/** The instance's events, read in order or newest first, and listened to as they are stored. */
@ProviderType
public interface InstanceEvents {

    /** @param listener called with each new event, after it is stored */
    void addEventListener(Consumer<InstanceEvent> listener);

    /** @param listener a listener added before */
    void removeEventListener(Consumer<InstanceEvent> listener);

    /**
     * @param limit the most events
     * @return the newest events, newest first
     */
    List<InstanceEvent> latestEvents(int limit);

    /**
     * @param since a sequence number, 0 for all
     * @param limit the most events to return
     * @return the events after {@code since}, oldest first
     */
    List<InstanceEvent> events(long since, int limit);
}
