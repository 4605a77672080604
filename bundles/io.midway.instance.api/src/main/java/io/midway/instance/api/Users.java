package io.midway.instance.api;

import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The users of the instance: the administrator, the shared agent user (which may only enroll an
 * agent) and the identities of the {@code sys_user} table ({@link Identities}). The HTTP API and
 * the consoles authenticate and authorize through it.
 */
@ProviderType
public interface Users {

    /** Role of administrators. */
    String ROLE_ADMIN = "admin";
    /** Role of agents. */
    String ROLE_MID_SERVER = "mid_server";
    /** Role of the shared agent user: it may enroll an agent, nothing else. */
    String ROLE_MID_ENROLL = "mid_enroll";
    /** Framework property: {@code true} lets the shared agent user act for agents without an identity. */
    String SHARED_LEGACY_PROPERTY = "midway.agent.shared.legacy";
    /** Framework property: {@code true} when the HTTPS server verifies client certificates (mutual TLS). */
    String CLIENT_CERTIFICATES_PROPERTY = "midway.https.client.certificates";
    /** The administrator's user name. */
    String ADMIN_USER = "admin";
    /** Framework property: the admin password. */
    String ADMIN_PASSWORD_PROPERTY = "midway.admin.password";
    /** Framework property: the agent user name. */
    String AGENT_USER_PROPERTY = "midway.agent.user";
    /** Framework property: the agent password. */
    String AGENT_PASSWORD_PROPERTY = "midway.agent.password";
    /** The agent user name when {@value #AGENT_USER_PROPERTY} is unset. */
    String DEFAULT_AGENT_USER = "mid";


    /**
     * An authenticated user.
     *
     * @param name the user name
     * @param roles its roles
     * @param agent the agent it acts for (an agent's own identity), or {@code null}
     */
    public record User(String name, Set<String> roles, String agent) {

        /**
         * @param name the user name
         * @param roles its roles
         */
        public User(String name, Set<String> roles) {
            this(name, roles, null);
        }

        /**
         * @param role a role
         * @return whether the user has it
         */
        public boolean hasRole(String role) {
            return roles.contains(role);
        }
    }

    /**
     * @param userName the user name the caller sent
     * @param password the password the caller sent
     * @return the user, when the name is known and the password matches
     */
    Optional<User> authenticate(String userName, String password);

    /**
     * Mutual TLS: the agent a verified client certificate names (its subject's CN).
     *
     * @param chain the verified chain the client presented, its own certificate first
     * @return the agent's identity, or empty when client certificates are off, the certificate names
     *     no agent, or its identity is disabled
     */
    Optional<User> authenticate(X509Certificate[] chain);

    /** @return whether client certificates identify agents (mutual TLS is on) */
    boolean acceptsClientCertificates();

    /**
     * @param user an authenticated user
     * @param agentName the agent a request acts for
     * @return whether the user may act for it: an admin for every agent, an agent's identity for
     *     its own agent only, the shared user (in legacy mode) for an agent without an identity
     */
    boolean mayActFor(User user, String agentName);

    /**
     * @param name a user name
     * @return whether it is the shared agent user's
     */
    boolean isSharedName(String name);

    /**
     * @param user an authenticated user
     * @return whether it is the shared agent user (which may enroll agents)
     */
    boolean isSharedUser(User user);
}
