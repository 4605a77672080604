/**
 * A test kit for probe plug-ins.
 *
 * <ul>
 * <li>{@link io.midway.testing.probe.ProbeHarness}: runs a probe without OSGi exactly as the agent
 * does: the payload is parsed with the agent's JSON mapper, the result is written back to JSON, a
 * {@link io.midway.api.probe.ProbeException} becomes an {@code error} outcome.</li>
 * <li>{@link io.midway.testing.probe.TestCredentials}: an in-memory
 * {@link io.midway.api.credential.Credentials} service that records which credential worked for
 * which target.</li>
 * <li>{@link io.midway.testing.probe.MidwayPaxExam}: Pax Exam options for a real Felix framework
 * with what a probe bundle needs (test driver side; Pax Exam is an optional dependency), and
 * {@link io.midway.testing.probe.ProbeServices}: inside that framework, finds the probe service
 * of a topic and runs a request through the harness.</li>
 * </ul>
 */
@Export
@Version("1.0.0")
package io.midway.testing.probe;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
