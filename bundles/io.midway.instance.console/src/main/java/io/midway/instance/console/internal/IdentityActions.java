package io.midway.instance.console.internal;

import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.Identities;
import io.midway.instance.api.IdentityRules;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.Users;
import io.midway.instance.api.UserRow;

/**
 * What the Identities section of the Agents page does to {@code sys_user}: create (with
 * {@link IdentityRules}, as {@code POST /api/now/table/sys_user}), disable, enable and delete
 * (by sys_id, as {@code PATCH {"active":…}} and {@code DELETE}). Each answers the sentence the
 * page shows, or throws the {@link InstanceException} naming the rule broken.
 */
final class IdentityActions {

    /** The actions taken here. */
    static final Set<String> ACTIONS = Set.of(AgentConsolePlugin.ACTION_USER_CREATE,
            AgentConsolePlugin.ACTION_USER_DISABLE, AgentConsolePlugin.ACTION_USER_ENABLE,
            AgentConsolePlugin.ACTION_USER_DELETE);

    private static final Logger LOG = LoggerFactory.getLogger(IdentityActions.class);

    private final Identities identities;
    private final Users realm;

    /**
     * @param identities the identities
     * @param realm the users, for the names no identity may take
     */
    IdentityActions(Identities identities, Users realm) {
        this.identities = identities;
        this.realm = realm;
    }

    /** @return every identity, oldest first */
    List<UserRow> all() {
        return identities.all();
    }

    /**
     * @param form the values submitted
     * @param password the password submitted
     * @return what was done
     */
    String create(IdentityForm form, String password) {
        UserRow row = IdentityRules.newIdentity(identities, IdentityRules.reservedNames(realm), form.userName(),
                password, form.roles(), form.agent(), true);
        UserRow stored = identities.create(row, password);
        LOG.info("Identity '{}' created in the Web Console", stored.userName());
        return "Identity " + stored.userName() + " created (roles " + stored.roles()
                + (stored.agent() == null ? "" : ", agent " + stored.agent()) + "): it may log in now.";
    }

    /**
     * @param action {@code user-disable}, {@code user-enable} or {@code user-delete}
     * @param sysId the identity's sys_id
     * @return what was done
     */
    String change(String action, String sysId) {
        UserRow row = identities.all().stream().filter(u -> u.sysId().equals(sysId)).findFirst()
                .orElseThrow(() -> InstanceException.notFound("no sys_user record with sys_id " + sysId));
        switch (action) {
            case AgentConsolePlugin.ACTION_USER_DELETE -> {
                identities.delete(row.sysId());
                LOG.info("Identity '{}' deleted in the Web Console", row.userName());
                return "Identity " + row.userName() + " deleted"
                        + (row.agent() == null ? "." : ": agent " + row.agent() + " may enroll again.");
            }
            case AgentConsolePlugin.ACTION_USER_DISABLE, AgentConsolePlugin.ACTION_USER_ENABLE -> {
                boolean active = AgentConsolePlugin.ACTION_USER_ENABLE.equals(action);
                identities.update(new UserRow(row.sysId(), row.userName(), row.roles(), row.agent(), active,
                        row.passwordHash(), row.source(), row.createdOn()), null);
                LOG.info("Identity '{}' {} in the Web Console", row.userName(), active ? "enabled" : "disabled");
                return "Identity " + row.userName() + (active ? " enabled: it may log in again."
                        : " disabled: it can no longer log in.");
            }
            default -> throw InstanceException.invalid("unknown action '" + action + "'");
        }
    }
}
