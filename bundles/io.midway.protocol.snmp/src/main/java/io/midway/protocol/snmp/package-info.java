/**
 * The {@code snmp} protocol: an SNMP v2c and v3 client for probes.
 *
 * <p>A probe references {@link io.midway.protocol.snmp.SnmpProtocol}, describes the agent and the
 * security with an immutable {@link io.midway.protocol.snmp.SnmpTarget}, and gets an
 * {@link io.midway.protocol.snmp.SnmpResult} of {@link io.midway.protocol.snmp.SnmpVarbind}s back
 * from a GET or a bounded GETBULK walk. Failures are {@link io.midway.protocol.snmp.SnmpException}s:
 * {@link io.midway.protocol.snmp.SnmpTimeoutException} when the agent does not answer,
 * {@link io.midway.protocol.snmp.SnmpAuthenticationException} when it refuses the SNMPv3 user.
 */
@Export
@Version("1.0.0")
package io.midway.protocol.snmp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
