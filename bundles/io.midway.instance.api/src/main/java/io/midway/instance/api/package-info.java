/**
 * The instance's services, as the HTTP API, the consoles and the shell use them: @ProviderType
 * interfaces implemented by the core bundle, the domain types they take, and {@link
 * io.midway.instance.api.InstanceException}, the domain error each maps to an HTTP status.
 */
@Export
@Version("1.1.0")
package io.midway.instance.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
