/**
 * The {@code jdbc} protocol: database connections for probes, through the JDBC driver bundles
 * installed in the agent.
 *
 * <p>A probe references {@link io.midway.protocol.jdbc.JdbcProtocol} and calls
 * {@link io.midway.protocol.jdbc.JdbcProtocol#connect connect(url, user, password, loginTimeout)};
 * the driver is the installed one that accepts the URL. Which drivers are there:
 * {@link io.midway.protocol.jdbc.JdbcProtocol#drivers()}.
 */
@Export
@Version("1.0.0")
package io.midway.protocol.jdbc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
