package io.midway.agent.internal.shell;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;

import io.midway.console.support.shell.CommandUsage;

/**
 * {@code mid:log}: the last entries of the agent's log, read from the OSGi Log Reader Service
 * (the recent entries io.midway.logging keeps; the whole history is in {@code <data>/agent.log}).
 */
@Component(service = LogCommands.class, property = {
    "osgi.command.scope=mid",
    "osgi.command.function=log",
})
public class LogCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile LogReaderService logReader;

    /**
     * @param lines how many entries
     * @param level the lowest level shown
     * @return the entries, oldest first, one line each (with the exception's first line)
     */
    @Descriptor("show the last entries of this agent's log (the whole log is <data>/agent.log)")
    public String log(
            @Descriptor("how many entries (default 50)") @Parameter(names = {"-n", "--lines"}, absentValue = "50") int lines,
            @Descriptor("lowest level shown: trace, debug, info, warn, error (default: all kept)")
            @Parameter(names = {"-l", "--level"}, absentValue = "trace") String level) {
        LogLevel threshold = level(level);
        if (threshold == null) {
            return "mid:log: unknown level '" + level + "': use trace, debug, info, warn or error";
        }
        if (lines < 1) {
            return "mid:log: -n must be 1 or more";
        }
        LogReaderService reader = logReader;
        if (reader == null) {
            return "mid:log: no log service is running (io.midway.logging)";
        }
        return format(reader.getLog(), lines, threshold);
    }

    /**
     * Gogo picks this only when the form above does not fit (a word where a number belongs, an
     * unknown option), so the operator gets the usage, not "Cannot coerce".
     *
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String log(String... wrong) {
        return CommandUsage.of(this, "mid", "log", wrong);
    }

    static String format(Enumeration<LogEntry> newestFirst, int lines, LogLevel threshold) {
        List<String> out = new ArrayList<>();
        for (LogEntry e : Collections.list(newestFirst)) {
            if (out.size() >= lines) {
                break;
            }
            LogLevel l = e.getLogLevel() == LogLevel.AUDIT ? LogLevel.INFO : e.getLogLevel();
            if (l.ordinal() > threshold.ordinal()) {
                continue; // OSGi levels: ERROR (1) is more severe than TRACE (5)
            }
            StringBuilder b = new StringBuilder();
            b.append(TIME.format(Instant.ofEpochMilli(e.getTime()))).append(' ')
                    .append(String.format("%-5s", l.name())).append(' ').append(shortName(e.getLoggerName()))
                    .append(" - ").append(e.getMessage());
            if (e.getException() != null) {
                b.append(" (").append(e.getException()).append(')');
            }
            out.add(b.toString());
        }
        if (out.isEmpty()) {
            return "no log entries at " + threshold.name().toLowerCase(Locale.ROOT) + " or above";
        }
        Collections.reverse(out);
        return String.join("\n", out);
    }

    private static LogLevel level(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (t.equals("WARNING")) {
            return LogLevel.WARN;
        }
        for (LogLevel l : LogLevel.values()) {
            if (l != LogLevel.AUDIT && l.name().equals(t)) {
                return l;
            }
        }
        return null;
    }

    private static String shortName(String logger) {
        if (logger == null) {
            return "?";
        }
        int dot = logger.lastIndexOf('.');
        return dot >= 0 && dot < logger.length() - 1 && Character.isUpperCase(logger.charAt(dot + 1))
                ? logger.substring(dot + 1) : logger;
    }
}
