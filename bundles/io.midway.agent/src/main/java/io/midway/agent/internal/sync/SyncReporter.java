package io.midway.agent.internal.sync;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.wire.SyncReport;

/**
 * Tells the instance how each sync went ({@code POST /api/mid/file_sync/report}); a report the
 * instance did not take is kept and sent again after the next poll.
 */
final class SyncReporter {

    private static final Logger LOG = LoggerFactory.getLogger(FileSyncer.class);

    private final SyncSource source;
    private volatile SyncReport unsentReport;

    SyncReporter(SyncSource source) {
        this.source = source;
    }

    /** @return whether a report waits to be sent again */
    boolean hasUnsent() {
        return unsentReport != null;
    }

    void send(SyncReport report) {
        try {
            source.report(report);
            unsentReport = null;
        } catch (IOException e) {
            unsentReport = report;
            LOG.warn("Cannot report file sync revision {} to the instance ({}); it is sent again with the next poll",
                    report.revision(), e.getMessage());
        } catch (InterruptedException e) {
            unsentReport = report;
            Thread.currentThread().interrupt();
        }
    }

    void sendUnsent() {
        SyncReport report = unsentReport;
        if (report == null) {
            return;
        }
        try {
            source.report(report);
            if (unsentReport == report) {
                unsentReport = null;
            }
            LOG.info("Reported file sync revision {} to the instance", report.revision());
        } catch (IOException e) {
            LOG.debug("Report still not accepted: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
