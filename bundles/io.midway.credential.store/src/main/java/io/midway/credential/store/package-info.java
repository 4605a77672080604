/**
 * The agent's credential store, as the agent core sees it: the agent's public key to register
 * with, the revision of the credentials held, the replacement of them all by what the instance
 * pushed, the credential affinity to report to the instance (since 1.1), and the encryption of
 * local configuration values ({@value io.midway.credential.store.CredentialStore#ENCRYPTED_PREFIX}{@code <text>}).
 *
 * <p>Probes do not use this package: they use {@link io.midway.api.credential.Credentials}, which
 * the same bundle provides.
 */
@Export
@Version("1.1.0")
package io.midway.credential.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
