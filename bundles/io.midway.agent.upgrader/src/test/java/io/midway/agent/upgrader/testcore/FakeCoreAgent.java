package io.midway.agent.upgrader.testcore;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.agent.UpgradeStatusDTO;

/** The fake core's agent: only {@link #status()} means something. */
final class FakeCoreAgent implements MidAgent {

    private final String version;
    private final String connection;
    private final String[] probes;

    FakeCoreAgent(String version, String connection, String probes) {
        this.version = version;
        this.connection = connection;
        this.probes = probes == null || probes.isBlank() ? new String[0] : probes.split(",");
    }

    @Override
    public AgentStatusDTO status() {
        AgentStatusDTO dto = new AgentStatusDTO();
        dto.version = version;
        dto.connection = connection;
        dto.lastError = "connected".equals(connection) ? null : "fake core says " + connection;
        dto.probes = probes.clone();
        return dto;
    }

    @Override
    public void pause() {
    }

    @Override
    public void resume() {
    }

    @Override
    public SyncResultDTO sync() {
        return new SyncResultDTO();
    }

    @Override
    public PluginBundleDTO[] bundles() {
        return new PluginBundleDTO[0];
    }

    @Override
    public UpgradeStatusDTO upgradeStatus() {
        return new UpgradeStatusDTO();
    }

    @Override
    public UpgradeStatusDTO checkForUpgrade() {
        return new UpgradeStatusDTO();
    }

    @Override
    public io.midway.api.agent.SettingDTO[] configuration() {
        return new io.midway.api.agent.SettingDTO[0];
    }
}
