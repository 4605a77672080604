package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.CredentialAffinities;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/mid/credentials/affinity} (role mid_server): an agent reports its whole current
 * credential affinity, {@code {"agent":"NAME","affinity":[{"credential","type","target"}…]}}, which
 * replaces its rows in {@code dscy_credentials_affinity}; answers
 * {@code {"result":{"agent","stored","dropped"}}}. Entries naming an unknown credential are
 * dropped silently; 400 for a malformed body, 404 for an unknown agent.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/credentials/affinity")
@HttpWhiteboardServletName("midway-credential-affinity")
public class CredentialAffinityServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient CredentialAffinities affinity;

    /**
     * @param affinity the credential affinity
     * @param realm the users
     */
    @Activate
    public CredentialAffinityServlet(@Reference CredentialAffinities affinity, @Reference Users realm) {
        super(realm);
        this.affinity = affinity;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "POST");
        Users.User user = authenticate(request, Users.ROLE_MID_SERVER);
        com.fasterxml.jackson.databind.JsonNode body = readTree(request);
        authorizeAgent(user, body == null ? null : body.path("agent").asText(null));
        writeJson(response, 200, result(affinity.replace(body).toJson()));
    }
}
