package io.midway.api.credential;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.Test;

public class CredentialTypeTest {

    @Test
    public void ofFindsEveryTypeByItsWireId() {
        assertEquals(Optional.of(CredentialType.BASIC), CredentialType.of("basic"));
        assertEquals(Optional.of(CredentialType.SSH_KEY), CredentialType.of("ssh_key"));
        assertEquals(Optional.of(CredentialType.SNMP_COMMUNITY), CredentialType.of("snmp_community"));
        assertEquals(Optional.of(CredentialType.SNMPV3), CredentialType.of("snmpv3"));
        assertEquals(Optional.of(CredentialType.JDBC), CredentialType.of("jdbc"));
        assertEquals(Optional.of(CredentialType.API_KEY), CredentialType.of("api_key"));
        for (CredentialType type : CredentialType.values()) {
            assertEquals(Optional.of(type), CredentialType.of(type.id()));
        }
    }

    @Test
    public void ofRejectsUnknownIds() {
        assertEquals(Optional.empty(), CredentialType.of(null));
        assertEquals(Optional.empty(), CredentialType.of(""));
        assertEquals(Optional.empty(), CredentialType.of("BASIC"));
        assertEquals(Optional.empty(), CredentialType.of("ssh-key"));
        assertEquals(Optional.empty(), CredentialType.of(" basic"));
        assertEquals(Optional.empty(), CredentialType.of("windows"));
    }

    @Test
    public void fieldsOfEachType() {
        assertEquals(List.of("user_name", "sudo"), CredentialType.BASIC.fields());
        assertEquals(List.of("password"), CredentialType.BASIC.secretFields());
        assertEquals(List.of("user_name", "sudo"), CredentialType.SSH_KEY.fields());
        assertEquals(List.of("ssh_private_key", "ssh_passphrase"), CredentialType.SSH_KEY.secretFields());
        assertEquals(List.of(), CredentialType.SNMP_COMMUNITY.fields());
        assertEquals(List.of("community"), CredentialType.SNMP_COMMUNITY.secretFields());
        assertEquals(List.of("user_name", "auth_protocol", "privacy_protocol"), CredentialType.SNMPV3.fields());
        assertEquals(List.of("auth_key", "privacy_key"), CredentialType.SNMPV3.secretFields());
        assertEquals(List.of("user_name"), CredentialType.JDBC.fields());
        assertEquals(List.of("password"), CredentialType.JDBC.secretFields());
        assertEquals(List.of("user_name"), CredentialType.API_KEY.fields());
        assertEquals(List.of("api_key"), CredentialType.API_KEY.secretFields());
    }

    @Test
    public void fieldListsAreDisjointAndUnmodifiable() {
        for (CredentialType type : CredentialType.values()) {
            Set<String> plain = new HashSet<>(type.fields());
            for (String secret : type.secretFields()) {
                assertFalse(type + " " + secret, plain.contains(secret));
            }
            assertThrows(UnsupportedOperationException.class, () -> type.secretFields().add("x"));
            assertThrows(UnsupportedOperationException.class, () -> type.fields().add("x"));
        }
    }

    @Test
    public void isSecret() {
        assertTrue(CredentialType.BASIC.isSecret("password"));
        assertFalse(CredentialType.BASIC.isSecret("user_name"));
        assertFalse(CredentialType.BASIC.isSecret("api_key"));
        assertTrue(CredentialType.SSH_KEY.isSecret("ssh_private_key"));
        assertTrue(CredentialType.SSH_KEY.isSecret("ssh_passphrase"));
        assertFalse(CredentialType.SSH_KEY.isSecret("password"));
        assertTrue(CredentialType.SNMP_COMMUNITY.isSecret("community"));
        assertTrue(CredentialType.SNMPV3.isSecret("auth_key"));
        assertTrue(CredentialType.SNMPV3.isSecret("privacy_key"));
        assertFalse(CredentialType.SNMPV3.isSecret("auth_protocol"));
        assertFalse(CredentialType.SNMPV3.isSecret("privacy_protocol"));
        assertTrue(CredentialType.JDBC.isSecret("password"));
        assertTrue(CredentialType.API_KEY.isSecret("api_key"));
        assertFalse(CredentialType.API_KEY.isSecret("user_name"));
        assertFalse(CredentialType.BASIC.isSecret(null));
        assertFalse(CredentialType.BASIC.isSecret("PASSWORD"));
    }
}
