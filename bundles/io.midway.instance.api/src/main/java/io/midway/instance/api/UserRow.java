package io.midway.instance.api;


/**
 * One identity.
 *
 * @param sysId its sys_id
 * @param userName the name it logs in with
 * @param roles its roles, comma separated
 * @param agent the agent it acts for ({@code mid_server} identities), or {@code null}
 * @param active whether it may log in
 * @param passwordHash the hash of its password ({@code pbkdf2$…})
 * @param source {@code enrolled} (made at an agent's first registration) or {@code admin}
 * @param createdOn when it was made
 */
public record UserRow(String sysId, String userName, String roles, String agent, boolean active,
        String passwordHash, String source, String createdOn) {
}
