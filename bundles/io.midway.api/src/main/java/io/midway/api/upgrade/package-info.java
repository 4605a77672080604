/**
 * Replacing the agent core in place: the service of the small, stable
 * {@code io.midway.agent.upgrader} bundle that the core hands a new core jar to.
 */
@Export
@Version("1.2.0")
package io.midway.api.upgrade;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
