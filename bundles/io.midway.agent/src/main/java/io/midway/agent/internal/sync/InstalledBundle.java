package io.midway.agent.internal.sync;

import org.osgi.framework.Bundle;

/**
 * A bundle in the framework, as file sync looks at it.
 *
 * @param id the bundle id
 * @param symbolicName its Bundle-SymbolicName (without parameters), or {@code null}
 * @param version its Bundle-Version
 * @param location its location
 * @param origin where it came from
 * @param state its OSGi state ({@link Bundle#ACTIVE} …)
 * @param fragment whether it is a fragment (never started)
 */
public record InstalledBundle(long id, String symbolicName, String version, String location, BundleOrigin origin,
        int state, boolean fragment) {

    /** @return whether it is active or starting */
    public boolean running() {
        return state == Bundle.ACTIVE || state == Bundle.STARTING;
    }

    /**
     * @param state an OSGi bundle state
     * @return its name: {@code ACTIVE}, {@code RESOLVED} …
     */
    public static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNKNOWN(" + state + ")";
        };
    }
}
