/**
 * Protocol plug-ins: a client for one network protocol ({@code http}, {@code snmp}, {@code jdbc},
 * {@code ssh} …). The names of the installed protocols are the agent's advertised capabilities.
 */
@Export
@Version("1.0.0")
package io.midway.api.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
