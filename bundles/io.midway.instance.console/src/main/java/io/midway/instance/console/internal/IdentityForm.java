package io.midway.instance.console.internal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * What the "New identity" form submitted, without its password (which is never kept nor shown
 * again): shown again in the form when the identity was refused.
 *
 * @param userName the user name as typed
 * @param agent the agent as typed
 * @param roles the roles as chosen
 */
record IdentityForm(String userName, String agent, String roles) {

    /** Form field: the user name. */
    static final String USER_NAME = "user_name";
    /** Form field: the agent the identity acts for. */
    static final String AGENT = "agent";
    /** Form field: the roles, comma-separated. */
    static final String ROLES = "roles";
    /** Form field: the password (type=password, never echoed). */
    static final String PASSWORD = "password";
    /** Form field: the sys_id of the identity a row button acts on. */
    static final String SYS_ID = "sys_id";

    /** An empty form. */
    static final IdentityForm EMPTY = new IdentityForm("", "", "mid_server");

    /** Null texts become empty. */
    IdentityForm {
        userName = userName == null ? "" : userName;
        agent = agent == null ? "" : agent;
        roles = roles == null ? "" : roles;
    }

    /**
     * @param request the form POST
     * @return the values submitted, without the password
     */
    static IdentityForm of(HttpServletRequest request) {
        return new IdentityForm(request.getParameter(USER_NAME), request.getParameter(AGENT),
                request.getParameter(ROLES));
    }
}
