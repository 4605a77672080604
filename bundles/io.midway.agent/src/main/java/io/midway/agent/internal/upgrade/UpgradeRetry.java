package io.midway.agent.internal.upgrade;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import io.midway.api.upgrade.UpgradeRecordDTO;

/**
 * Whether a core version that failed here is tried again, and when. A version rolled back
 * because the core itself failed ({@code core}: it did not resolve or start, its components did
 * not activate, its service or probes did not come back, the jar is not the core it claims to be)
 * is skipped until the instance offers another jar. A version that failed for a reason outside the
 * core ({@code outside}: the instance unreachable during the download, the JVM stopped in the
 * middle, the upgrader failed, an older upgrader's timeout while the instance was away) is tried
 * again after a backoff: 1 minute, doubling with each failure of the same jar, at most 1 hour.
 */
public final class UpgradeRetry {

    /** The first wait after a failure outside the core. */
    public static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);
    /** The longest wait. */
    public static final Duration MAX_BACKOFF = Duration.ofHours(1);

    /** What to do with a target that failed here before. */
    public enum Action {
        /** Upgrade now. */
        TRY,
        /** Wait until the retry time. */
        WAIT,
        /** Not tried again until the instance offers another jar. */
        SKIP
    }

    private UpgradeRetry() {
    }

    /**
     * @param attempts failures of the same jar for reasons outside the core, at least 1
     * @return how long to wait before the next attempt
     */
    public static Duration backoff(int attempts) {
        int doublings = Math.max(0, attempts - 1);
        if (doublings >= 30) {
            return MAX_BACKOFF;
        }
        Duration d = FIRST_BACKOFF.multipliedBy(1L << doublings);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /**
     * @param failure the failed attempt remembered for the target, or {@code null}
     * @param offeredSha256 the jar the instance offers now
     * @param now the time now
     * @return whether to upgrade now, wait, or skip
     */
    public static Action decide(UpgradeStateStore.Failure failure, String offeredSha256, Instant now) {
        if (failure == null || !failure.sha256().equals(offeredSha256)) {
            return Action.TRY;
        }
        if (!UpgradeRecordDTO.CAUSE_OUTSIDE.equals(causeOf(failure.cause(), failure.reason()))) {
            return Action.SKIP;
        }
        Instant at = retryAt(failure);
        return at == null || !now.isBefore(at) ? Action.TRY : Action.WAIT;
    }

    /**
     * @param failure a failed attempt
     * @return when it is tried again, or {@code null} when it is not (or at once)
     */
    static Instant retryAt(UpgradeStateStore.Failure failure) {
        if (failure.retryAt() == null) {
            return null;
        }
        try {
            return Instant.parse(failure.retryAt());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The cause of a failure; records written before causes were kept are read from their reason:
     * an older upgrader rolled back a healthy core that was "not connected to the instance", or a
     * core the JVM stopped before it "ran" — both outside the core.
     *
     * @param cause the recorded cause, or {@code null}
     * @param reason the reason
     * @return {@code core} or {@code outside}
     */
    public static String causeOf(String cause, String reason) {
        if (UpgradeRecordDTO.CAUSE_CORE.equals(cause) || UpgradeRecordDTO.CAUSE_OUTSIDE.equals(cause)) {
            return cause;
        }
        String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        if (r.contains("not connected to the instance") || r.contains("restarted during the upgrade before")
                || r.contains("the upgrader failed")) {
            return UpgradeRecordDTO.CAUSE_OUTSIDE;
        }
        return UpgradeRecordDTO.CAUSE_CORE;
    }
}
