package io.midway.instance.internal.http;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users of the instance API, from framework properties: {@code admin} (roles {@code admin} and
 * {@code mid_server}, password {@code midway.admin.password}) and the agent user
 * ({@code midway.agent.user}, default {@code mid}, role {@code mid_server}, password
 * {@code midway.agent.password}). A user whose password property is unset cannot log in; there is
 * no default password. Passwords are kept only as SHA-256 digests and compared in constant time.
 */
@Component(service = UserRealm.class)
public class UserRealm {

    /** Role of administrators. */
    public static final String ROLE_ADMIN = "admin";
    /** Role of agents. */
    public static final String ROLE_MID_SERVER = "mid_server";
    /** The administrator's user name. */
    public static final String ADMIN_USER = "admin";
    /** Framework property: the admin password. */
    public static final String ADMIN_PASSWORD_PROPERTY = "midway.admin.password";
    /** Framework property: the agent user name. */
    public static final String AGENT_USER_PROPERTY = "midway.agent.user";
    /** Framework property: the agent password. */
    public static final String AGENT_PASSWORD_PROPERTY = "midway.agent.password";
    /** The agent user name when {@value #AGENT_USER_PROPERTY} is unset. */
    public static final String DEFAULT_AGENT_USER = "mid";

    private static final Logger LOG = LoggerFactory.getLogger(UserRealm.class);
    private static final byte[] NO_PASSWORD = digest("\u0000no password\u0000");

    /**
     * An authenticated user.
     *
     * @param name the user name
     * @param roles its roles
     */
    public record User(String name, Set<String> roles) {
        /**
         * @param role a role
         * @return whether the user has it
         */
        public boolean hasRole(String role) {
            return roles.contains(role);
        }
    }

    private record Account(User user, byte[] passwordDigest) {
    }

    private final Map<String, Account> accounts = new HashMap<>();

    /** @param context the bundle context, for framework properties */
    @Activate
    public UserRealm(BundleContext context) {
        this(context::getProperty);
    }

    /** @param frameworkProperty looks up a framework property, {@code null} when unset */
    public UserRealm(Function<String, String> frameworkProperty) {
        String agentUser = frameworkProperty.apply(AGENT_USER_PROPERTY);
        agentUser = agentUser == null || agentUser.isBlank() ? DEFAULT_AGENT_USER : agentUser.trim();
        addAccount(agentUser, frameworkProperty.apply(AGENT_PASSWORD_PROPERTY), AGENT_PASSWORD_PROPERTY,
                Set.of(ROLE_MID_SERVER));
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
     * @param credentials what the caller sent
     * @return the user, when the name is known and the password matches
     */
    public Optional<User> authenticate(BasicCredentials credentials) {
        Account account = accounts.get(credentials.user());
        byte[] given = digest(credentials.password());
        boolean match = MessageDigest.isEqual(given, account == null ? NO_PASSWORD : account.passwordDigest());
        if (account == null || !match) {
            LOG.debug("Authentication failed for user '{}'", credentials.user());
            return Optional.empty();
        }
        return Optional.of(account.user());
    }

    private static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
