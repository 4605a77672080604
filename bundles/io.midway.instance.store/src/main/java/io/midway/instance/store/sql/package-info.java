/**
 * SQL by statement key: {@code common.sql}, overridden per engine by its dialect file.
 */
@Export
@Version("1.0.0")
package io.midway.instance.store.sql;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
