package io.midway.api.agent;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The running agent, as a service registered by the agent core. The Web Console plugin and the
 * shell commands read it; only the core implements it.
 */
@ProviderType
public interface MidAgent {

    /**
     * A snapshot of the agent's state, cheap to take.
     *
     * @return a new snapshot, never {@code null}
     */
    AgentStatusDTO status();

    /**
     * Asks the instance to pause this agent: it then gets only heartbeats and system work, and
     * finishes what it holds.
     *
     * @throws IOException when the instance cannot be reached or refuses; the message says why
     */
    void pause() throws IOException;

    /**
     * Asks the instance to resume this agent.
     *
     * @throws IOException when the instance cannot be reached or refuses; the message says why
     */
    void resume() throws IOException;

    /**
     * Applies the instance's file-sync snapshot now and waits for the outcome.
     *
     * @return what was done, per file
     * @throws IOException when the instance cannot be reached
     * @since 1.1
     */
    SyncResultDTO sync() throws IOException;

    /**
     * The plug-in bundles of this agent: every bundle that came from file sync or from
     * {@code deploy/}, and the probe, protocol and credential bundles shipped with the
     * distribution.
     *
     * @return a new array, sorted by symbolic name
     * @since 1.1
     */
    PluginBundleDTO[] bundles();

    /**
     * The core's upgrade state: running and target version, pin, history.
     *
     * @return a new snapshot
     * @since 1.2
     */
    UpgradeStatusDTO upgradeStatus();

    /**
     * Checks now whether the instance offers another core version, and starts the upgrade if so.
     *
     * @return the state after the check (state {@code upgrading} when an upgrade started)
     * @throws IOException when the instance cannot be reached
     * @since 1.2
     */
    UpgradeStatusDTO checkForUpgrade() throws IOException;

    /**
     * Every setting of the agent as it is in effect, with where its value came from (the
     * environment, a file in {@code etc/}, the console, or the default). Secrets show only
     * whether they are set.
     *
     * @return a new array, in a stable order
     * @since 1.3
     */
    SettingDTO[] configuration();
}
