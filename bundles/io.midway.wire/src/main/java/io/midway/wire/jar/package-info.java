/**
 * Reading what an untrusted jar says about itself, within bounds: {@link io.midway.wire.jar.BoundedManifest}
 * checks a manifest's size, line count and repeated headers before the JDK parses it (the JDK
 * logs a warning for every repeated header: one hostile jar could write gigabytes of log).
 * Shared by the instance (uploads) and the agent (file sync, core upgrades).
 */
@Export
@Version("1.0.0")
package io.midway.wire.jar;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
