/**
 * The JSON records that cross the wire between the agent and the instance (DESIGN §4–§6), with
 * the ServiceNow field names, and the Jackson mapper that reads and writes them.
 */
@Export
@Version("1.2.0")
package io.midway.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
