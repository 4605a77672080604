/**
 * The probe SPI: a probe is a unit of work addressed by the ECC {@code topic}.
 *
 * <p>A plug-in registers a {@link io.midway.api.probe.Probe} service with the
 * {@link io.midway.api.probe.ProbeTopic} component property; the agent core picks it up at once
 * and hands it every ECC output record with that topic.
 */
@Export
@Version("1.1.0")
package io.midway.api.probe;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
