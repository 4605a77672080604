/**
 * The {@code ssh} protocol: runs one command on a host over SSH for probes.
 *
 * <p>A probe references {@link io.midway.protocol.ssh.SshProtocol}, builds an immutable
 * {@link io.midway.protocol.ssh.SshCommand} (target, user, password or private key, command,
 * optional stdin, timeout, output limit) and gets an {@link io.midway.protocol.ssh.SshResult}
 * back: exit code, stdout and stderr, each read up to the limit.
 */
@Export
@Version("1.0.0")
package io.midway.protocol.ssh;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
