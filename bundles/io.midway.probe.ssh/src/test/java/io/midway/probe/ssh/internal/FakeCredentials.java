package io.midway.probe.ssh.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.Credentials;

/** A small in-memory {@link Credentials} with affinity, recording {@link #worked} calls. */
final class FakeCredentials implements Credentials {

    final List<Credential> held = new ArrayList<>();
    final List<String> worked = new ArrayList<>();
    private final Map<String, String> affinity = new HashMap<>();

    FakeCredentials add(String name, CredentialType type, int order, Map<String, String> fields, Map<String, String> secrets) {
        held.add(new Credential() {
            @Override
            public String id() {
                return "id-" + name;
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
                return order;
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
        String preferred = target == null ? null : affinity.get(type.id() + "|" + target);
        return held.stream().filter(c -> c.type() == type)
                .sorted(Comparator.comparing((Credential c) -> !c.id().equals(preferred)).thenComparingInt(Credential::order)
                        .thenComparing(Credential::name))
                .collect(Collectors.toList());
    }

    @Override
    public void worked(Credential credential, String target) {
        worked.add(credential.name() + "@" + target);
        affinity.put(credential.type().id() + "|" + target, credential.id());
    }
}
