package io.midway.agent.internal.cleaner;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the File Cleaner, pid {@value #PID} ({@code etc/io.midway.agent.cleaner.cfg},
 * editable in the Web Console). A change applies at once, without restarting the agent core.
 */
@ObjectClassDefinition(
        name = "Midway File Cleaner",
        description = "Removes files in the agent's data folder that nothing uses any more and that are older "
                + "than the maximum age: rotated logs beyond midway.log.max.files, spool leftovers already handled, "
                + "cached jars of bundles no longer installed, kept cores older than the last good one. "
                + "Never a file in use, never anything outside the data folder.")
public @interface CleanerConfiguration {

    /** The configuration pid. */
    String PID = "io.midway.agent.cleaner";

    @AttributeDefinition(name = "Enabled",
            description = "Run at start (shortly after) and every interval; mid:clean runs it now even when off.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Maximum age (days)", min = "1", max = "3650",
            description = "Only files last modified more than this many days ago are removed.")
    int max_age_days() default 7;

    @AttributeDefinition(name = "Interval (hours)", min = "1", max = "8760",
            description = "Hours between runs.")
    int interval_hours() default 24;
}
