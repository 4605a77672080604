package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.InstanceEvents;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/mid/events?since=SEQ&limit=N} (role admin): events after {@code since}
 * (default 0), oldest first, at most {@code limit} (default and maximum 10000).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/events")
@HttpWhiteboardServletName("midway-events")
public class EventsServlet extends ApiServlet {

    /** The most events one request returns. */
    public static final int MAX_EVENTS = 10000;

    private static final long serialVersionUID = 1L;

    private final transient InstanceEvents service;

    /**
     * @param service the instance
     * @param realm the users
     */
    @Activate
    public EventsServlet(@Reference InstanceEvents service, @Reference Users realm) {
        super(realm);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "GET");
        authenticate(request, Users.ROLE_ADMIN);
        long since = longParam(request, "since", 0);
        if (since < 0) {
            throw RequestException.badRequest("query parameter 'since' must not be negative", "got " + since);
        }
        int limit = intParam(request, "limit", MAX_EVENTS);
        if (limit < 1 || limit > MAX_EVENTS) {
            throw RequestException.badRequest("query parameter 'limit' must be between 1 and " + MAX_EVENTS,
                    "got " + limit);
        }
        writeJson(response, 200, result(WireRecords.eventsToWire(service.events(since, limit))));
    }
}
