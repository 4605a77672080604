package io.midway.agent.internal.cleaner;

import java.util.ArrayList;
import java.util.List;

import io.midway.api.cleaner.CleanerRunDTO;
import io.midway.api.cleaner.CleanerStatusDTO;
import io.midway.api.cleaner.RemovedFileDTO;

/** The File Cleaner's state and runs as text, for {@code mid:status} and {@code mid:clean}. */
public final class CleanerText {

    private CleanerText() {
    }

    /**
     * @param s the cleaner's status
     * @return the lines {@code mid:status} shows
     */
    public static List<String> statusLines(CleanerStatusDTO s) {
        List<String> lines = new ArrayList<>();
        lines.add(line("File cleaner", s.enabled
                ? "on (removes unused files older than " + s.maxAgeDays + " days, every " + s.intervalHours + " h)"
                : "off"));
        CleanerRunDTO last = s.lastRun;
        lines.add(line("Last clean", last == null ? "none yet"
                : last.started + " (" + last.trigger + "): " + last.filesRemoved + " files removed, "
                        + last.bytesFreed + " bytes freed"
                        + (last.failures > 0 ? ", " + last.failures + " could not be removed" : "")));
        lines.add(line("Next clean", s.nextRun == null ? "off" : s.nextRun));
        return lines;
    }

    private static String line(String label, String value) {
        return String.format("%-13s %s", label, value);
    }

    /**
     * @param run a run
     * @return what it removed, one line per file, and a summary line
     */
    public static String run(CleanerRunDTO run) {
        StringBuilder out = new StringBuilder();
        for (RemovedFileDTO r : run.removed) {
            out.append("removed ").append(r.path).append(" (").append(r.size).append(" bytes, ").append(r.rule)
                    .append(")\n");
        }
        if (run.filesRemoved > run.removed.length) {
            out.append("… and ").append(run.filesRemoved - run.removed.length).append(" more (see the log)\n");
        }
        for (String note : run.skipped) {
            out.append("skipped ").append(note).append('\n');
        }
        out.append("File cleaner: removed ").append(run.filesRemoved).append(" files, freed ").append(run.bytesFreed)
                .append(" bytes");
        if (run.failures > 0) {
            out.append(", ").append(run.failures).append(" could not be removed (see the log)");
        }
        return out.toString();
    }
}
