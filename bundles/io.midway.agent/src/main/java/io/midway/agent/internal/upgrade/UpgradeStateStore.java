package io.midway.agent.internal.upgrade;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.midway.api.upgrade.UpgradeRecordDTO;
import io.midway.wire.Json;

/**
 * {@code <midway.data>/upgrade/state.json}: the upgrade outcome last reported to the instance, and
 * per version the jar (sha256) whose upgrade failed here, why, its cause, and when it is tried
 * again ({@link UpgradeRetry}), so it is not retried in a loop.
 */
public final class UpgradeStateStore {

    /**
     * @param reported key of the upgrader's history record last reported, or {@code null}
     * @param failed version to the failed attempt
     */
    public record State(
            @JsonProperty("reported") String reported,
            @JsonProperty("failed") Map<String, Failure> failed) {
    }

    /**
     * @param sha256 the jar that failed
     * @param reason why
     * @param time when, ISO-8601
     * @param cause {@code core} or {@code outside} ({@code null} in files written before causes were kept)
     * @param attempts failures of this jar in a row for reasons outside the core
     * @param retryAt when it is tried again, ISO-8601, or {@code null} when it is not
     */
    public record Failure(
            @JsonProperty("sha256") String sha256,
            @JsonProperty("reason") String reason,
            @JsonProperty("time") String time,
            @JsonProperty("cause") String cause,
            @JsonProperty("attempts") int attempts,
            @JsonProperty("retry_at") String retryAt) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeStateStore.class);

    private final Path file;
    private State state;

    /** @param file {@code <midway.data>/upgrade/state.json} */
    public UpgradeStateStore(Path file) {
        this.file = file;
        this.state = read();
    }

    private State read() {
        if (Files.isRegularFile(file)) {
            try {
                State s = Json.mapper().readValue(file.toFile(), State.class);
                return new State(s.reported(), s.failed() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(s.failed()));
            } catch (IOException e) {
                LOG.error("Upgrade state {} is unreadable ({}); starting from nothing", file, e.getMessage());
            }
        }
        return new State(null, new LinkedHashMap<>());
    }

    /** @return the key of the history record last reported */
    public synchronized String reported() {
        return state.reported();
    }

    /** @param key the history record just reported */
    public synchronized void reported(String key) {
        state = new State(key, state.failed());
        write();
    }

    /**
     * @param version a core version
     * @return the failed attempt for it, or {@code null}
     */
    public synchronized Failure failure(String version) {
        return state.failed().get(normalized(version));
    }

    /**
     * Remembers a failed attempt: one outside the core is tried again after
     * {@link UpgradeRetry#backoff} of its failures of the same jar in a row.
     *
     * @param version the version
     * @param sha256 the jar
     * @param reason why it failed
     * @param cause {@code core} or {@code outside}
     * @param now the time now
     * @return what is remembered
     */
    public synchronized Failure failed(String version, String sha256, String reason, String cause, Instant now) {
        Map<String, Failure> failed = new LinkedHashMap<>(state.failed());
        String key = normalized(version);
        String c = UpgradeRetry.causeOf(cause, reason);
        Failure f;
        if (UpgradeRecordDTO.CAUSE_OUTSIDE.equals(c)) {
            Failure before = failed.get(key);
            int attempts = before != null && sha256.equals(before.sha256())
                    && UpgradeRecordDTO.CAUSE_OUTSIDE.equals(UpgradeRetry.causeOf(before.cause(), before.reason()))
                    ? Math.max(1, before.attempts()) + 1 : 1;
            f = new Failure(sha256, reason, now.toString(), c, attempts,
                    now.plus(UpgradeRetry.backoff(attempts)).toString());
        } else {
            f = new Failure(sha256, reason, now.toString(), c, 1, null);
        }
        failed.put(key, f);
        state = new State(state.reported(), failed);
        write();
        return f;
    }

    private static String normalized(String version) {
        try {
            return org.osgi.framework.Version.parseVersion(version).toString();
        } catch (IllegalArgumentException e) {
            return version;
        }
    }

    private void write() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.error("Cannot write the upgrade state {}: {}", file, e.getMessage());
        }
    }
}
