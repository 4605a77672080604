package io.midway.agent.upgrader.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the core upgrader, pid {@value #PID}. The framework property
 * {@value #HEALTH_PROPERTY} (from {@code MIDWAY_UPGRADE_HEALTH_SECONDS}) wins over it.
 */
@ObjectClassDefinition(
        name = "Midway agent core upgrader",
        description = "How long a new agent core has to come up and reconnect before the previous one is put back. "
                + "MIDWAY_UPGRADE_HEALTH_SECONDS overrides it.")
public @interface UpgraderConfiguration {

    /** The configuration pid. */
    String PID = "io.midway.agent.upgrader";

    /** Framework property (from MIDWAY_UPGRADE_HEALTH_SECONDS) that overrides {@code upgrade.health.seconds}. */
    String HEALTH_PROPERTY = "midway.upgrade.health.seconds";

    @AttributeDefinition(name = "Health timeout (seconds)",
            description = "How long a new core has to be active, offer its MidAgent service and connect to the "
                    + "instance; otherwise the previous core is put back.")
    int upgrade_health_seconds() default 60;
}
