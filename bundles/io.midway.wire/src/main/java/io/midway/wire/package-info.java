/**
 * The JSON records that cross the wire between the agent and the instance (DESIGN §4–§6), with
 * the ServiceNow field names, and the Jackson mapper that reads and writes them; and
 * {@link io.midway.wire.SealedSecret}, the hybrid encryption that carries credential secrets to
 * one agent.
 */
@Export
@Version("1.9.0")
package io.midway.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
