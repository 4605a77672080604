package io.midway.agent.internal.sync;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.agent.SyncFileResultDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.wire.SyncReport;

/**
 * The results of one sync, per file: each is logged and told to the progress listener as it is
 * final; and the mapping of a report to the API's {@link SyncResultDTO}.
 */
final class SyncResults {

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncer.class);

    private final List<SyncReport.Result> list = new ArrayList<>();
    private final Consumer<String> progress;

    SyncResults(Consumer<String> progress) {
        this.progress = progress;
    }

    void add(String symbolicName, String version, String sha256, String action, String outcome, String message) {
        SyncReport.Result result = new SyncReport.Result(symbolicName, version, sha256, action, outcome, message);
        list.add(result);
        String line = SyncSummary.line(toDto(result));
        if (SyncReport.Result.OUTCOME_FAILED.equals(outcome)) {
            LOG.warn("File sync: {}", line);
        } else {
            LOG.info("File sync: {}", line);
        }
        try {
            progress.accept(line);
        } catch (RuntimeException e) {
            LOG.debug("Progress listener failed", e);
        }
    }

    boolean anyFailed() {
        return list.stream().anyMatch(r -> SyncReport.Result.OUTCOME_FAILED.equals(r.outcome()));
    }

    List<SyncReport.Result> sorted() {
        return list.stream().sorted(Comparator.comparing(SyncReport.Result::symbolicName)).toList();
    }

    /**
     * @param report a sync report
     * @return the same as the API's result
     */
    static SyncResultDTO toDto(SyncReport report) {
        SyncResultDTO dto = new SyncResultDTO();
        dto.revision = report.revision();
        dto.state = report.state();
        dto.files = report.files().stream().map(SyncResults::toDto).toArray(SyncFileResultDTO[]::new);
        return dto;
    }

    private static SyncFileResultDTO toDto(SyncReport.Result result) {
        SyncFileResultDTO dto = new SyncFileResultDTO();
        dto.symbolicName = result.symbolicName();
        dto.version = result.version();
        dto.action = result.action();
        dto.outcome = result.outcome();
        dto.message = result.message();
        return dto;
    }
}
