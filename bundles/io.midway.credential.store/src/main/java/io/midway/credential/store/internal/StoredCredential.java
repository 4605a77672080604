package io.midway.credential.store.internal;

import java.security.PrivateKey;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.credential.Credential;
import io.midway.api.credential.CredentialException;
import io.midway.api.credential.CredentialRequest;
import io.midway.api.credential.CredentialResolver;
import io.midway.api.credential.CredentialType;
import io.midway.wire.CredentialRecord;
import io.midway.wire.SealedSecret;
import io.midway.wire.SealedSecretException;

/**
 * One credential of the store, as probes get it. A stored credential opens a secret from its
 * sealed text with the agent's private key on each call; an external one (its record names a
 * resolver) asks that {@link CredentialResolver} on each call, for the target it was offered for.
 * Nothing is cached in clear; {@link #toString()} shows the name, type and id only.
 */
final class StoredCredential implements Credential {

    private static final Logger LOG = LoggerFactory.getLogger(StoredCredential.class);

    private final CredentialRecord record;
    private final CredentialType type;
    private final PrivateKey key;
    private final Function<String, CredentialResolver> resolvers;
    private final String target;

    /**
     * @param record the record as the instance pushed it
     * @param type its type (known)
     * @param key the agent's private key
     * @param resolvers finds a resolver service by name, {@code null} when none is registered
     * @param target the target the credential is offered for, or {@code null}
     */
    StoredCredential(CredentialRecord record, CredentialType type, PrivateKey key,
            Function<String, CredentialResolver> resolvers, String target) {
        this.record = record;
        this.type = type;
        this.key = key;
        this.resolvers = resolvers;
        this.target = target;
    }

    /**
     * @param forTarget the target
     * @return the same credential, offered for that target (an external resolver is told it)
     */
    StoredCredential forTarget(String forTarget) {
        return new StoredCredential(record, type, key, resolvers, forTarget);
    }

    /** @return the record as pushed (secrets sealed) */
    CredentialRecord record() {
        return record;
    }

    boolean active() {
        return record.active();
    }

    /** @return whether its fields come from an external resolver */
    boolean external() {
        return record.resolver() != null && !record.resolver().isBlank();
    }

    @Override
    public String id() {
        return record.sysId();
    }

    @Override
    public String name() {
        return record.name();
    }

    @Override
    public CredentialType type() {
        return type;
    }

    @Override
    public int order() {
        return record.order();
    }

    @Override
    public Optional<String> field(String name) {
        if (name == null || type.isSecret(name)) {
            return Optional.empty();
        }
        if (external()) {
            try {
                String value = resolve().get(name);
                if (value != null) {
                    return Optional.of(value);
                }
            } catch (CredentialException e) {
                LOG.warn("Field {} of credential '{}': {}", name, record.name(), e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.ofNullable(record.fields().get(name));
    }

    @Override
    public String secret(String name) throws CredentialException {
        if (name == null || !type.isSecret(name)) {
            throw new CredentialException("'" + name + "' is not a secret field of " + type.id() + " credential '"
                    + record.name() + "' (its secret fields: " + String.join(", ", type.secretFields()) + ")");
        }
        if (external()) {
            String value = resolve().get(name);
            if (value == null) {
                throw new CredentialException("the external credential resolver '" + record.resolver()
                        + "' gave no " + name + " for credential '" + record.name() + "'");
            }
            return value;
        }
        String sealed = record.sealed().get(name);
        if (sealed == null) {
            throw new CredentialException("the secret " + name + " of credential '" + record.name() + "' is not set");
        }
        try {
            return SealedSecret.openString(key, sealed);
        } catch (SealedSecretException e) {
            throw new CredentialException("the secret " + name + " of credential '" + record.name()
                    + "' was altered or not sealed for this agent; it is not used", e);
        }
    }

    /**
     * @param name a secret field name
     * @return whether a stored credential has it sealed (an external one: whether it is a secret field)
     */
    boolean hasSecret(String name) {
        return external() ? type.isSecret(name) : record.sealed().containsKey(name);
    }

    /**
     * Asks the external resolver for all fields, once.
     *
     * @return the fields, secret and not
     * @throws CredentialException when the resolver is missing or fails
     */
    Map<String, String> resolve() throws CredentialException {
        String resolverName = record.resolver();
        CredentialResolver resolver = resolvers.apply(resolverName);
        if (resolver == null) {
            throw new CredentialException("the external credential resolver '" + resolverName + "' of credential '"
                    + record.name() + "' is not installed (no CredentialResolver service with "
                    + CredentialResolver.NAME_PROPERTY + "=" + resolverName + ")");
        }
        String externalId = record.externalId() == null || record.externalId().isBlank() ? record.name()
                : record.externalId();
        Map<String, String> fields;
        try {
            fields = resolver.resolve(new CredentialRequest(externalId, type, target, record.name()));
        } catch (CredentialException e) {
            throw e;
        } catch (RuntimeException e) {
            // A resolver's runtime failure may say anything: name its type only.
            throw new CredentialException("the external credential resolver '" + resolverName
                    + "' failed for credential '" + record.name() + "' (" + e.getClass().getName() + ")");
        }
        if (fields == null) {
            throw new CredentialException("the external credential resolver '" + resolverName
                    + "' returned nothing for credential '" + record.name() + "'");
        }
        return fields;
    }

    @Override
    public String toString() {
        return "Credential[" + record.name() + ", " + type.id() + ", " + record.sysId()
                + (external() ? ", external " + record.resolver() : "") + "]";
    }
}
