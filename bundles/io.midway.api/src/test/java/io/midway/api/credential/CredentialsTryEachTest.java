package io.midway.api.credential;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;

/** The contract of the default {@link Credentials#tryEach}, over a small in-memory store. */
public class CredentialsTryEachTest {

    private record Plain(String id, String name, CredentialType type, int order, String password)
            implements Credential {

        @Override
        public Optional<String> field(String field) {
            return "user_name".equals(field) ? Optional.of(name + "-user") : Optional.empty();
        }

        @Override
        public String secret(String field) throws CredentialException {
            if (!type.isSecret(field)) {
                throw new CredentialException("credential '" + name + "' has no secret field '" + field + "'");
            }
            return password;
        }

        @Override
        public String toString() {
            return "Credential[" + name + ", " + type.id() + "]";
        }
    }

    /** Affinity first, then order, then name. */
    private static final class Store implements Credentials {
        final List<Credential> all = new ArrayList<>();
        final Map<String, String> affinity = new HashMap<>();
        final List<String> workedCalls = new ArrayList<>();

        @Override
        public Optional<Credential> find(String idOrName) {
            return all.stream().filter(c -> c.id().equals(idOrName) || c.name().equals(idOrName)).findFirst();
        }

        @Override
        public List<Credential> candidates(CredentialType type, String target) {
            String preferred = target == null ? null : affinity.get(target);
            return all.stream()
                    .filter(c -> c.type() == type)
                    .sorted(Comparator.comparing((Credential c) -> !c.id().equals(preferred))
                            .thenComparingInt(Credential::order)
                            .thenComparing(Credential::name))
                    .toList();
        }

        @Override
        public void worked(Credential credential, String target) {
            workedCalls.add(credential.name() + "@" + target);
            if (target != null) {
                affinity.put(target, credential.id());
            }
        }
    }

    private static Store store() {
        Store s = new Store();
        s.all.add(new Plain("1", "zeta", CredentialType.BASIC, 10, "pw-zeta"));
        s.all.add(new Plain("2", "alpha", CredentialType.BASIC, 20, "pw-alpha"));
        s.all.add(new Plain("3", "beta", CredentialType.BASIC, 20, "pw-beta"));
        s.all.add(new Plain("4", "snmp", CredentialType.SNMP_COMMUNITY, 1, "public"));
        return s;
    }

    @Test
    public void triesInOrderUntilOneWorksAndRecordsIt() throws Exception {
        Store s = store();
        List<String> tried = new ArrayList<>();
        String result = s.tryEach(CredentialType.BASIC, "10.0.0.1", c -> {
            tried.add(c.name());
            if (!c.secret("password").equals("pw-beta")) {
                throw new IOException("authentication failed");
            }
            return "session:" + c.field("user_name").orElseThrow();
        });
        assertEquals("session:beta-user", result);
        assertEquals(List.of("zeta", "alpha", "beta"), tried);
        assertEquals(List.of("beta@10.0.0.1"), s.workedCalls);

        // Affinity: next time the one that worked comes first and is the only one tried.
        tried.clear();
        s.tryEach(CredentialType.BASIC, "10.0.0.1", c -> tried.add(c.name()));
        assertEquals(List.of("beta"), tried);
    }

    @Test
    public void whenAllFailTheMessageListsEachCredentialAndItsFailure() {
        Store s = store();
        CredentialException e = assertThrows(CredentialException.class,
                () -> s.tryEach(CredentialType.BASIC, "db1.example", c -> {
                    if (c.name().equals("alpha")) {
                        throw new IllegalStateException();
                    }
                    throw new IOException("login refused for " + c.field("user_name").orElseThrow());
                }));
        assertEquals("no basic credential worked for db1.example ('zeta': login refused for zeta-user; "
                + "'alpha': IllegalStateException; 'beta': login refused for beta-user)", e.getMessage());
        assertEquals(3, e.getSuppressed().length);
        assertFalse(e.getMessage().contains("pw-"));
        assertTrue(s.workedCalls.isEmpty());
    }

    @Test
    public void noCandidate() {
        Store s = store();
        CredentialException e = assertThrows(CredentialException.class,
                () -> s.tryEach(CredentialType.SSH_KEY, "10.0.0.2", c -> "never"));
        assertEquals("no active ssh_key credential for 10.0.0.2", e.getMessage());
        CredentialException any = assertThrows(CredentialException.class,
                () -> s.tryEach(CredentialType.JDBC, null, c -> "never"));
        assertEquals("no active jdbc credential for any target", any.getMessage());
    }

    @Test
    public void interruptionStopsAtOnce() {
        Store s = store();
        List<String> tried = new ArrayList<>();
        try {
            CredentialException e = assertThrows(CredentialException.class,
                    () -> s.tryEach(CredentialType.BASIC, "h", c -> {
                        tried.add(c.name());
                        throw new InterruptedException();
                    }));
            assertTrue(e.getCause() instanceof InterruptedException);
            assertTrue(Thread.currentThread().isInterrupted());
            assertEquals(List.of("zeta"), tried);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    public void nullTargetWorksWithoutAffinity() throws Exception {
        Store s = store();
        Credential first = s.tryEach(CredentialType.SNMP_COMMUNITY, null, c -> c);
        assertSame(s.find("snmp").orElseThrow(), first);
        assertEquals(List.of("snmp@null"), s.workedCalls);
        assertTrue(s.affinity.isEmpty());
    }

    @Test
    public void secretOfANonSecretFieldNamesCredentialAndField() {
        Credential c = store().find("zeta").orElseThrow();
        CredentialException e = assertThrows(CredentialException.class, () -> c.secret("user_name"));
        assertEquals("credential 'zeta' has no secret field 'user_name'", e.getMessage());
    }

    @Test
    public void requestRequiresIdTypeAndName() {
        CredentialRequest r = new CredentialRequest("secret/db", CredentialType.JDBC, null, "vault-db");
        assertEquals("secret/db", r.credentialId());
        assertEquals(CredentialType.JDBC, r.type());
        assertThrows(NullPointerException.class, () -> new CredentialRequest(null, CredentialType.JDBC, "h", "n"));
        assertThrows(NullPointerException.class, () -> new CredentialRequest("id", null, "h", "n"));
        assertThrows(NullPointerException.class, () -> new CredentialRequest("id", CredentialType.JDBC, "h", null));
    }
}
