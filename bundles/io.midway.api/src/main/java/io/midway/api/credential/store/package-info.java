/**
 * The agent's credential store, as the agent core sees it: the agent's public key to register
 * with, the revision of the credentials held, the replacement of them all by what the instance
 * pushed, the credential affinity to report to the instance, and the encryption of local
 * configuration values ({@value io.midway.api.credential.store.CredentialStore#ENCRYPTED_PREFIX}{@code <text>}).
 * In the API bundle (it was {@code io.midway.credential.store}) so that the agent core imports only
 * the API and wire bundles: a core upgrade never depends on a bundle that file sync can replace.
 *
 * <p>Probes do not use this package: they use {@link io.midway.api.credential.Credentials}.
 */
@Export
@Version("1.0.0")
package io.midway.api.credential.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
