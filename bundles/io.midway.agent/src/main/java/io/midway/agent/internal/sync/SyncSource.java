package io.midway.agent.internal.sync;

import java.io.IOException;
import java.nio.file.Path;

import io.midway.wire.SyncReport;
import io.midway.wire.SyncSnapshot;

/** The instance's file-sync endpoints, as file sync uses them. */
public interface SyncSource {

    /**
     * {@code GET /api/mid/file_sync/snapshot}.
     *
     * @return what every agent should have from sync
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    SyncSnapshot snapshot() throws IOException, InterruptedException;

    /**
     * {@code GET /api/mid/file_sync/files/{sha256}} into a file.
     *
     * @param sha256 the file's hash
     * @param target where the bytes go (created or replaced)
     * @throws IOException when the instance cannot be reached or has no such file
     * @throws InterruptedException when the calling thread is interrupted
     */
    void download(String sha256, Path target) throws IOException, InterruptedException;

    /**
     * {@code POST /api/mid/file_sync/report}.
     *
     * @param report how applying a snapshot went
     * @throws IOException when the instance cannot be reached or refuses
     * @throws InterruptedException when the calling thread is interrupted
     */
    void report(SyncReport report) throws IOException, InterruptedException;
}
