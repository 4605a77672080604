package io.midway.instance.console.internal;

import java.io.IOException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The root URL {@code /} of the instance: a redirect to the Agents page of the Web Console, instead
 * of a bare 404. Only the root itself (the servlet pattern {@code ""}); it shows nothing, and the
 * console it leads to asks for the admin login as always.
 */
// The pattern "" (the root alone) is set as a property: the annotation would write an empty array.
@Component(service = Servlet.class, property = "osgi.http.whiteboard.servlet.pattern=")
@HttpWhiteboardServletName("midway-instance-root")
public class RootRedirect extends HttpServlet {

    /** Where {@code /} leads. */
    public static final String TARGET = "/system/console/" + AgentConsolePlugin.LABEL;

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        response.sendRedirect(request.getContextPath() + TARGET);
    }
}
