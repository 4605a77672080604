package io.midway.instance.internal.http;

import java.io.IOException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.internal.RequestException;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Answers every {@code /api/...} path that no other servlet serves with a JSON 404, so API
 * clients never see an HTML error page.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/*")
@HttpWhiteboardServletName("midway-unknown-api-path")
public class UnknownApiPathServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    /** A servlet that needs no users. */
    public UnknownApiPathServlet() {
        super(null);
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        throw RequestException.notFound("no API at " + request.getRequestURI());
    }
}
