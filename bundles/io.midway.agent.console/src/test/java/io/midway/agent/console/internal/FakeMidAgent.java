package io.midway.agent.console.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import io.midway.api.agent.AgentStatusDTO;
import io.midway.api.agent.MidAgent;

/** A test-only agent: returns a fixed status, counts pause/resume calls, can be made to fail. */
final class FakeMidAgent implements MidAgent {

    AgentStatusDTO status = new AgentStatusDTO();
    IOException failure;
    final AtomicInteger pauses = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();

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
}
