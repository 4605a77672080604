package io.midway.api.protocol;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol plug-in, registered as a service with {@value #NAME_PROPERTY} set to the protocol's
 * name, most simply with {@link MidwayProtocol}:
 *
 * <pre>
 * &#64;Component
 * &#64;MidwayProtocol("snmp")
 * public class SnmpProtocol implements Protocol { ... }
 * </pre>
 *
 * <p>The agent advertises the names of all registered protocols as its capabilities, and the
 * instance sees a change as soon as a protocol bundle comes or goes. Protocol-specific client
 * interfaces extend this one.
 */
@ConsumerType
public interface Protocol {

    /** Service property naming the protocol (contract). */
    String NAME_PROPERTY = "midway.protocol";
}
