package io.midway.instance.http.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.InstanceStatus;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /api/mid/instance_info} (public): the instance version and the core it offers. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/instance_info")
@HttpWhiteboardServletName("midway-instance-info")
public class InstanceInfoServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient InstanceStatus service;
    private final transient ApiReadiness readiness;

    /** @param service the instance (outside OSGi: the API counts as up) */
    public InstanceInfoServlet(InstanceStatus service) {
        this(service, ApiReadiness.ALWAYS);
    }

    /**
     * @param service the instance
     * @param readiness whether the whole API is up: until then this answers 503
     */
    @Activate
    public InstanceInfoServlet(@Reference InstanceStatus service, @Reference ApiReadiness readiness) {
        super(null);
        this.service = service;
        this.readiness = readiness;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "GET");
        if (!readiness.ready()) {
            throw new io.midway.instance.http.internal.RequestException(
                    io.midway.instance.http.internal.RequestException.Kind.UNAVAILABLE, "the instance is starting",
                    "not up yet: " + String.join(", ", readiness.missing()),
                    java.util.Map.of("Retry-After", String.valueOf(io.midway.instance.http.internal.ApiFallbackServlet
                            .RETRY_AFTER_SECONDS)));
        }
        writeJson(response, 200, WireRecords.toWire(service.instanceInfo()));
    }
}
