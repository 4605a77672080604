package io.midway.protocol.snmp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the {@code snmp} protocol, PID {@value Snmp4jProtocol#PID}. */
@ObjectClassDefinition(name = "Midway SNMP protocol",
        description = "The SNMP v2c and v3 client used by SNMP probes.")
public @interface SnmpProtocolConfiguration {

    /** @return how many varbinds one request asks for */
    @AttributeDefinition(name = "Varbinds per request", min = "1", max = "1000",
            description = "How many OIDs one GET request carries, and the max-repetitions of each GETBULK request of a walk. "
                    + "Agents cut answers that do not fit their message size.")
    int varbinds_per_request() default 50;

    /** @return how long a whole walk may take */
    @AttributeDefinition(name = "Walk time limit (ms)", min = "1000", max = "3600000",
            description = "How long one walk may take in all, in milliseconds; a longer walk stops and its result is "
                    + "marked truncated. Each request of the walk also has the caller's timeout.")
    int walk_max_duration_ms() default 120000;
}
