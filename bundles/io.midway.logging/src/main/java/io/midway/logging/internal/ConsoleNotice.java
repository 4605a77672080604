package io.midway.logging.internal;

import java.io.PrintStream;

/**
 * The one short line an operator sees on the console when something needs attention (an error):
 * never a stack trace, at most one line per interval; errors in between are counted into the next
 * line. The full entry is in the log file.
 */
final class ConsoleNotice {

    private final PrintStream console;
    private final long intervalMillis;
    private long last = Long.MIN_VALUE;
    private long skipped;

    ConsoleNotice(PrintStream console, long intervalMillis) {
        this.console = console;
        this.intervalMillis = intervalMillis;
    }

    /**
     * @param logger the logger that reported the error
     * @param message the error
     * @param file where the details are, or {@code null}
     * @param now the time in milliseconds
     * @return the line printed, or {@code null} when rate limited
     */
    synchronized String error(String logger, String message, String file, long now) {
        if (last != Long.MIN_VALUE && now - last < intervalMillis) {
            skipped++;
            return null;
        }
        last = now;
        String line = "midway: error in " + shortName(logger) + ": " + RepeatLimiter.abbreviate(firstLine(message))
                + (skipped > 0 ? " (and " + skipped + " more)" : "") + (file == null ? "" : " (see " + file + ")");
        skipped = 0;
        console.println(line);
        console.flush();
        return line;
    }

    static String shortName(String logger) {
        if (logger == null || logger.isEmpty()) {
            return "?";
        }
        int dot = logger.lastIndexOf('.');
        return dot >= 0 && dot < logger.length() - 1 && Character.isUpperCase(logger.charAt(dot + 1))
                ? logger.substring(dot + 1) : logger;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
