/**
 * The agent's File Cleaner: its settings, its last run and a run on demand, for the shell and
 * the agent console. Implemented by the agent core bundle only.
 */
@Export
@Version("1.0.0")
package io.midway.api.cleaner;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
