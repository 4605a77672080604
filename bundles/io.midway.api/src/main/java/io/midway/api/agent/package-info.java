/**
 * Services the agent core provides to the rest of the agent process (the Web Console plugin,
 * plug-ins): its status and its pause/resume control.
 */
@Export
@Version("1.5.0")
package io.midway.api.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
