/**
 * The {@code http} protocol: an HTTP/1.1 and HTTPS client for probes.
 *
 * <p>A probe references {@link io.midway.protocol.http.HttpProtocol}, builds an immutable
 * {@link io.midway.protocol.http.HttpCall} and gets an {@link io.midway.protocol.http.HttpExchange}
 * back: status, headers and a body read up to the call's limit.
 */
@Export
@Version("1.0.0")
package io.midway.protocol.http;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
