package io.midway.agent.console.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.PluginBundleDTO;
import io.midway.api.agent.SettingDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.api.agent.UpgradeStatusDTO;

/** A test-only agent: returns a fixed status, counts pause/resume calls, can be made to fail. */
final class FakeMidAgent implements MidAgent {

    AgentStatusDTO status = new AgentStatusDTO();
    IOException failure;
    final AtomicInteger pauses = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();
    final AtomicInteger syncs = new AtomicInteger();
    PluginBundleDTO[] bundles = new PluginBundleDTO[0];
    SyncResultDTO syncResult = new SyncResultDTO();
    UpgradeStatusDTO upgrade = new UpgradeStatusDTO();
    final AtomicInteger upgradeChecks = new AtomicInteger();
    SettingDTO[] configuration = new SettingDTO[0];

    @Override
    public AgentStatusDTO status() {
        return status;
    }

    @Override
    public void pause() throws IOException {
        pauses.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void resume() throws IOException {
        resumes.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public SyncResultDTO sync() throws IOException {
        syncs.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
        return syncResult;
    }

    @Override
    public PluginBundleDTO[] bundles() {
        return bundles;
    }

    @Override
    public UpgradeStatusDTO upgradeStatus() {
        return upgrade;
    }

    @Override
    public UpgradeStatusDTO checkForUpgrade() throws IOException {
        upgradeChecks.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
        return upgrade;
    }

    @Override
    public SettingDTO[] configuration() {
        return configuration;
    }
}
