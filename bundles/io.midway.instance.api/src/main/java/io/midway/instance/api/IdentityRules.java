package io.midway.instance.api;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;


/**
 * The rules an identity of {@code sys_user} must follow, in one place for every way an admin
 * makes or changes one (the Table API, the Web Console's Agents page, the instance shell): a user
 * name of 1 to 200 characters that is free (not {@code admin}, not the shared agent user, not an
 * existing identity); a password of at least 12 characters; roles among {@code mid_server} and
 * {@code admin}; a {@code mid_server} user that is not also an admin names its agent, with a valid
 * agent name. Each broken rule is a {@link InstanceException} whose message names the field and
 * the rule.
 */
public final class IdentityRules {

    /** The longest user name. */
    public static final int MAX_USER_NAME = 200;
    /** The shortest password. */
    public static final int MIN_PASSWORD = 12;
    /** The roles an identity may have. */
    public static final Set<String> ROLES = Set.of(Identities.ROLE_MID_SERVER, Identities.ROLE_ADMIN);

    private IdentityRules() {
    }

    /**
     * @param realm the users
     * @return whether a name belongs to a user that is no identity: {@code admin} or the shared agent user
     */
    public static Predicate<String> reservedNames(Users realm) {
        return name -> Users.ADMIN_USER.equals(name) || realm.isSharedName(name);
    }

    /**
     * Checks a new identity and makes its row (not stored: give it to
     * {@link Identities#create}).
     *
     * @param identities the identities there are
     * @param reserved whether a name belongs to a user that is no identity ({@code admin}, the shared agent user)
     * @param userName the user name
     * @param password the clear password
     * @param roles comma-separated roles; {@code null} or blank for {@code mid_server}
     * @param agent the agent it acts for; {@code null} or blank for none
     * @param active whether it may log in
     * @return the row, without sys_id, hash, source or creation time
     * @throws InstanceException naming the first rule broken
     */
    public static UserRow newIdentity(Identities identities, Predicate<String> reserved, String userName,
            String password, String roles, String agent, boolean active) {
        String name = newUserName(identities, reserved, userName);
        password(password);
        String checkedRoles = roles(roles, Identities.ROLE_MID_SERVER);
        String checkedAgent = agent(agent, checkedRoles);
        return new UserRow(null, name, checkedRoles, checkedAgent, active, null, null, null);
    }

    /**
     * @param identities the identities there are
     * @param reserved whether a name belongs to a user that is no identity
     * @param userName a new user name
     * @return it, when it is well-formed and free
     * @throws InstanceException 400 when malformed, 409 when taken
     */
    public static String newUserName(Identities identities, Predicate<String> reserved, String userName) {
        if (userName == null || userName.isBlank() || userName.length() > MAX_USER_NAME) {
            throw InstanceException.invalid("field 'user_name' is required (1 to " + MAX_USER_NAME + " characters)");
        }
        if (reserved.test(userName) || identities.find(userName).isPresent()) {
            throw InstanceException.conflict("user '" + userName + "' exists already", "choose another user_name");
        }
        return userName;
    }

    /**
     * @param password a clear password
     * @return it, when long enough
     * @throws InstanceException 400 otherwise
     */
    public static String password(String password) {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw InstanceException.invalid("field 'password' is required, at least " + MIN_PASSWORD + " characters");
        }
        return password;
    }

    /**
     * @param given comma-separated roles, or {@code null}/blank
     * @param fallback the roles when none are given
     * @return the roles, sorted and comma-joined
     * @throws InstanceException 400 for an unknown role
     */
    public static String roles(String given, String fallback) {
        String roles = given == null || given.isBlank() ? fallback : given;
        Set<String> set = new TreeSet<>(List.of(roles.split("\\s*,\\s*")));
        if (!ROLES.containsAll(set)) {
            throw InstanceException.invalid("field 'roles': unknown role in '" + roles + "'", "roles: " + ROLES);
        }
        return String.join(",", set);
    }

    /**
     * @param agent the agent named, or {@code null}/blank for none
     * @param roles the identity's (checked) roles
     * @return the agent, or {@code null}
     * @throws InstanceException 400 when a mid_server user names none, or the name is invalid
     */
    public static String agent(String agent, String roles) {
        String named = agent == null || agent.isBlank() ? null : agent;
        boolean agentOnly = roles.contains(Identities.ROLE_MID_SERVER) && !roles.contains(Identities.ROLE_ADMIN);
        if (agentOnly && named == null) {
            throw InstanceException.invalid("field 'agent' is required for a mid_server user",
                    "an agent's identity acts for one agent: name it");
        }
        if (named != null) {
            try {
                AgentNames.check(named);
            } catch (InstanceException e) {
                throw InstanceException.invalid("field 'agent': " + e.getMessage());
            }
        }
        return named;
    }
}
