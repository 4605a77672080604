package io.midway.agent.internal.sync;

/** Where an installed bundle came from, as told by its location. */
public enum BundleOrigin {
    /** Installed by file sync: location {@code midway-sync:<symbolic name>}. */
    SYNC,
    /** Installed by FileInstall from the deploy folder: location {@code file:} under it. */
    DEPLOY,
    /** Shipped with the distribution: location {@code file:} under {@code <midway.home>/system/}. */
    DISTRIBUTION,
    /** Anything else: the framework, the shell, a test harness. */
    OTHER
}
