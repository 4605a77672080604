package io.midway.logging.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;

/**
 * The one place every log entry goes, whatever API it came through (SLF4J, the OSGi Log Service,
 * java.util.logging, stray writes to stdout/stderr): level check, repeat limit, the rotated
 * file, the ring of recent entries, the Log Reader Service's listeners, and for errors one short
 * line on the console. Entries logged before the launcher's settings are known are kept and
 * written when the file opens.
 */
final class LogBook {

    static final String SELF = "io.midway.logging";
    private static final int EARLY_MAX = 2000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final LogBook INSTANCE = new LogBook();

    private volatile LogSettings settings = LogSettings.early();
    private RotatingLogFile file;
    private boolean configured;
    private RepeatLimiter limiter = new RepeatLimiter(settings.repeatLimit(), settings.repeatWindowMillis());
    private final ArrayDeque<Entry> ring = new ArrayDeque<>();
    private final List<Entry> early = new ArrayList<>();
    private final List<LogListener> listeners = new CopyOnWriteArrayList<>();
    private volatile ConsoleNotice notice;
    private volatile PrintStream echo;
    private long sequence;
    private boolean writeFailed;

    static LogBook get() {
        return INSTANCE;
    }

    LogBook() {
    }

    /**
     * Opens the log file and writes what was logged so far.
     *
     * @param s the settings
     * @param console where the one-line notices go, or {@code null} for none
     * @throws IOException when the file cannot be opened
     */
    void configure(LogSettings s, PrintStream console) throws IOException {
        synchronized (this) {
            closeFile();
            settings = s;
            limiter = new RepeatLimiter(s.repeatLimit(), s.repeatWindowMillis());
            file = s.file() == null ? null : new RotatingLogFile(s.file(), s.maxBytes(), s.files());
            configured = true;
            writeFailed = false;
            while (ring.size() > s.ringSize()) {
                ring.removeFirst();
            }
            for (Entry e : early) {
                if (e.midwayLevel().atLeast(s.levelOf(e.getLoggerName()))) {
                    write(e);
                }
            }
            early.clear();
        }
        notice = console == null ? null : new ConsoleNotice(console, 10_000);
    }

    /** @param console where every written entry is printed too, or {@code null} for nowhere */
    void echo(PrintStream console) {
        echo = console;
    }

    LogSettings settings() {
        return settings;
    }

    /** Writes the pending "suppressed" lines and closes the file; later entries go to the ring only. */
    void close() {
        synchronized (this) {
            for (RepeatLimiter.Suppressed s : limiter.ended(System.currentTimeMillis(), true)) {
                append(entry(LogLevel.WARN, s.logger(), s.text(), null, null, null, System.currentTimeMillis()));
            }
            closeFile();
            configured = false;
        }
        notice = null;
        echo = null;
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // nothing left to tell it to
            }
            file = null;
        }
    }

    /** @return whether an entry of this level from this logger would be written */
    boolean enabled(String logger, LogLevel level) {
        return level.atLeast(settings.levelOf(logger));
    }

    /**
     * @param level the level
     * @param logger the logger name
     * @param template the message before its arguments (the repeat limit compares these)
     * @param message the message
     * @param exception the exception, or {@code null}
     * @param bundle the bundle that logged, or {@code null}
     * @param service the service the entry is about, or {@code null}
     */
    void log(LogLevel level, String logger, String template, String message, Throwable exception, Bundle bundle,
            ServiceReference<?> service) {
        if (!enabled(logger, level)) {
            return;
        }
        long now = System.currentTimeMillis();
        List<Entry> written = new ArrayList<>(2);
        String fileName;
        synchronized (this) {
            for (RepeatLimiter.Suppressed s : limiter.ended(now, false)) {
                written.add(append(entry(LogLevel.WARN, s.logger(), s.text(), null, null, null, now)));
            }
            if (limiter.allow(logger, template == null ? String.valueOf(message) : template, now)) {
                written.add(append(entry(level, logger, message, exception, bundle, service, now)));
            }
            fileName = file == null ? null : file.file().toString();
        }
        for (Entry e : written) {
            for (LogListener l : listeners) {
                try {
                    l.logged(e);
                } catch (RuntimeException ex) {
                    // a broken listener must not break logging
                }
            }
            PrintStream all = echo;
            if (all != null) {
                all.print(format(e));
                all.flush();
            }
            ConsoleNotice n = notice;
            if (all == null && n != null && e.midwayLevel() == LogLevel.ERROR) {
                n.error(e.getLoggerName(), e.getMessage(), fileName, now);
            }
        }
    }

    private Entry entry(LogLevel level, String logger, String message, Throwable exception, Bundle bundle,
            ServiceReference<?> service, long now) {
        return new Entry(now, ++sequence, level, logger, Thread.currentThread().getName(), message, exception, bundle,
                service);
    }

    private Entry append(Entry e) {
        ring.addLast(e);
        if (ring.size() > settings.ringSize()) {
            ring.removeFirst();
        }
        if (!configured) {
            if (early.size() < EARLY_MAX) {
                early.add(e);
            }
        } else {
            write(e);
        }
        return e;
    }

    private void write(Entry e) {
        if (file == null) {
            return;
        }
        try {
            file.write(format(e));
            writeFailed = false;
        } catch (IOException ex) {
            if (!writeFailed && notice != null) {
                notice.error(SELF, "cannot write the log file: " + ex.getMessage(), null, System.currentTimeMillis());
            }
            writeFailed = true;
        }
    }

    /** @return the entry as the log file shows it, line break(s) included */
    static String format(LogEntry e) {
        StringBuilder b = new StringBuilder(160);
        b.append(TIME.format(Instant.ofEpochMilli(e.getTime()))).append(' ');
        String level = LogLevel.of(e.getLogLevel()).name();
        b.append(level);
        for (int i = level.length(); i < 5; i++) {
            b.append(' ');
        }
        b.append(" [").append(e.getThreadInfo()).append("] ").append(ConsoleNotice.shortName(e.getLoggerName()))
                .append(" - ").append(e.getMessage()).append('\n');
        if (e.getException() != null) {
            StringWriter trace = new StringWriter();
            try (PrintWriter w = new PrintWriter(trace)) {
                e.getException().printStackTrace(w);
            }
            b.append(trace.toString().replace("\r\n", "\n"));
        }
        return b.toString();
    }

    /** @return the recent entries, newest first (the Log Reader Service's order) */
    synchronized List<LogEntry> recent() {
        List<LogEntry> out = new ArrayList<>(ring.size());
        for (Iterator<Entry> it = ring.descendingIterator(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    void addListener(LogListener l) {
        listeners.add(l);
    }

    void removeListener(LogListener l) {
        listeners.remove(l);
    }
}
