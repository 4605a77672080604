package io.midway.agent.internal;

import java.io.IOException;
import java.util.function.Consumer;

import io.midway.api.agent.SyncResultDTO;

/**
 * File sync with progress, for the {@code mid:sync} command: a service of the agent core, seen
 * only inside this bundle ({@link io.midway.api.agent.MidAgent#sync()} is the public form).
 */
public interface FileSyncControl {

    /**
     * Applies the instance's file-sync snapshot now and waits for the outcome.
     *
     * @param progress told one line per file as each is done
     * @return what was done, per file
     * @throws IOException when the instance cannot be reached
     */
    SyncResultDTO sync(Consumer<String> progress) throws IOException;
}
