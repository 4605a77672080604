/**
 * Credentials for probes: the agent's store of credentials pushed from the instance, and the SPI
 * of external credential resolvers (vaults).
 *
 * <h2>For probes</h2>
 * A probe that logs in to a target asks the {@link io.midway.api.credential.Credentials} service
 * for the credentials of a {@link io.midway.api.credential.CredentialType type} and tries them in
 * order, most simply with {@link io.midway.api.credential.Credentials#tryEach tryEach}:
 *
 * <pre>
 * &#64;Reference
 * private Credentials credentials;
 *
 * Session session = credentials.tryEach(CredentialType.SSH_KEY, host, credential -&gt;
 *         ssh.connect(host, credential.field("user_name").orElseThrow(),
 *                 credential.secret("ssh_private_key")));
 * </pre>
 *
 * The credential that worked for a target is tried first next time (affinity); the agent keeps
 * that and reports it to the instance.
 *
 * <h2>Where secrets live</h2>
 * The instance seals every secret field for one agent's public key; the agent keeps them sealed
 * and opens a secret only when a probe calls {@link io.midway.api.credential.Credential#secret},
 * in memory, for that call. A credential marked as external names a
 * {@link io.midway.api.credential.CredentialResolver} and an id it understands; the agent asks
 * that resolver for the fields when a probe needs them, and the secret never reaches the instance.
 *
 * <h2>Rules for every implementation and caller</h2>
 * Secrets never reach a log, an exception message, a {@code toString()}, the shell or the Web
 * Console. Messages name the credential and the field, never the value. A probe that sends a
 * secret to a target passes text that may echo it (a response, a remote command's output, a
 * driver's message) through a {@link io.midway.api.secret.SecretScrubber} first.
 */
@Export
@Version("1.0.0")
package io.midway.api.credential;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
