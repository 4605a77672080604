package io.midway.instance.internal.http;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.internal.EccService;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /api/mid/instance_info} (public): the instance version and the core it offers. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/instance_info")
@HttpWhiteboardServletName("midway-instance-info")
public class InstanceInfoServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient EccService service;

    /** @param service the instance */
    @Activate
    public InstanceInfoServlet(@Reference EccService service) {
        super(null);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "GET");
        writeJson(response, 200, service.instanceInfo());
    }
}
