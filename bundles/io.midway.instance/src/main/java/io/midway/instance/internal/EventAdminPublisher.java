package io.midway.instance.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import io.midway.instance.api.InstanceEvent;

/**
 * Posts each instance event to OSGi EventAdmin, topic {@value #TOPIC}, with properties
 * {@code name}, {@code agent}, {@code detail}, {@code seq} and {@code time}. Active only when an
 * EventAdmin is present; the persistent event list ({@code /api/mid/events}) is the contract.
 */
@Component(service = EventAdminPublisher.class, immediate = true)
public class EventAdminPublisher implements Consumer<InstanceEvent> {

    /** The EventAdmin topic of every instance event. */
    public static final String TOPIC = "io/midway/instance/EVENT";

    private final InstanceCore service;
    private final EventAdmin eventAdmin;

    /**
     * @param service the instance whose events are posted
     * @param eventAdmin where they are posted
     */
    @Activate
    public EventAdminPublisher(@Reference InstanceCore service, @Reference EventAdmin eventAdmin) {
        this.service = service;
        this.eventAdmin = eventAdmin;
        service.addEventListener(this);
    }

    /** Stops posting. */
    @Deactivate
    public void stop() {
        service.removeEventListener(this);
    }

    @Override
    public void accept(InstanceEvent event) {
        eventAdmin.postEvent(new Event(TOPIC, Map.of(
                "name", event.name(),
                "agent", event.agent() == null ? "" : event.agent(),
                "detail", event.detail() == null ? "" : event.detail(),
                "seq", event.seq(),
                "time", event.time())));
    }
}
