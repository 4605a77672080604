package io.midway.api.credential;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An external credential resolver, such as a vault: a plug-in bundle, like the MID Server's
 * external credential JAR. Register it as a service with {@value #NAME_PROPERTY} set to the
 * resolver's name, most simply with {@link MidwayCredentialResolver}:
 *
 * <pre>
 * &#64;Component
 * &#64;MidwayCredentialResolver("vault")
 * public class VaultResolver implements CredentialResolver { ... }
 * </pre>
 *
 * <p>A credential on the instance that names this resolver carries only an external id; the
 * agent calls {@link #resolve(CredentialRequest)} whenever a probe needs one of its fields, and
 * does not keep the answer. Implementations are thread-safe, must not log what they return, and
 * should answer within a few seconds.
 */
@ConsumerType
public interface CredentialResolver {

    /** Service property naming the resolver (contract): the {@code resolver} of a credential. */
    String NAME_PROPERTY = "midway.credential.resolver";

    /**
     * Fetches a credential's fields.
     *
     * @param request which credential, its type and target
     * @return the type's fields, secret and not ({@link CredentialType#fields()} and
     *     {@link CredentialType#secretFields()}), by name; fields it does not know are left out
     * @throws CredentialException when the credential cannot be resolved; the message names the
     *     request's credential and never contains a secret
     */
    Map<String, String> resolve(CredentialRequest request) throws CredentialException;
}
