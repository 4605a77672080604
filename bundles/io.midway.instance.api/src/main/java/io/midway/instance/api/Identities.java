package io.midway.instance.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/** The sys_user identities: one per agent (mid.server.NAME), and those an admin makes. */
@ProviderType
public interface Identities {
    /** The role of an agent's identity. */
    String ROLE_MID_SERVER = "mid_server";
    /** The role of an administrator. */
    String ROLE_ADMIN = "admin";
    /** {@code source} of an identity made at an agent's first registration. */
    String SOURCE_ENROLLED = "enrolled";
    /** {@code source} of an identity an admin made. */
    String SOURCE_ADMIN = "admin";
    /** {@code source} of an identity made when an agent first presented a trusted client certificate. */
    String SOURCE_CERTIFICATE = "certificate";


    /**
     * @param agentName an agent's name
     * @return the user name its enrolled identity gets
     */
    static String userNameFor(String agentName) {
        return "mid.server." + agentName;
    }


    /**
     * An identity that logged in.
     *
     * @param userName its name
     * @param roles its roles
     * @param agent the agent it acts for, or {@code null}
     */
    record Identity(String userName, Set<String> roles, String agent) {
    }

    /**
     * @param userName the user name given
     * @param password the password given
     * @return the identity, when it exists, is active and the password matches
     */
    Optional<Identity> authenticate(String userName, String password);

    /**
     * The identity of an agent that presented a client certificate the instance trusts (mutual
     * TLS): made at its first request (source {@value #SOURCE_CERTIFICATE}, with a random password
     * nobody knows, so it logs in by its certificate only), then listed, disabled and deleted like
     * any other.
     *
     * @param agentName the agent the certificate names
     * @return its identity, or empty when an admin disabled it or bound that user name to another agent
     */
    Optional<Identity> byCertificate(String agentName);

    /**
     * @param userName a user name
     * @return its row, when it exists
     */
    Optional<UserRow> find(String userName);

    /**
     * @param agentName an agent's name
     * @return the identities bound to it
     */
    List<UserRow> ofAgent(String agentName);

    /** @return every identity */
    List<UserRow> all();

    /**
     * Makes (or, when it exists, gives a new password to) the enrolled identity of an agent.
     *
     * @param agentName the agent
     * @return the new password, in clear: the caller hands it to the agent once, never stores it
     */
    String enroll(String agentName);

    /**
     * Makes an identity (an admin's action).
     *
     * @param row the identity; its password hash is made here from {@code password}
     * @param password the clear password
     * @return the row as stored
     */
    UserRow create(UserRow row, String password);

    /**
     * @param row the identity as it is to be
     * @param password a new clear password, or {@code null} to keep the old one
     * @return the row as stored
     */
    UserRow update(UserRow row, String password);

    /**
     * @param sysId an identity's sys_id
     * @return whether it was there
     */
    boolean delete(String sysId);
}
