package io.midway.api.credential;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The kinds of credential, each with its non-secret fields and its secret fields. The
 * {@link #id() id} is the value of the {@code type} field on the wire.
 */
public enum CredentialType {

    /**
     * A user name and a password (HTTP basic, WinRM, SSH password …); {@code sudo} ({@code true} or
     * {@code false}, default false) says whether the SSHCommand probe may run privileged commands
     * with it through sudo.
     */
    BASIC("basic", List.of("user_name", "sudo"), List.of("password")),

    /**
     * An SSH private key (PEM/OpenSSH text), with an optional passphrase; {@code sudo} as for
     * {@link #BASIC}.
     */
    SSH_KEY("ssh_key", List.of("user_name", "sudo"), List.of("ssh_private_key", "ssh_passphrase")),

    /** An SNMP v1/v2c community string. */
    SNMP_COMMUNITY("snmp_community", List.of(), List.of("community")),

    /** An SNMPv3 user with its authentication and privacy protocols and keys. */
    SNMPV3("snmpv3", List.of("user_name", "auth_protocol", "privacy_protocol"), List.of("auth_key", "privacy_key")),

    /** A database user and password. */
    JDBC("jdbc", List.of("user_name"), List.of("password")),

    /** An API key, with the user it belongs to where the API needs one. */
    API_KEY("api_key", List.of("user_name"), List.of("api_key"));

    private final String id;
    private final List<String> fields;
    private final List<String> secretFields;

    CredentialType(String id, List<String> fields, List<String> secretFields) {
        this.id = id;
        this.fields = fields;
        this.secretFields = secretFields;
    }

    /**
     * @return the id used on the wire and in the instance, e.g. {@code ssh_key}
     */
    public String id() {
        return id;
    }

    /**
     * @return the names of the non-secret fields, in display order; unmodifiable
     */
    public List<String> fields() {
        return fields;
    }

    /**
     * @return the names of the secret fields, in display order; unmodifiable
     */
    public List<String> secretFields() {
        return secretFields;
    }

    /**
     * @param field a field name
     * @return whether it is one of this type's {@link #secretFields() secret fields}
     */
    public boolean isSecret(String field) {
        return field != null && secretFields.contains(field);
    }

    /**
     * Finds a type by its wire id. Ids are lower case and compared exactly.
     *
     * @param id a type id such as {@code basic}, or {@code null}
     * @return the type, or empty when the id is unknown or {@code null}
     */
    public static Optional<CredentialType> of(String id) {
        for (CredentialType type : values()) {
            if (Objects.equals(type.id, id)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
