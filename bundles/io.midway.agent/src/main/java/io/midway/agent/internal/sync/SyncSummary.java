package io.midway.agent.internal.sync;

import io.midway.api.agent.SyncFileResultDTO;
import io.midway.api.agent.SyncResultDTO;
import io.midway.wire.SyncReport;

/** Sentences about sync results, for the shell and the log. */
public final class SyncSummary {

    private SyncSummary() {
    }

    /**
     * @param file what was done with one file
     * @return e.g. {@code update io.midway.testing.echo 2.0.0: ok}
     */
    public static String line(SyncFileResultDTO file) {
        String text = file.action + " " + file.symbolicName + (file.version == null ? "" : " " + file.version) + ": "
                + file.outcome;
        return file.message == null ? text : text + " (" + file.message + ")";
    }

    /**
     * @param result the outcome of a sync
     * @return one sentence, e.g. {@code Revision 7 applied: 1 ok, 0 failed, 1 skipped.}
     */
    public static String of(SyncResultDTO result) {
        int ok = 0;
        int failed = 0;
        int skipped = 0;
        for (SyncFileResultDTO file : result.files) {
            switch (file.outcome) {
                case SyncReport.Result.OUTCOME_OK -> ok++;
                case SyncReport.Result.OUTCOME_FAILED -> failed++;
                default -> skipped++;
            }
        }
        String head = "Revision " + result.revision + " " + result.state;
        if (result.files.length == 0) {
            return head + ": every file is as the snapshot says.";
        }
        return head + ": " + ok + " ok, " + failed + " failed, " + skipped + " skipped"
                + (failed > 0 ? "; what ran before runs again." : ".");
    }
}
