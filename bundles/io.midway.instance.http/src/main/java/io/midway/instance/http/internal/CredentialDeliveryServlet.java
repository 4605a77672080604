package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.Credentials;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/mid/credentials?agent=NAME} (role mid_server): {@code CredentialSync} — the
 * revision and the active credentials, their secrets sealed with that agent's public key. 404 for
 * an unknown agent, 409 when it registered no key.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/credentials")
@HttpWhiteboardServletName("midway-credential-delivery")
public class CredentialDeliveryServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient Credentials credentials;

    /**
     * @param credentials the credential store
     * @param realm the users
     */
    @Activate
    public CredentialDeliveryServlet(@Reference Credentials credentials, @Reference Users realm) {
        super(realm);
        this.credentials = credentials;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "GET");
        Users.User user = authenticate(request, Users.ROLE_MID_SERVER);
        String agent = param(request, "agent")
                .orElseThrow(() -> RequestException.badRequest("query parameter 'agent' is required"));
        authorizeAgent(user, agent);
        writeJson(response, 200, WireRecords.toWire(credentials.forAgent(agent)));
    }
}
