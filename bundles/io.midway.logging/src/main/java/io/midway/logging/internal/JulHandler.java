package io.midway.logging.internal;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * Takes {@code java.util.logging} (the JDK's own warnings, and every library that uses it) into
 * the {@link LogBook}, in place of the console handler.
 */
final class JulHandler extends Handler {

    private final Formatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
        if (record == null) {
            return;
        }
        String logger = record.getLoggerName() == null ? "jul" : record.getLoggerName();
        LogLevel level = LogLevel.of(record.getLevel());
        LogBook book = LogBook.get();
        if (!book.enabled(logger, level)) {
            return;
        }
        String message;
        try {
            message = formatter.formatMessage(record);
        } catch (RuntimeException e) {
            message = String.valueOf(record.getMessage());
        }
        book.log(level, logger, record.getMessage(), message, record.getThrown(), null, null);
    }

    @Override
    public void flush() {
        // every entry is flushed as it is written
    }

    @Override
    public void close() {
        // the LogBook is closed by the bundle
    }
}
