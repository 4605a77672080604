package io.midway.testing.probe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialType;
import io.midway.api.credential.Credentials;

/**
 * An in-memory {@link Credentials} service for probe tests, ordered like the agent's store: for a
 * target, the credential that last {@link #worked(Credential, String) worked} for it first, then
 * the others in the order they were added. Every {@code worked} call is recorded, so a test can
 * assert which credential a probe settled on.
 *
 * <p>Secrets are kept sealed (AES-GCM under a key of this object) and opened on each
 * {@link Credential#secret(String)} call, as the agent's store opens them; {@code toString()}
 * shows names and types only.
 *
 * <pre>
 * TestCredentials credentials = TestCredentials.builder()
 *         .basic("lab-admin", "admin", "s3cret")
 *         .add(CredentialType.SSH_KEY, "lab-key", "user_name", "root", "ssh_private_key", pem)
 *         .build();
 * ... run the probe with it ...
 * assertEquals(Optional.of("lab-admin"), credentials.workedFor(CredentialType.BASIC, "10.0.0.5"));
 * </pre>
 */
public final class TestCredentials implements Credentials {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;

    private final List<TestCredential> held;
    /** type id → target → credential name, the affinity as the store keeps it. */
    private final Map<String, Map<String, String>> affinity = new HashMap<>();
    private final List<String> workedCalls = new ArrayList<>();

    private TestCredentials(List<TestCredential> held) {
        this.held = List.copyOf(held);
    }

    /** @return a builder of an empty set of credentials */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<Credential> find(String idOrName) {
        return held.stream().filter(c -> c.id.equals(idOrName) || c.name.equals(idOrName))
                .map(Credential.class::cast).findFirst();
    }

    @Override
    public synchronized List<Credential> candidates(CredentialType type, String target) {
        String preferred = target == null ? null : affinity.getOrDefault(type.id(), Map.of()).get(target);
        return held.stream().filter(c -> c.type == type)
                .sorted(Comparator.comparing((TestCredential c) -> !c.name.equals(preferred)))
                .map(Credential.class::cast).toList();
    }

    @Override
    public synchronized void worked(Credential credential, String target) {
        if (target == null) {
            return;
        }
        affinity.computeIfAbsent(credential.type().id(), t -> new HashMap<>()).put(target, credential.name());
        workedCalls.add(credential.name() + "@" + target);
    }

    /**
     * @param type a credential type
     * @param target a host, address or URL
     * @return the name of the credential of that type that last worked for the target
     */
    public synchronized Optional<String> workedFor(CredentialType type, String target) {
        return Optional.ofNullable(affinity.getOrDefault(type.id(), Map.of()).get(target));
    }

    /** @return every {@code worked} call so far, as {@code name@target}, oldest first */
    public synchronized List<String> workedCalls() {
        return List.copyOf(workedCalls);
    }

    @Override
    public String toString() {
        return "TestCredentials" + held;
    }

    /** Seals secrets under a random AES key held in memory only; opens them on each call. */
    private static final class SecretBox {

        private final SecretKey key;

        SecretBox() {
            try {
                KeyGenerator generator = KeyGenerator.getInstance("AES");
                generator.init(256, RANDOM);
                key = generator.generateKey();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES is not available", e);
            }
        }

        byte[] seal(String plaintext) {
            try {
                byte[] iv = new byte[IV_BYTES];
                RANDOM.nextBytes(iv);
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
                return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available", e);
            }
        }

        String open(byte[] sealed) throws GeneralSecurityException {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, IV_BYTES));
            return new String(cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES), StandardCharsets.UTF_8);
        }
    }

    /** One credential: plain fields in clear, secret fields sealed until asked for. */
    private static final class TestCredential implements Credential {

        final SecretBox box;
        final String id;
        final String name;
        final CredentialType type;
        final int order;
        final Map<String, String> fields;
        final Map<String, byte[]> sealed;

        TestCredential(SecretBox box, String id, String name, CredentialType type, int order, Map<String, String> fields,
                Map<String, byte[]> sealed) {
            this.box = box;
            this.id = id;
            this.name = name;
            this.type = type;
            this.order = order;
            this.fields = fields;
            this.sealed = sealed;
        }

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
            return order;
        }

        @Override
        public Optional<String> field(String field) {
            return Optional.ofNullable(fields.get(field));
        }

        @Override
        public String secret(String field) throws CredentialException {
            if (field == null || !type.isSecret(field)) {
                throw new CredentialException("'" + field + "' is not a secret field of " + type.id() + " credential '"
                        + name + "' (its secret fields: " + String.join(", ", type.secretFields()) + ")");
            }
            byte[] value = sealed.get(field);
            if (value == null) {
                throw new CredentialException("the secret " + field + " of credential '" + name + "' is not set");
            }
            try {
                return box.open(value);
            } catch (GeneralSecurityException e) {
                throw new CredentialException("the secret " + field + " of credential '" + name + "' cannot be opened", e);
            }
        }

        @Override
        public String toString() {
            return "Credential[" + name + ", " + type.id() + ", " + id + "]";
        }
    }

    /** Collects credentials; each gets a random {@code sys_id} and the order it was added in. */
    public static final class Builder {

        private final List<Entry> entries = new ArrayList<>();

        private record Entry(CredentialType type, String name, Map<String, String> values) {
        }

        private Builder() {
        }

        /**
         * Adds a {@code basic} credential.
         *
         * @param name the credential's name, e.g. {@code lab-admin}
         * @param userName its {@code user_name}
         * @param password its {@code password}
         * @return this builder
         */
        public Builder basic(String name, String userName, String password) {
            return add(CredentialType.BASIC, name, "user_name", userName, "password", password);
        }

        /**
         * Adds a credential of any type.
         *
         * @param type the type
         * @param name the credential's name, unique in this set
         * @param fieldsAndValues field names and values in pairs, e.g. {@code "user_name", "root",
         *     "ssh_private_key", pem}; each name must be one of the type's fields or secret fields
         * @return this builder
         * @throws IllegalArgumentException for an odd number of arguments, an unknown field, a
         *     field given twice, or a name already used
         */
        public Builder add(CredentialType type, String name, String... fieldsAndValues) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            if (fieldsAndValues.length % 2 != 0) {
                throw new IllegalArgumentException("credential '" + name + "': give field names and values in pairs");
            }
            if (entries.stream().anyMatch(e -> name.equals(e.name()))) {
                throw new IllegalArgumentException("a credential named '" + name + "' was added already");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < fieldsAndValues.length; i += 2) {
                String field = fieldsAndValues[i];
                if (!type.fields().contains(field) && !type.isSecret(field)) {
                    throw new IllegalArgumentException("credential '" + name + "': " + type.id() + " has no field '" + field
                            + "' (fields: " + type.fields() + ", secret fields: " + type.secretFields() + ")");
                }
                if (values.put(field, Objects.requireNonNull(fieldsAndValues[i + 1], field)) != null) {
                    throw new IllegalArgumentException("credential '" + name + "': field '" + field + "' given twice");
                }
            }
            entries.add(new Entry(type, name, values));
            return this;
        }

        /** @return the credentials, secrets sealed */
        public TestCredentials build() {
            SecretBox box = new SecretBox();
            List<TestCredential> held = new ArrayList<>();
            for (Entry entry : entries) {
                Map<String, String> plain = new HashMap<>();
                Map<String, byte[]> sealed = new HashMap<>();
                entry.values().forEach((field, value) -> {
                    if (entry.type().isSecret(field)) {
                        sealed.put(field, box.seal(value));
                    } else {
                        plain.put(field, value);
                    }
                });
                byte[] id = new byte[16];
                RANDOM.nextBytes(id);
                held.add(new TestCredential(box, HexFormat.of().formatHex(id), entry.name(), entry.type(), held.size() + 1,
                        Map.copyOf(plain), Map.copyOf(sealed)));
            }
            return new TestCredentials(held);
        }
    }
}
