package io.midway.logging.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where and how much to log, read from the framework properties the launcher sets from the
 * environment ({@code MIDWAY_LOG_*}, see the README).
 *
 * @param file the current log file, e.g. {@code <data>/agent.log}; {@code null} logs to no file
 * @param maxBytes size at which the file is rotated
 * @param files how many files are kept in all: the current one and {@code files - 1} rotated ones
 * @param level the lowest level written
 * @param loggerLevels levels for logger name prefixes (the noisy libraries)
 * @param ringSize how many recent entries are kept in memory (Log Reader Service, mid:log)
 * @param repeatLimit how many times one logger may write one message template per window
 * @param repeatWindowMillis the rate-limit window
 */
record LogSettings(Path file, long maxBytes, int files, LogLevel level, Map<String, LogLevel> loggerLevels,
        int ringSize, int repeatLimit, long repeatWindowMillis) {

    static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    static final int DEFAULT_FILES = 5;
    static final int DEFAULT_RING = 1000;
    static final int DEFAULT_REPEAT_LIMIT = 20;
    static final long DEFAULT_REPEAT_WINDOW = 60_000;

    /** Libraries that are chatty at info: only their warnings by default. */
    static Map<String, LogLevel> defaultLoggerLevels() {
        Map<String, LogLevel> m = new LinkedHashMap<>();
        m.put("org.eclipse.jetty", LogLevel.WARN);
        m.put("org.apache.felix.http", LogLevel.WARN);
        // Web Console 5 warns about its own "legacy" plugins at every start (TOOLCHAIN #10).
        m.put("org.apache.felix.webconsole", LogLevel.ERROR);
        // JLine warns that a pipe is no terminal: expected when running as a service.
        m.put("org.jline", LogLevel.ERROR);
        return m;
    }

    /** Before the launcher's settings are read: no file, info, the defaults. */
    static LogSettings early() {
        return new LogSettings(null, DEFAULT_MAX_BYTES, DEFAULT_FILES, LogLevel.INFO, defaultLoggerLevels(),
                DEFAULT_RING, DEFAULT_REPEAT_LIMIT, DEFAULT_REPEAT_WINDOW);
    }

    /**
     * @param property a framework property lookup
     * @return the settings: {@code midway.log.file} (else {@code <midway.data>/<midway.role>.log}),
     *     {@code midway.log.max.size} (bytes, or with KB/MB/GB), {@code midway.log.max.files},
     *     {@code midway.log.level}
     * @throws IllegalArgumentException when a value is not valid
     */
    static LogSettings from(Function<String, String> property) {
        String file = property.apply("midway.log.file");
        Path path = null;
        if (file != null && !file.isBlank()) {
            path = Path.of(file.trim());
        } else if (property.apply("midway.data") != null) {
            String role = property.apply("midway.role");
            path = Path.of(property.apply("midway.data")).resolve((role == null ? "midway" : role) + ".log");
        }
        long size = size(property.apply("midway.log.max.size"), DEFAULT_MAX_BYTES);
        int files = count(property.apply("midway.log.max.files"), DEFAULT_FILES);
        LogLevel level = LogLevel.parse(property.apply("midway.log.level"), LogLevel.INFO);
        return new LogSettings(path, size, files, level, defaultLoggerLevels(), DEFAULT_RING, DEFAULT_REPEAT_LIMIT,
                DEFAULT_REPEAT_WINDOW);
    }

    /** @return the level in effect for a logger: the longest matching prefix, else the default */
    LogLevel levelOf(String logger) {
        LogLevel best = level;
        int bestLength = -1;
        if (logger != null) {
            for (Map.Entry<String, LogLevel> e : loggerLevels.entrySet()) {
                String prefix = e.getKey();
                if (logger.startsWith(prefix) && prefix.length() > bestLength
                        && (logger.length() == prefix.length() || logger.charAt(prefix.length()) == '.')) {
                    best = e.getValue().atLeast(level) ? e.getValue() : level;
                    bestLength = prefix.length();
                }
            }
        }
        return best;
    }

    /**
     * @param text bytes, or a number with {@code KB}, {@code MB} or {@code GB} (1024-based)
     * @param fallback for null or blank text
     * @return the bytes, at least 1 KiB
     */
    static long size(String text, long fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String t = text.trim().toUpperCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] u : new String[][] {{"KB", "1024"}, {"K", "1024"}, {"MB", "1048576"}, {"M", "1048576"},
                {"GB", "1073741824"}, {"G", "1073741824"}, {"B", "1"}}) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        try {
            long bytes = Math.multiplyExact(Long.parseLong(t), unit);
            if (bytes < 1024) {
                throw new IllegalArgumentException("log file size " + text + " is below the least, 1KB");
            }
            return bytes;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("log file size '" + text + "' is not a size such as 10MB");
        }
    }

    static int count(String text, int fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n < 1 || n > 1000) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("log file count '" + text + "' is not a number from 1 to 1000");
        }
    }
}
