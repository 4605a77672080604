package io.midway.instance.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The credential types the instance stores and their fields, non-secret and secret. The same
 * table as the agent SPI's {@code io.midway.api.credential.CredentialType}, kept here because the
 * instance does not depend on the agent API.
 */
final class CredentialTypes {

    /**
     * One type.
     *
     * @param name its name, e.g. {@code basic}
     * @param fields its non-secret fields, in display order
     * @param secrets its secret fields, in display order
     */
    record Type(String name, List<String> fields, List<String> secrets) {

        /** @return every field of the type: non-secret then secret */
        List<String> allFields() {
            List<String> all = new ArrayList<>(fields);
            all.addAll(secrets);
            return all;
        }
    }

    /** The flag field of the SSH credential types: a boolean, stored as {@code "true"}/{@code "false"}. */
    static final String SUDO = "sudo";

    private static final Map<String, Type> TYPES = new LinkedHashMap<>();

    static {
        // sudo: "true" or "false" (a boolean on the Table API); whether the SSHCommand probe may
        // run privileged commands through sudo with the credential
        add(new Type("basic", List.of("user_name", SUDO), List.of("password")));
        add(new Type("ssh_key", List.of("user_name", SUDO), List.of("ssh_private_key", "ssh_passphrase")));
        add(new Type("snmp_community", List.of(), List.of("community")));
        add(new Type("snmpv3", List.of("user_name", "auth_protocol", "privacy_protocol"),
                List.of("auth_key", "privacy_key")));
        add(new Type("jdbc", List.of("user_name"), List.of("password")));
        add(new Type("api_key", List.of("user_name"), List.of("api_key")));
    }

    private CredentialTypes() {
    }

    private static void add(Type type) {
        TYPES.put(type.name(), type);
    }

    /**
     * @param name a type name
     * @return the type
     */
    static Optional<Type> forName(String name) {
        return Optional.ofNullable(TYPES.get(name));
    }

    /** @return the type names, comma-separated, for error messages */
    static String names() {
        return String.join(", ", TYPES.keySet());
    }

    /** @return every non-secret field name of any type, in first-seen order */
    static List<String> allNonSecretFields() {
        List<String> names = new ArrayList<>();
        for (Type type : TYPES.values()) {
            for (String field : type.fields()) {
                if (!names.contains(field)) {
                    names.add(field);
                }
            }
        }
        return names;
    }
}
