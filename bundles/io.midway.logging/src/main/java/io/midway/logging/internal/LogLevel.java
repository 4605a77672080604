package io.midway.logging.internal;

import java.util.Locale;

/** The levels of the Midway log, lowest first, with their OSGi and java.util.logging equivalents. */
enum LogLevel {
    TRACE(org.osgi.service.log.LogLevel.TRACE),
    DEBUG(org.osgi.service.log.LogLevel.DEBUG),
    INFO(org.osgi.service.log.LogLevel.INFO),
    WARN(org.osgi.service.log.LogLevel.WARN),
    ERROR(org.osgi.service.log.LogLevel.ERROR);

    final org.osgi.service.log.LogLevel osgi;

    LogLevel(org.osgi.service.log.LogLevel osgi) {
        this.osgi = osgi;
    }

    /** @return the legacy OSGi level number (1 error … 4 debug; trace counts as debug) */
    int legacy() {
        return osgi.ordinal() >= org.osgi.service.log.LogLevel.DEBUG.ordinal() ? 4 : osgi.ordinal();
    }

    boolean atLeast(LogLevel threshold) {
        return ordinal() >= threshold.ordinal();
    }

    /**
     * @param text {@code trace}, {@code debug}, {@code info}, {@code warn} (or {@code warning}),
     *     {@code error}, any case
     * @param fallback the level for null or unknown text
     * @return the level
     */
    static LogLevel parse(String text, LogLevel fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.equals("WARNING")) {
            return WARN;
        }
        for (LogLevel l : values()) {
            if (l.name().equals(t)) {
                return l;
            }
        }
        return fallback;
    }

    static LogLevel of(org.osgi.service.log.LogLevel osgi) {
        switch (osgi) {
            case TRACE:
                return TRACE;
            case DEBUG:
                return DEBUG;
            case INFO:
            case AUDIT:
                return INFO;
            case WARN:
                return WARN;
            default:
                return ERROR;
        }
    }

    /** @param legacy a legacy OSGi level number (LogService.LOG_ERROR = 1 … LOG_DEBUG = 4) */
    static LogLevel ofLegacy(int legacy) {
        switch (legacy) {
            case 1:
                return ERROR;
            case 2:
                return WARN;
            case 3:
                return INFO;
            default:
                return DEBUG;
        }
    }

    static LogLevel of(java.util.logging.Level jul) {
        int v = jul.intValue();
        if (v >= java.util.logging.Level.SEVERE.intValue()) {
            return ERROR;
        }
        if (v >= java.util.logging.Level.WARNING.intValue()) {
            return WARN;
        }
        if (v >= java.util.logging.Level.INFO.intValue()) {
            return INFO;
        }
        if (v >= java.util.logging.Level.FINE.intValue()) {
            return DEBUG;
        }
        return TRACE;
    }

    java.util.logging.Level jul() {
        switch (this) {
            case TRACE:
                return java.util.logging.Level.FINEST;
            case DEBUG:
                return java.util.logging.Level.FINE;
            case INFO:
                return java.util.logging.Level.INFO;
            case WARN:
                return java.util.logging.Level.WARNING;
            default:
                return java.util.logging.Level.SEVERE;
        }
    }
}
