package io.midway.instance.http.internal;

import io.midway.instance.api.InstanceStatus;
import java.io.IOException;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Answers every {@code /api/...} path that no other servlet serves, so API clients never see an
 * HTML error page: a JSON 404 once the instance is up; while it starts (the {@link InstanceStatus}, on
 * which every other API servlet waits, is not there yet, or is gone while the instance stops) a
 * 503 with {@code Retry-After}, which agents retry. Needing nothing itself, it is registered as soon
 * as the bundle starts, before the other servlets (and before the database is open).
 */
// In this package, and named to sort before EventAdminPublisher (see BadInputGuard): registered before the
// database is opened.
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/*")
@HttpWhiteboardServletName("midway-unknown-api-path")
public class ApiFallbackServlet extends ApiServlet {

    /** Seconds a client is asked to wait while the instance starts. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile InstanceStatus service;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile io.midway.instance.http.internal.ApiReadiness readiness;

    /** For DS: the instance's core service is bound when it comes. */
    public ApiFallbackServlet() {
        super(null);
    }

    /**
     * With the whole API taken as registered (tests that register their servlets themselves).
     *
     * @param service the instance's core service, null while it starts
     */
    public ApiFallbackServlet(InstanceStatus service) {
        super(null);
        this.service = service;
        this.readiness = io.midway.instance.http.internal.ApiReadiness.ALWAYS;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        io.midway.instance.http.internal.ApiReadiness api = readiness;
        // A path no servlet serves while part of the API is still being registered may be one of
        // those parts: 503, not 404 (once the whole API is up, an unknown path is a 404). Until
        // the readiness check itself is bound, nothing is known to be up.
        if (service == null || api == null || !api.ready()) {
            throw new RequestException(RequestException.Kind.UNAVAILABLE, "the instance is starting",
                    "try again in a few seconds", Map.of("Retry-After", String.valueOf(RETRY_AFTER_SECONDS)));
        }
        throw RequestException.notFound("no API at " + request.getRequestURI());
    }
}
