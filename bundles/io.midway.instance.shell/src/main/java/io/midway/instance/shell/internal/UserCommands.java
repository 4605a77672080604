package io.midway.instance.shell.internal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.Identities;
import io.midway.instance.api.IdentityRules;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.Users;
import io.midway.instance.api.UserRow;

/**
 * What the {@code instance:} user commands do to the {@code sys_user} identities, with the rules
 * of the Table API ({@link IdentityRules}); each answers the text the shell prints. A new
 * identity's password is made here at random and printed once: one typed on the command line
 * would stay in the shell's history.
 */
@Component(service = UserCommands.class)
public class UserCommands {

    private static final Logger LOG = LoggerFactory.getLogger(UserCommands.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Identities identities;
    private final Users realm;

    /**
     * @param identities the identities
     * @param realm the users, for the names no identity may take
     */
    @Activate
    public UserCommands(@Reference(name = "identities") Identities identities,
            @Reference(name = "realm") Users realm) {
        this.identities = identities;
        this.realm = realm;
    }

    /** @return every identity as a table, never a password */
    public String list() {
        List<UserRow> rows = identities.all();
        if (rows.isEmpty()) {
            return "no identities: an agent gets one when it enrolls (instance:user-add makes one by hand)";
        }
        TextTable table = new TextTable("USER NAME", "AGENT", "ROLES", "ACTIVE", "SOURCE", "CREATED");
        for (UserRow u : rows) {
            table.row(u.userName(), u.agent(), u.roles(), u.active() ? "yes" : "no", u.source(), u.createdOn());
        }
        return table.toString();
    }

    /**
     * @param userName the new identity's name
     * @param agent the agent it acts for
     * @return the outcome with the password, printed once, or the rule broken
     */
    public String add(String userName, String agent) {
        String password = newPassword();
        try {
            UserRow stored = identities.create(IdentityRules.newIdentity(identities, IdentityRules.reservedNames(realm),
                    userName, password, Identities.ROLE_MID_SERVER, agent, true), password);
            LOG.info("Identity '{}' created in the shell for agent {}", stored.userName(), stored.agent());
            return "Identity " + stored.userName() + " created for agent " + stored.agent() + " (role "
                    + stored.roles() + "). Its password, shown this once and kept nowhere in clear:\n"
                    + "  " + password + "\n"
                    + "Give it to that agent as MIDWAY_AGENT_USER=" + stored.userName() + " and MIDWAY_AGENT_PASSWORD; "
                    + "a lost password is replaced by deleting the identity and adding it again.";
        } catch (InstanceException e) {
            return "instance:user-add: identity '" + userName + "' was not created: " + reason(e);
        }
    }

    /**
     * @param userName an identity's name
     * @param active whether it may log in
     * @return the outcome
     */
    public String setActive(String userName, boolean active) {
        String command = active ? "instance:user-enable" : "instance:user-disable";
        Optional<UserRow> found = identities.find(userName);
        if (found.isEmpty()) {
            return command + ": " + noSuchUser(userName);
        }
        UserRow u = found.get();
        if (u.active() == active) {
            return "Identity " + userName + " is " + (active ? "enabled" : "disabled") + " already.";
        }
        identities.update(new UserRow(u.sysId(), u.userName(), u.roles(), u.agent(), active, u.passwordHash(),
                u.source(), u.createdOn()), null);
        LOG.info("Identity '{}' {} in the shell", userName, active ? "enabled" : "disabled");
        return "Identity " + userName + (active ? " enabled: it may log in again." : " disabled: it can no longer log in.");
    }

    /**
     * @param userName an identity's name
     * @return the outcome
     */
    public String delete(String userName) {
        Optional<UserRow> found = identities.find(userName);
        if (found.isEmpty()) {
            return "instance:user-delete: " + noSuchUser(userName);
        }
        identities.delete(found.get().sysId());
        LOG.info("Identity '{}' deleted in the shell", userName);
        return "Identity " + userName + " deleted"
                + (found.get().agent() == null ? "." : ": agent " + found.get().agent() + " may enroll again.");
    }

    private String noSuchUser(String userName) {
        return "no identity '" + userName + "'" + (IdentityRules.reservedNames(realm).test(userName)
                ? " (admin and the shared agent user are set by the launcher, not in sys_user)" : "")
                + "; instance:users lists them";
    }

    private static String reason(InstanceException e) {
        return e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
    }

    /** @return 24 random bytes, URL-safe base64: 32 characters, well over the 12 the rules ask */
    private static String newPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
