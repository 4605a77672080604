package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.AgentRegistry;
import io.midway.wire.StatusChange;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/mid/agents/status} (role mid_server): an agent asks to be paused or resumed, or
 * reports the course of its upgrade ({@code Upgrading}, {@code Upgrade Failed}, {@code Up}), body
 * {@link StatusChange} with an optional {@code detail} for the event; answers {@code {"result": <agent>}}.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/agents/status")
@HttpWhiteboardServletName("midway-agent-status")
public class AgentStatusServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient AgentRegistry service;

    /**
     * @param service the instance
     * @param realm the users
     */
    @Activate
    public AgentStatusServlet(@Reference AgentRegistry service, @Reference Users realm) {
        super(realm);
        this.service = service;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "POST");
        Users.User user = authenticate(request, Users.ROLE_MID_SERVER);
        StatusChange change = readBody(request, StatusChange.class);
        authorizeAgent(user, change == null ? null : change.name());
        writeJson(response, 200, result(WireRecords.toWire(service.changeStatus(change.name(), change.status(), change.detail()))));
    }
}
