package io.midway.agent.internal.signing;

/**
 * Marks the installs and updates that went through the agent's own {@link SignatureGate} (file
 * sync, the deploy folder), on the thread that makes them, so that {@link ConsoleInstallGuard}
 * does not check the same bytes twice. The framework calls synchronous bundle listeners on the
 * installing thread.
 */
public final class GatedInstalls {

    private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();

    private GatedInstalls() {
    }

    /** What is installed through the gate. */
    @FunctionalInterface
    public interface Install<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs an install whose jar the gate has accepted. */
    public static <T, E extends Exception> T run(Install<T, E> install) throws E {
        Boolean before = ACTIVE.get();
        ACTIVE.set(Boolean.TRUE);
        try {
            return install.run();
        } finally {
            if (before == null) {
                ACTIVE.remove();
            }
        }
    }

    /** @return whether this thread is installing through the gate now */
    static boolean active() {
        return ACTIVE.get() != null;
    }
}
