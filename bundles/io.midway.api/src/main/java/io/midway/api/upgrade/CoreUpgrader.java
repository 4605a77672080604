package io.midway.api.upgrade;

import java.nio.file.Path;
import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Replaces the running agent core ({@code io.midway.agent}) with another jar, in the same
 * framework, and puts the previous one back when the new one does not come up healthy.
 *
 * <p>Implemented by the upgrader bundle only. The core calls {@link #upgrade} and is then stopped
 * and updated by the upgrader on the upgrader's own thread; whichever core runs afterwards (the
 * new one, or the old one after a rollback) reads the outcome from {@link #history()}.
 */
@ProviderType
public interface CoreUpgrader {

    /**
     * Starts replacing the core. Returns at once; the caller is stopped soon after.
     *
     * @param jar a verified jar of the new core (its SHA-256 was checked); the upgrader copies it
     * @param version the new core's Bundle-Version
     * @param sha256 hex SHA-256 of the jar
     * @throws IllegalStateException when an upgrade is already running
     */
    void upgrade(Path jar, String version, String sha256);

    /**
     * @return every upgrade attempt, oldest first, the one running (outcome {@code running}) last
     */
    UpgradeRecordDTO[] history();

    /**
     * Waits until no upgrade runs: returns at once when none does, else as soon as the running one
     * has its outcome (the upgrader signals it; nothing is polled), or when the time is up or the
     * upgrader stops. A new core waits here to report the outcome of its own upgrade.
     *
     * @param timeout the longest wait
     * @return {@link #history()} then
     * @throws InterruptedException when interrupted while waiting
     * @since 1.2.0
     */
    UpgradeRecordDTO[] awaitNotRunning(Duration timeout) throws InterruptedException;
}
