/**
 * The instance's store: {@link io.midway.instance.store.InstanceStore} (transactions over the
 * tables, numbered migrations) and the {@link io.midway.instance.store.StoreEngine} SPI that each
 * engine bundle implements.
 */
@Export
@Version("1.0.0")
package io.midway.instance.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
