package io.midway.instance.http.internal;

import io.midway.instance.api.Users;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.midway.instance.api.Identities;
import io.midway.instance.api.AgentRegistry;
import io.midway.wire.SealedSecret;
import io.midway.wire.Registration;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code POST /api/mid/agents/register} (role mid_server, or the shared agent user's mid_enroll):
 * body {@link Registration}; answers 201 for a new agent, 200 for a known one, with
 * {@code {"result": <agent>}}.
 *
 * <p><b>Enrollment</b> (DESIGN §13): an agent that registers as the shared agent user gets its own
 * identity in the answer, {@code "identity":{"user_name","password_sealed"}} (the password sealed
 * for the public key it registered; {@code "password"} in clear when it sent none), and logs in as
 * that user from then on. The shared user may enroll a name that has no identity yet, or, to
 * recover a lost identity, one whose validated public key the registration carries (the new
 * password is sealed for that key, so only its holder can read it); any other registration of an
 * enrolled name by the shared user is refused (403) and changes nothing. With
 * {@code midway.agent.shared.legacy=true} the shared user enrolls only when asked
 * ({@code ?enroll=true}), so that agents older than enrollment keep working.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/api/mid/agents/register")
@HttpWhiteboardServletName("midway-agent-registration")
public class AgentRegistrationServlet extends ApiServlet {

    private static final long serialVersionUID = 1L;

    private final transient AgentRegistry service;
    private final transient Identities identities;
    private final transient Users users;

    /**
     * @param service the instance
     * @param realm the users
     * @param identities the agents' identities
     */
    @Activate
    public AgentRegistrationServlet(@Reference AgentRegistry service, @Reference Users realm,
            @Reference Identities identities) {
        super(realm);
        this.service = service;
        this.users = realm;
        this.identities = identities;
    }

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        requireMethod(request, "POST");
        Users.User user = authenticateAny(request, Users.ROLE_MID_SERVER, Users.ROLE_MID_ENROLL);
        Registration registration = readBody(request, Registration.class);
        String name = registration == null || registration.name() == null ? null : registration.name().trim();
        boolean shared = users.isSharedUser(user);
        boolean enroll = shared && (!user.hasRole(Users.ROLE_MID_SERVER)
                || "true".equals(param(request, "enroll").orElse(null)));
        if (enroll && name != null && identities.ofAgent(name).stream().anyMatch(u -> !u.active())) {
            // Disabled by an admin: no way back in by enrolling again.
            throw new RequestException(RequestException.Kind.FORBIDDEN, "User Not Authorized",
                    "the identity of agent '" + name + "' is disabled by an admin: an admin enables it "
                            + "(PATCH /api/now/table/sys_user/{sys_id} {\"active\":true}) or deletes it to let the agent "
                            + "enroll afresh");
        }
        if (enroll && name != null && !identities.ofAgent(name).isEmpty()) {
            // Re-enrollment only with the key the instance validated for that agent.
            String stored = service.publicKey(name).orElse(null);
            String given = registration.publicKey() == null ? null : canonicalKey(registration.publicKey());
            boolean validated = service.agentByName(name).map(a -> a.validated()).orElse(false);
            if (stored == null || given == null || !stored.equals(given) || !validated) {
                throw new RequestException(RequestException.Kind.FORBIDDEN, "User Not Authorized",
                        "agent '" + name + "' is enrolled: it registers as its own user '"
                                + Identities.userNameFor(name) + "' (to enroll it again, an admin deletes that "
                                + "identity, or the agent registers with its validated public key)");
            }
        } else if (!enroll) {
            authorizeAgent(user, name);
        }
        AgentRegistry.Registered registered = service.register(WireRecords.fromWire(registration));
        Map<String, Object> body = new LinkedHashMap<>(result(WireRecords.toWire(registered.agent())));
        if (enroll) {
            String password = identities.enroll(name);
            Map<String, Object> identity = new LinkedHashMap<>();
            identity.put("user_name", Identities.userNameFor(name));
            if (registration.publicKey() != null && !registration.publicKey().isBlank()) {
                identity.put("password_sealed",
                        SealedSecret.seal(SealedSecret.parsePublicKey(registration.publicKey()), password));
            } else {
                identity.put("password", password);
            }
            body.put("identity", identity);
        }
        writeJson(response, registered.created() ? 201 : 200, body);
    }

    private static String canonicalKey(String text) {
        try {
            return SealedSecret.publicKeyText(SealedSecret.parsePublicKey(text));
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest("invalid value for field 'public_key': " + e.getMessage());
        }
    }
}
