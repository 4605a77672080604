package io.midway.probe.jdbc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.Credentials;

/** A small in-memory {@link Credentials} for tests, recording {@link #worked} calls. */
final class FakeCredentials implements Credentials {

    final List<Credential> held = new ArrayList<>();
    final List<String> worked = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeCredentials add(String id, String name, CredentialType type, Map<String, String> fields, Map<String, String> secrets) {
        held.add(new Credential() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public CredentialType type() {
                return type;
            }

            @Override
            public int order() {
                return 100;
            }

            @Override
            public Optional<String> field(String field) {
                return Optional.ofNullable(fields.get(field));
            }

            @Override
            public String secret(String field) throws CredentialException {
                String value = secrets.get(field);
                if (value == null) {
                    throw new CredentialException("credential '" + name + "' has no " + field);
                }
                return value;
            }

            @Override
            public String toString() {
                return "Credential[" + name + "]";
            }
        });
        return this;
    }

    @Override
    public Optional<Credential> find(String idOrName) {
        return held.stream().filter(c -> c.id().equals(idOrName) || c.name().equals(idOrName)).findFirst();
    }

    @Override
    public List<Credential> candidates(CredentialType type, String target) {
        return held.stream().filter(c -> c.type() == type).toList();
    }

    @Override
    public synchronized void worked(Credential credential, String target) {
        worked.add(credential.name() + "@" + target);
    }
}
