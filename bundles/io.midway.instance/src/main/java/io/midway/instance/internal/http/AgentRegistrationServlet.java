package io.midway.instance.internal.http;

import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.internal.EccService;
import io.midway.wire.Registration;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/mid/agents/register} (role mid_server): body {@link Registration}; answers
 * 201 for a new agent, 200 for a known one, with {@code {"result": <agent>}}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/agents/register")
@HttpWhiteboardServletName("midway-agent-registration")
public class AgentRegistrationServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient EccService service;

    /**
     * @param service the instance
     * @param realm the users
     */
    @Activate
    public AgentRegistrationServlet(@Reference EccService service, @Reference UserRealm realm) {
        super(realm);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "POST");
        authenticate(request, UserRealm.ROLE_MID_SERVER);
        EccService.Registered registered = service.register(readBody(request, Registration.class));
        writeJson(response, registered.created() ? 201 : 200, result(registered.agent()));
    }
}
