package io.midway.agent.internal.upgrade;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.midway.wire.EccRecord;
import io.midway.wire.InstanceInfo;

/** What the {@link UpgradeCoordinator} needs from the running agent and the instance. */
public interface UpgradeHost {

    /**
     * {@code POST /api/mid/agents/status}.
     *
     * @param status {@code Upgrading}, {@code Upgrade Failed} or {@code Up}
     * @param detail the sentence for the event
     * @throws IOException when the instance cannot be reached or refuses
     */
    void reportStatus(String status, String detail) throws IOException;

    /**
     * @return the instance's version and core
     * @throws IOException when the instance cannot be reached
     */
    InstanceInfo instanceInfo() throws IOException;

    /**
     * @return the core jars the instance offers
     * @throws IOException when the instance cannot be reached
     */
    List<InstanceInfo.Core> cores() throws IOException;

    /**
     * @param sha256 a core jar's hash
     * @param target where its bytes go
     * @throws IOException when the download fails
     */
    void downloadCore(String sha256, Path target) throws IOException;

    /**
     * Stops polling for work and takes back the work queued and not started; running work goes on.
     *
     * @return the work taken back
     * @throws InterruptedException when interrupted while waiting for the poller to stop
     */
    List<EccRecord> stopTakingWork() throws InterruptedException;

    /**
     * Lets running work finish.
     *
     * @param grace how long it may take
     * @return whether it finished in time
     * @throws InterruptedException when interrupted while waiting
     */
    boolean awaitRunningWork(Duration grace) throws InterruptedException;

    /** Polls for work again after {@link #stopTakingWork}. */
    void resumeWork();

    /**
     * Runs a record as if the instance had just handed it out.
     *
     * @param record an output record
     */
    void run(EccRecord record);
}
