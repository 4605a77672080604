package io.midway.logging.internal;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;

/** One log entry as the OSGi Log Reader Service hands it out (Web Console Log page, mid:log). */
final class Entry implements LogEntry {

    private final long time;
    private final long sequence;
    private final LogLevel level;
    private final String logger;
    private final String thread;
    private final String message;
    private final Throwable exception;
    private final Bundle bundle;
    private final ServiceReference<?> service;

    Entry(long time, long sequence, LogLevel level, String logger, String thread, String message, Throwable exception,
            Bundle bundle, ServiceReference<?> service) {
        this.time = time;
        this.sequence = sequence;
        this.level = level;
        this.logger = logger;
        this.thread = thread;
        this.message = message;
        this.exception = exception;
        this.bundle = bundle;
        this.service = service;
    }

    LogLevel midwayLevel() {
        return level;
    }

    @Override
    public Bundle getBundle() {
        return bundle;
    }

    @Override
    public ServiceReference<?> getServiceReference() {
        return service;
    }

    @SuppressWarnings("deprecation")
    @Override
    public int getLevel() {
        return level.legacy();
    }

    @Override
    public String getMessage() {
        return message;
    }

    @Override
    public Throwable getException() {
        return exception;
    }

    @Override
    public long getTime() {
        return time;
    }

    @Override
    public org.osgi.service.log.LogLevel getLogLevel() {
        return level.osgi;
    }

    @Override
    public String getLoggerName() {
        return logger;
    }

    @Override
    public long getSequence() {
        return sequence;
    }

    @Override
    public String getThreadInfo() {
        return thread;
    }

    @Override
    public StackTraceElement getLocation() {
        return null;
    }
}
