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
}
