package io.midway.testing.probe;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.Test;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;

public class TestCredentialsTest {

    private final TestCredentials credentials = TestCredentials.builder()
            .basic("lab-admin", "admin", "first-secret")
            .basic("lab-ops", "ops", "second-secret")
            .add(CredentialType.SSH_KEY, "lab-key", "user_name", "root", "ssh_private_key", "PEM TEXT")
            .build();

    @Test
    public void fieldsAndSecretsAreThereAndSecretsOnlyThroughSecret() throws Exception {
        Credential admin = credentials.find("lab-admin").orElseThrow();
        assertEquals(CredentialType.BASIC, admin.type());
        assertEquals(Optional.of("admin"), admin.field("user_name"));
        assertEquals(Optional.empty(), admin.field("password"));
        assertEquals("first-secret", admin.secret("password"));
        assertEquals("first-secret", admin.secret("password"));
        assertEquals(32, admin.id().length());
        assertEquals(Optional.of(admin), credentials.find(admin.id()));
        assertEquals(Optional.empty(), credentials.find("nobody"));

        Credential key = credentials.find("lab-key").orElseThrow();
        assertEquals("PEM TEXT", key.secret("ssh_private_key"));
        CredentialException unset = assertThrows(CredentialException.class, () -> key.secret("ssh_passphrase"));
        assertEquals("the secret ssh_passphrase of credential 'lab-key' is not set", unset.getMessage());
        CredentialException notSecret = assertThrows(CredentialException.class, () -> key.secret("user_name"));
        assertTrue(notSecret.getMessage(), notSecret.getMessage().contains("not a secret field of ssh_key credential 'lab-key'"));
    }

    @Test
    public void noSecretInAnyText() throws Exception {
        String all = credentials.toString() + credentials.find("lab-admin").orElseThrow();
        assertFalse(all, all.contains("first-secret") || all.contains("second-secret") || all.contains("PEM TEXT"));
        assertTrue(all, all.contains("lab-admin") && all.contains("lab-key"));
    }

    @Test
    public void candidatesAreByTypeInTheOrderAddedUntilOneWorked() throws Exception {
        assertEquals(List.of("lab-admin", "lab-ops"), names(credentials.candidates(CredentialType.BASIC, "10.0.0.5")));
        assertEquals(List.of("lab-key"), names(credentials.candidates(CredentialType.SSH_KEY, null)));
        assertEquals(List.of(), credentials.candidates(CredentialType.JDBC, "db"));

        // The first fails, the second works: tryEach records it, and it comes first for that target only.
        String user = credentials.tryEach(CredentialType.BASIC, "10.0.0.5", credential -> {
            if (!credential.secret("password").equals("second-secret")) {
                throw new IllegalStateException("401 for " + credential.name());
            }
            return credential.field("user_name").orElseThrow();
        });
        assertEquals("ops", user);
        assertEquals(Optional.of("lab-ops"), credentials.workedFor(CredentialType.BASIC, "10.0.0.5"));
        assertEquals(Optional.empty(), credentials.workedFor(CredentialType.BASIC, "10.0.0.6"));
        assertEquals(List.of("lab-ops@10.0.0.5"), credentials.workedCalls());
        assertEquals(List.of("lab-ops", "lab-admin"), names(credentials.candidates(CredentialType.BASIC, "10.0.0.5")));
        assertEquals(List.of("lab-admin", "lab-ops"), names(credentials.candidates(CredentialType.BASIC, "10.0.0.6")));

        credentials.worked(credentials.find("lab-admin").orElseThrow(), null);
        assertEquals(List.of("lab-ops@10.0.0.5"), credentials.workedCalls());
    }

    @Test
    public void theBuilderRejectsMistakes() {
        TestCredentials.Builder builder = TestCredentials.builder().basic("a", "u", "p");
        assertThrows(IllegalArgumentException.class, () -> builder.basic("a", "u", "p"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> builder.add(CredentialType.BASIC, "b", "user", "u"));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("basic has no field 'user'"));
        assertThrows(IllegalArgumentException.class, () -> builder.add(CredentialType.BASIC, "c", "user_name"));
        assertThrows(IllegalArgumentException.class,
                () -> builder.add(CredentialType.BASIC, "d", "password", "x", "password", "y"));
    }

    private static List<String> names(List<Credential> list) {
        return list.stream().map(Credential::name).toList();
    }
}
