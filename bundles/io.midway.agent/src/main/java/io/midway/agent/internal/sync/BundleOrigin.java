package io.midway.agent.internal.sync;

/** Where an installed bundle came from, as told by its location. */
public enum BundleOrigin {
    /** Installed by file sync: location {@code midway-sync:<symbolic name>}. */
    SYNC,
    /** Installed from the agent's deploy folder: location {@code file:} under it. */
    DEPLOY,
    /** Shipped with the distribution: location {@code file:} under {@code <midway.home>/system/}. */
    DISTRIBUTION,
    /** Installed through the Web Console's Install dialog: location {@code inputstream:<file name>}. */
    CONSOLE,
    /** Anything else: the framework, the shell, a test harness. */
    OTHER
}
