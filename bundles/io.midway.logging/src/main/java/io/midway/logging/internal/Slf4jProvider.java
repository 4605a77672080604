package io.midway.logging.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J 2 provider, found by the SLF4J API this bundle holds (its ServiceLoader reads this
 * bundle's META-INF/services): every logger writes to the {@link LogBook}.
 */
public final class Slf4jProvider implements SLF4JServiceProvider {

    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, Slf4jLogger::new);
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    /** For the ServiceLoader. */
    public Slf4jProvider() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        markers = new BasicMarkerFactory();
        mdc = new BasicMDCAdapter();
    }

    /** One SLF4J logger. */
    static final class Slf4jLogger extends AbstractLogger {
        private static final long serialVersionUID = 1L;

        Slf4jLogger(String name) {
            this.name = name;
        }

        private boolean on(LogLevel level) {
            return LogBook.get().enabled(name, level);
        }

        @Override
        public boolean isTraceEnabled() {
            return on(LogLevel.TRACE);
        }

        @Override
        public boolean isTraceEnabled(org.slf4j.Marker marker) {
            return isTraceEnabled();
        }

        @Override
        public boolean isDebugEnabled() {
            return on(LogLevel.DEBUG);
        }

        @Override
        public boolean isDebugEnabled(org.slf4j.Marker marker) {
            return isDebugEnabled();
        }

        @Override
        public boolean isInfoEnabled() {
            return on(LogLevel.INFO);
        }

        @Override
        public boolean isInfoEnabled(org.slf4j.Marker marker) {
            return isInfoEnabled();
        }

        @Override
        public boolean isWarnEnabled() {
            return on(LogLevel.WARN);
        }

        @Override
        public boolean isWarnEnabled(org.slf4j.Marker marker) {
            return isWarnEnabled();
        }

        @Override
        public boolean isErrorEnabled() {
            return on(LogLevel.ERROR);
        }

        @Override
        public boolean isErrorEnabled(org.slf4j.Marker marker) {
            return isErrorEnabled();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, org.slf4j.Marker marker, String messagePattern,
                Object[] arguments, Throwable throwable) {
            String message = arguments == null || arguments.length == 0 ? messagePattern
                    : MessageFormatter.basicArrayFormat(messagePattern, arguments);
            LogBook.get().log(level(level), name, messagePattern, message, throwable, null, null);
        }

        private static LogLevel level(Level level) {
            switch (level) {
                case TRACE:
                    return LogLevel.TRACE;
                case DEBUG:
                    return LogLevel.DEBUG;
                case INFO:
                    return LogLevel.INFO;
                case WARN:
                    return LogLevel.WARN;
                default:
                    return LogLevel.ERROR;
            }
        }
    }
}
