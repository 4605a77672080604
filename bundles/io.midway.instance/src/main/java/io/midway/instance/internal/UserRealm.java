package io.midway.instance.internal;

import io.midway.instance.api.Users;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.Identities;

/**
 * The users of the instance API: {@code admin} (roles {@code admin} and {@code mid_server}, password
 * {@code midway.admin.password}); the shared agent user ({@code midway.agent.user}, default
 * {@code mid}, password {@code midway.agent.password}), which may only <em>enroll</em> an agent
 * (role {@code mid_enroll}: its first registration, answered with the agent's own identity); and
 * the identities of the {@code sys_user} table ({@link io.midway.instance.api.Identities}),
 * each agent's own, bound to its name. A user whose password is unset cannot log in; there is no
 * default password. Framework-property passwords are kept only as SHA-256 digests and compared in
 * constant time.
 *
 * <p>With {@code midway.agent.shared.legacy=true} (for agents older than enrollment, until they are
 * upgraded) the shared user may also act for an agent that has no identity of its own.
 */
@Component(service = Users.class)
public class UserRealm implements Users {

    private static final Logger LOG = LoggerFactory.getLogger(UserRealm.class);
    private static final byte[] NO_PASSWORD = digest("\u0000no password\u0000");

    private record Account(User user, byte[] passwordDigest) {
    }

    private final Map<String, Account> accounts = new HashMap<>();
    private final Identities identities;
    private final String sharedUser;
    private final boolean sharedLegacy;
    private final boolean clientCertificates;

    /**
     * @param context the bundle context, for framework properties
     * @param identities the identities of the sys_user table
     */
    @Activate
    public UserRealm(BundleContext context, @Reference(name = "identities") Identities identities) {
        this(context::getProperty, identities);
    }

    /**
     * A realm of the framework-property users only (no sys_user identities).
     *
     * @param frameworkProperty looks up a framework property, {@code null} when unset
     */
    public UserRealm(Function<String, String> frameworkProperty) {
        this(frameworkProperty, null);
    }

    /**
     * @param frameworkProperty looks up a framework property, {@code null} when unset
     * @param identities the identities of the sys_user table, or {@code null} for none
     */
    public UserRealm(Function<String, String> frameworkProperty, Identities identities) {
        this.identities = identities;
        String agentUser = frameworkProperty.apply(AGENT_USER_PROPERTY);
        agentUser = agentUser == null || agentUser.isBlank() ? DEFAULT_AGENT_USER : agentUser.trim();
        this.sharedUser = agentUser;
        this.sharedLegacy = Boolean.parseBoolean(frameworkProperty.apply(SHARED_LEGACY_PROPERTY));
        this.clientCertificates = Boolean.parseBoolean(frameworkProperty.apply(CLIENT_CERTIFICATES_PROPERTY));
        addAccount(agentUser, frameworkProperty.apply(AGENT_PASSWORD_PROPERTY), AGENT_PASSWORD_PROPERTY,
                sharedLegacy ? Set.of(ROLE_MID_ENROLL, ROLE_MID_SERVER) : Set.of(ROLE_MID_ENROLL));
        if (sharedLegacy) {
            LOG.warn("{}=true: the shared agent user '{}' may act for every agent that has not enrolled; turn it off "
                    + "once every agent runs a version that enrolls", SHARED_LEGACY_PROPERTY, agentUser);
        }
        if (agentUser.equals(ADMIN_USER)) {
            LOG.warn("{} is '{}': that name belongs to the administrator, who has the mid_server role anyway",
                    AGENT_USER_PROPERTY, ADMIN_USER);
        }
        addAccount(ADMIN_USER, frameworkProperty.apply(ADMIN_PASSWORD_PROPERTY), ADMIN_PASSWORD_PROPERTY,
                Set.of(ROLE_ADMIN, ROLE_MID_SERVER));
    }

    private void addAccount(String name, String password, String property, Set<String> roles) {
        if (password == null || password.isEmpty()) {
            accounts.remove(name);
            LOG.warn("Framework property {} is not set: user '{}' cannot log in", property, name);
            return;
        }
        accounts.put(name, new Account(new User(name, roles), digest(password)));
        LOG.info("User '{}' may log in with roles {}", name, roles);
    }

    /**
     * @param userName the user name the caller sent
     * @param password the password the caller sent
     * @return the user, when the name is known and the password matches
     */
    @Override
    public Optional<User> authenticate(String userName, String password) {
        BasicCredentials credentials = new BasicCredentials(userName, password);
        Account account = accounts.get(credentials.user());
        if (account == null && identities != null) {
            Optional<User> identity = identities.authenticate(credentials.user(), credentials.password())
                    .map(i -> new User(i.userName(), i.roles(), i.agent()));
            if (identity.isEmpty()) {
                LOG.debug("Authentication failed for user '{}'", credentials.user());
            }
            return identity;
        }
        byte[] given = digest(credentials.password());
        boolean match = MessageDigest.isEqual(given, account == null ? NO_PASSWORD : account.passwordDigest());
        if (account == null || !match) {
            LOG.debug("Authentication failed for user '{}'", credentials.user());
            return Optional.empty();
        }
        return Optional.of(account.user());
    }

    /**
     * Mutual TLS: the agent a client certificate names (its subject's CN, with or without the
     * {@code mid.server.} prefix), when the HTTP server verified it against the client authorities
     * (framework property {@value #CLIENT_CERTIFICATES_PROPERTY}).
     *
     * @param chain the verified chain the client presented, its own certificate first
     * @return the agent's identity, or empty when client certificates are off, the certificate names
     *     no agent, or its identity is disabled
     */
    @Override
    public Optional<User> authenticate(java.security.cert.X509Certificate[] chain) {
        if (!clientCertificates || identities == null || chain == null || chain.length == 0) {
            return Optional.empty();
        }
        Optional<String> agent = agentOfSubject(chain[0].getSubjectX500Principal());
        if (agent.isEmpty()) {
            LOG.debug("A client certificate names no agent: {}", chain[0].getSubjectX500Principal());
            return Optional.empty();
        }
        return identities.byCertificate(agent.get()).map(i -> new User(i.userName(), i.roles(), i.agent()));
    }

    /**
     * @param subject a client certificate's subject
     * @return the agent its CN names, when it is a valid agent name
     */
    public static Optional<String> agentOfSubject(javax.security.auth.x500.X500Principal subject) {
        try {
            javax.naming.ldap.LdapName name = new javax.naming.ldap.LdapName(
                    subject.getName(javax.security.auth.x500.X500Principal.RFC2253));
            for (javax.naming.ldap.Rdn rdn : name.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
                    String agent = cn.startsWith("mid.server.") ? cn.substring("mid.server.".length()) : cn;
                    return agent.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}") ? Optional.of(agent) : Optional.empty();
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** @return whether client certificates identify agents (mutual TLS is on) */
    @Override
    public boolean acceptsClientCertificates() {
        return clientCertificates;
    }

    /**
     * @param user an authenticated user
     * @param agentName the agent a request acts for
     * @return whether the user may act for it: an admin for every agent, an agent's identity for
     *     its own agent only, the shared user (in legacy mode) for an agent without an identity
     */
    @Override
    public boolean mayActFor(User user, String agentName) {
        if (user.hasRole(ROLE_ADMIN)) {
            return true;
        }
        if (user.agent() != null) {
            return user.agent().equals(agentName);
        }
        if (sharedLegacy && user.name().equals(sharedUser) && user.hasRole(ROLE_MID_SERVER)) {
            return identities == null || agentName == null || identities.ofAgent(agentName).isEmpty();
        }
        return false;
    }

    /**
     * @param name a user name
     * @return whether it is the shared agent user's
     */
    @Override
    public boolean isSharedName(String name) {
        return sharedUser.equals(name);
    }

    /**
     * @param user an authenticated user
     * @return whether it is the shared agent user (which may enroll agents)
     */
    @Override
    public boolean isSharedUser(User user) {
        return user.name().equals(sharedUser) && user.agent() == null && !user.hasRole(ROLE_ADMIN);
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }

    private record BasicCredentials(String user, String password) {
    }
}
