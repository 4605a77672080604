package io.midway.agent.internal.sync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The bundle operations file sync needs, by bundle id. {@link OsgiPluginFramework} does them in
 * the running framework. Failures are {@link SyncFailure}s whose message is for the operator.
 */
public interface PluginFramework {

    /** Told about bundles coming, going, starting and stopping. */
    @FunctionalInterface
    interface BundleChangeListener {
        /**
         * @param bundle the bundle (for an uninstalled one, as it was)
         * @param eventType the {@link org.osgi.framework.BundleEvent} type
         */
        void changed(InstalledBundle bundle, int eventType);
    }

    /** @return every bundle in the framework */
    List<InstalledBundle> bundles();

    /**
     * Installs a bundle without starting it.
     *
     * @param location its location
     * @param jar the jar
     * @return the new bundle's id
     * @throws SyncFailure when the framework refuses it
     */
    long install(String location, Path jar) throws SyncFailure;

    /**
     * Replaces a bundle's content, keeping its id. The bundle is stopped first and left stopped;
     * when this fails, the old content is still in place.
     *
     * @param id the bundle
     * @param jar the new jar
     * @throws SyncFailure when the framework refuses it
     */
    void update(long id, Path jar) throws SyncFailure;

    /**
     * @param id the bundle
     * @throws SyncFailure when it cannot be uninstalled
     */
    void uninstall(long id) throws SyncFailure;

    /**
     * Starts a bundle (resolving it first); a fragment is left alone.
     *
     * @param id the bundle
     * @throws SyncFailure when it cannot be resolved or its activator fails
     */
    void start(long id) throws SyncFailure;

    /**
     * Stops a bundle for now; it starts again with the framework.
     *
     * @param id the bundle
     * @throws SyncFailure when it cannot be stopped
     */
    void stop(long id) throws SyncFailure;

    /**
     * Refreshes the given bundles that wait for it (updated or uninstalled while others were wired
     * to them), and only those and what depends on them; never the agent core. Nothing happens
     * when none waits. Returns once the refresh is done.
     *
     * @param ids the bundles a change touched, uninstalled ones included
     * @throws SyncFailure when the refresh fails or does not finish in time
     */
    void refresh(Collection<Long> ids) throws SyncFailure;

    /**
     * Checks that a started bundle works: it is active and none of its Declarative Services
     * components is unsatisfied or failed its activation, after each of its services was requested
     * once (so that delayed components activate).
     *
     * @param id the bundle
     * @param within how long it may take to become healthy
     * @return {@code null} when healthy, else what is wrong
     * @throws InterruptedException when the calling thread is interrupted
     */
    String healthProblem(long id, Duration within) throws InterruptedException;

    /**
     * @param id a bundle
     * @return the probe topics and protocol names its services register, sorted
     */
    List<String> provides(long id);

    /**
     * @param id a bundle
     * @return {@code probe}, {@code protocol} or {@code credential} when it registers (or, stopped,
     *     declares) such services, else {@code null}
     */
    String pluginKind(long id);

    /**
     * @param listener told about bundle changes from now on, on a framework thread
     */
    void listen(BundleChangeListener listener);

    /**
     * @param listener no longer told
     */
    void unlisten(BundleChangeListener listener);
}
