package io.midway.logging.internal;

import java.util.Arrays;
import java.util.IllegalFormatException;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.FormatterLogger;
import org.osgi.service.log.LoggerConsumer;

/**
 * An OSGi Log Service 1.4 logger of one bundle (SCR, FileInstall, and any bundle using the OSGi
 * log API): {@code {}} placeholders, or {@code String.format} for a {@link FormatterLogger}; a
 * last argument that is a {@link Throwable} or a {@link ServiceReference} is taken as such.
 */
final class OsgiLogger implements FormatterLogger {

    private final Bundle bundle;
    private final String name;
    private final boolean printf;

    OsgiLogger(Bundle bundle, String name, boolean printf) {
        this.bundle = bundle;
        this.name = name;
        this.printf = printf;
    }

    @Override
    public String getName() {
        return name;
    }

    private boolean on(LogLevel level) {
        return LogBook.get().enabled(name, level);
    }

    private void log(LogLevel level, String format, Object... args) {
        if (!on(level)) {
            return;
        }
        Throwable exception = null;
        ServiceReference<?> service = null;
        Object[] rest = args;
        for (int k = 0; k < 2 && rest.length > 0; k++) {
            Object last = rest[rest.length - 1];
            if (last instanceof Throwable && exception == null) {
                exception = (Throwable) last;
            } else if (last instanceof ServiceReference && service == null) {
                service = (ServiceReference<?>) last;
            } else {
                break;
            }
            rest = Arrays.copyOf(rest, rest.length - 1);
        }
        LogBook.get().log(level, name, format, format(format, rest), exception, bundle, service);
    }

    private String format(String format, Object[] args) {
        if (format == null || args.length == 0) {
            return String.valueOf(format);
        }
        if (printf) {
            try {
                return String.format(format, args);
            } catch (IllegalFormatException e) {
                return format + " " + Arrays.toString(args);
            }
        }
        StringBuilder b = new StringBuilder(format.length() + 32);
        int arg = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c == '\\' && i + 1 < format.length() && format.charAt(i + 1) == '{') {
                b.append('{');
                i++;
            } else if (c == '{' && i + 1 < format.length() && format.charAt(i + 1) == '}' && arg < args.length) {
                b.append(args[arg++]);
                i++;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public boolean isTraceEnabled() {
        return on(LogLevel.TRACE);
    }

    @Override
    public void trace(String message) {
        log(LogLevel.TRACE, message);
    }

    @Override
    public void trace(String format, Object arg) {
        log(LogLevel.TRACE, format, arg);
    }

    @Override
    public void trace(String format, Object arg1, Object arg2) {
        log(LogLevel.TRACE, format, arg1, arg2);
    }

    @Override
    public void trace(String format, Object... arguments) {
        log(LogLevel.TRACE, format, arguments);
    }

    @Override
    public <E extends Exception> void trace(LoggerConsumer<E> consumer) throws E {
        if (isTraceEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isDebugEnabled() {
        return on(LogLevel.DEBUG);
    }

    @Override
    public void debug(String message) {
        log(LogLevel.DEBUG, message);
    }

    @Override
    public void debug(String format, Object arg) {
        log(LogLevel.DEBUG, format, arg);
    }

    @Override
    public void debug(String format, Object arg1, Object arg2) {
        log(LogLevel.DEBUG, format, arg1, arg2);
    }

    @Override
    public void debug(String format, Object... arguments) {
        log(LogLevel.DEBUG, format, arguments);
    }

    @Override
    public <E extends Exception> void debug(LoggerConsumer<E> consumer) throws E {
        if (isDebugEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isInfoEnabled() {
        return on(LogLevel.INFO);
    }

    @Override
    public void info(String message) {
        log(LogLevel.INFO, message);
    }

    @Override
    public void info(String format, Object arg) {
        log(LogLevel.INFO, format, arg);
    }

    @Override
    public void info(String format, Object arg1, Object arg2) {
        log(LogLevel.INFO, format, arg1, arg2);
    }

    @Override
    public void info(String format, Object... arguments) {
        log(LogLevel.INFO, format, arguments);
    }

    @Override
    public <E extends Exception> void info(LoggerConsumer<E> consumer) throws E {
        if (isInfoEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isWarnEnabled() {
        return on(LogLevel.WARN);
    }

    @Override
    public void warn(String message) {
        log(LogLevel.WARN, message);
    }

    @Override
    public void warn(String format, Object arg) {
        log(LogLevel.WARN, format, arg);
    }

    @Override
    public void warn(String format, Object arg1, Object arg2) {
        log(LogLevel.WARN, format, arg1, arg2);
    }

    @Override
    public void warn(String format, Object... arguments) {
        log(LogLevel.WARN, format, arguments);
    }

    @Override
    public <E extends Exception> void warn(LoggerConsumer<E> consumer) throws E {
        if (isWarnEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public boolean isErrorEnabled() {
        return on(LogLevel.ERROR);
    }

    @Override
    public void error(String message) {
        log(LogLevel.ERROR, message);
    }

    @Override
    public void error(String format, Object arg) {
        log(LogLevel.ERROR, format, arg);
    }

    @Override
    public void error(String format, Object arg1, Object arg2) {
        log(LogLevel.ERROR, format, arg1, arg2);
    }

    @Override
    public void error(String format, Object... arguments) {
        log(LogLevel.ERROR, format, arguments);
    }

    @Override
    public <E extends Exception> void error(LoggerConsumer<E> consumer) throws E {
        if (isErrorEnabled()) {
            consumer.accept(this);
        }
    }

    @Override
    public void audit(String message) {
        LogBook.get().log(LogLevel.INFO, name, message, message, null, bundle, null);
    }

    @Override
    public void audit(String format, Object arg) {
        audit(format, new Object[] {arg});
    }

    @Override
    public void audit(String format, Object arg1, Object arg2) {
        audit(format, new Object[] {arg1, arg2});
    }

    @Override
    public void audit(String format, Object... arguments) {
        LogBook.get().log(LogLevel.INFO, name, format, format(format, arguments), null, bundle, null);
    }
}
