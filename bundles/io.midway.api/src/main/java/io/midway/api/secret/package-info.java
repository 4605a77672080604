/**
 * Keeping secrets out of what a plug-in returns, throws and logs.
 *
 * <p>A probe that sends a secret to a target (a password, a token, a private key) passes whatever
 * may echo it back (a response, a remote command's output, a driver's message) through a
 * {@link io.midway.api.secret.SecretScrubber} made for the secrets of that run:
 *
 * <pre>
 * SecretScrubber scrubber = SecretScrubber.of(password, authorizationValue);
 * throw new ProbeException(scrubber.scrub(e.getMessage()));
 * </pre>
 *
 * <p>A package of its own, so that the packages the agent core imports keep their versions: a core
 * built against this API does not need a newer API bundle because probes gained a helper.
 */
@Export
@Version("1.0.0")
package io.midway.api.secret;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
