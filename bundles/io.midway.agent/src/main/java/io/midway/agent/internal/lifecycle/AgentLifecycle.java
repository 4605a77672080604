package io.midway.agent.internal.lifecycle;

import java.util.List;

/**
 * What the agent does to itself when the instance tells it to ({@code SystemCommand} restart and
 * stop): the OSGi side ({@link FrameworkLifecycle}) restarts bundles and stops the framework. Each
 * method is called on a thread of its own that nothing joins, after the command's answer went out.
 */
public interface AgentLifecycle {

    /**
     * The exit status of the process when the instance asked for a process restart: a supervisor
     * (systemd with {@code Restart=on-failure}) starts it again. Documented in the README.
     */
    int EXIT_RESTART = 75;
    /** The exit status of a commanded stop: a supervisor leaves the agent stopped. */
    int EXIT_STOP = 0;
    /**
     * The system property in which the core leaves the exit status for the launcher
     * ({@code io.midway.launcher.Launcher} reads it once the framework has stopped).
     */
    String EXIT_STATUS_PROPERTY = "midway.exit.status";

    /**
     * Stops the core (which journals nothing more: the caller did), stops and starts the given
     * plug-in bundles, then starts the core again.
     *
     * @param plugins the ids of the plug-in bundles to restart
     */
    public void restartInPlace(List<Long> plugins);

    /**
     * Stops the framework; the launcher then exits with the status.
     *
     * @param exitStatus {@link #EXIT_RESTART} or {@link #EXIT_STOP}
     */
    public void stopProcess(int exitStatus);
}
