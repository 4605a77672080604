package io.midway.logging.internal;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.log.FormatterLogger;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.LogService;
import org.osgi.service.log.Logger;

/**
 * The OSGi Log Service 1.4 ({@code LogService}, {@code LoggerFactory}) and Log Reader Service of
 * both processes, over the {@link LogBook}: one service object per bundle, so that each entry
 * names the bundle that logged it. Legacy {@code log(level, …)} calls use the logger name
 * {@code LogService.<symbolic name>}, as the specification says.
 */
final class OsgiLogService {

    private OsgiLogService() {
    }

    /** Hands each bundle its own {@link LogService}. */
    static final class Factory implements ServiceFactory<LogService> {
        @Override
        public LogService getService(Bundle bundle, ServiceRegistration<LogService> registration) {
            return new BundleLog(bundle);
        }

        @Override
        public void ungetService(Bundle bundle, ServiceRegistration<LogService> registration, LogService service) {
            // nothing held
        }
    }

    /** Hands each bundle its own {@link LogReaderService}; its listeners go when the bundle lets go. */
    static final class ReaderFactory implements ServiceFactory<LogReaderService> {
        @Override
        public LogReaderService getService(Bundle bundle, ServiceRegistration<LogReaderService> registration) {
            return new Reader();
        }

        @Override
        public void ungetService(Bundle bundle, ServiceRegistration<LogReaderService> registration,
                LogReaderService service) {
            ((Reader) service).removeAll();
        }
    }

    static final class BundleLog implements LogService {
        private final Bundle bundle;
        private final String legacyName;

        BundleLog(Bundle bundle) {
            this.bundle = bundle;
            String bsn = bundle == null ? null : bundle.getSymbolicName();
            this.legacyName = "LogService." + (bsn == null ? "bundle" + (bundle == null ? "" : bundle.getBundleId()) : bsn);
        }

        private void legacy(ServiceReference<?> service, int level, String message, Throwable exception) {
            String logger = bundle != null && bundle.getSymbolicName() != null ? bundle.getSymbolicName() : legacyName;
            LogBook.get().log(LogLevel.ofLegacy(level), logger, message, message, exception, bundle, service);
        }

        @Override
        public void log(int level, String message) {
            legacy(null, level, message, null);
        }

        @Override
        public void log(int level, String message, Throwable exception) {
            legacy(null, level, message, exception);
        }

        @Override
        public void log(ServiceReference<?> sr, int level, String message) {
            legacy(sr, level, message, null);
        }

        @Override
        public void log(ServiceReference<?> sr, int level, String message, Throwable exception) {
            legacy(sr, level, message, exception);
        }

        @Override
        public Logger getLogger(String name) {
            return getLogger(bundle, name, Logger.class);
        }

        @Override
        public Logger getLogger(Class<?> clazz) {
            return getLogger(clazz.getName());
        }

        @Override
        public <L extends Logger> L getLogger(String name, Class<L> loggerType) {
            return getLogger(bundle, name, loggerType);
        }

        @Override
        public <L extends Logger> L getLogger(Class<?> clazz, Class<L> loggerType) {
            return getLogger(bundle, clazz.getName(), loggerType);
        }

        @Override
        public <L extends Logger> L getLogger(Bundle b, String name, Class<L> loggerType) {
            boolean printf = loggerType == FormatterLogger.class;
            if (loggerType != Logger.class && !printf) {
                throw new IllegalArgumentException("no logger of type " + loggerType.getName());
            }
            Bundle owner = b == null ? bundle : b;
            // A bundle's root logger (SCR's) is named for the bundle, which tells more than "ROOT".
            String loggerName = name == null || Logger.ROOT_LOGGER_NAME.equals(name)
                    ? (owner != null && owner.getSymbolicName() != null ? owner.getSymbolicName() : Logger.ROOT_LOGGER_NAME)
                    : name;
            return loggerType.cast(new OsgiLogger(owner, loggerName, printf));
        }
    }

    static final class Reader implements LogReaderService {
        private final List<LogListener> mine = new CopyOnWriteArrayList<>();

        @Override
        public void addLogListener(LogListener listener) {
            if (!mine.contains(listener)) {
                mine.add(listener);
                LogBook.get().addListener(listener);
            }
        }

        @Override
        public void removeLogListener(LogListener listener) {
            mine.remove(listener);
            LogBook.get().removeListener(listener);
        }

        @Override
        public Enumeration<LogEntry> getLog() {
            return Collections.enumeration(LogBook.get().recent());
        }

        void removeAll() {
            for (LogListener l : mine) {
                LogBook.get().removeListener(l);
            }
            mine.clear();
        }
    }
}
