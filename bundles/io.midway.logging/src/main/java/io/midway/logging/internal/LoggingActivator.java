package io.midway.logging.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.LogService;
import org.osgi.service.log.LoggerFactory;

/**
 * Starts the logging back end at start level 1, before anything else logs: opens the log file,
 * takes over java.util.logging and stray stdout/stderr output, and registers the OSGi Log
 * Service and Log Reader Service. A bundle activator rather than a DS component because SCR
 * itself logs through this service.
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class LoggingActivator implements BundleActivator {

    private final List<java.util.logging.Handler> replacedHandlers = new ArrayList<>();
    private java.util.logging.Level replacedLevel;
    private JulHandler julHandler;
    private PrintStream originalOut;
    private PrintStream originalErr;
    private FrameworkListener frameworkListener;

    @Override
    public void start(BundleContext context) throws IOException {
        originalOut = System.out;
        originalErr = System.err;
        LogSettings settings;
        try {
            settings = LogSettings.from(context::getProperty);
        } catch (IllegalArgumentException e) {
            originalErr.println("midway: " + e.getMessage() + "; using the defaults");
            settings = LogSettings.from(key -> key.startsWith("midway.log.") ? null : context.getProperty(key));
        }
        LogBook book = LogBook.get();
        book.configure(settings, originalErr);
        // midway.log.console=all also prints every entry to the console (tests, containers).
        book.echo("all".equalsIgnoreCase(context.getProperty("midway.log.console")) ? originalOut : null);

        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            replacedHandlers.add(h);
            root.removeHandler(h);
        }
        replacedLevel = root.getLevel();
        julHandler = new JulHandler();
        julHandler.setLevel(java.util.logging.Level.ALL);
        root.addHandler(julHandler);
        root.setLevel(settings.level().jul());

        if (!"false".equalsIgnoreCase(context.getProperty("midway.log.capture.stdio"))) {
            System.setOut(StdStreamLog.stream("stdout", LogLevel.INFO));
            System.setErr(StdStreamLog.stream("stderr", LogLevel.WARN));
        }

        frameworkListener = event -> {
            int type = event.getType();
            LogLevel level = type == FrameworkEvent.ERROR ? LogLevel.ERROR
                    : type == FrameworkEvent.WARNING ? LogLevel.WARN : LogLevel.DEBUG;
            String name = event.getBundle() == null ? "org.osgi.framework" : event.getBundle().getSymbolicName();
            String message = "Framework event " + typeName(type)
                    + (event.getThrowable() == null ? "" : ": " + event.getThrowable().getMessage());
            book.log(level, name == null ? "org.osgi.framework" : name, "Framework event " + typeName(type), message,
                    event.getThrowable(), event.getBundle(), null);
        };
        context.addFrameworkListener(frameworkListener);

        context.registerService(new String[] {LogService.class.getName(), LoggerFactory.class.getName()},
                new OsgiLogService.Factory(), null);
        context.registerService(LogReaderService.class.getName(), new OsgiLogService.ReaderFactory(), null);

        book.log(LogLevel.INFO, LogBook.SELF, null, "Logging to " + (settings.file() == null ? "no file" : settings.file())
                + " (" + settings.maxBytes() / 1024 + " KB x " + settings.files() + " files, level "
                + settings.level().name().toLowerCase(java.util.Locale.ROOT) + ")", null, context.getBundle(), null);
    }

    private static String typeName(int type) {
        switch (type) {
            case FrameworkEvent.ERROR:
                return "ERROR";
            case FrameworkEvent.WARNING:
                return "WARNING";
            case FrameworkEvent.INFO:
                return "INFO";
            case FrameworkEvent.STARTED:
                return "STARTED";
            case FrameworkEvent.STARTLEVEL_CHANGED:
                return "STARTLEVEL_CHANGED";
            case FrameworkEvent.PACKAGES_REFRESHED:
                return "PACKAGES_REFRESHED";
            default:
                return Integer.toString(type);
        }
    }

    @Override
    public void stop(BundleContext context) {
        context.removeFrameworkListener(frameworkListener);
        if (System.out != originalOut) {
            System.setOut(originalOut);
        }
        if (System.err != originalErr) {
            System.setErr(originalErr);
        }
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.removeHandler(julHandler);
        for (java.util.logging.Handler h : replacedHandlers) {
            root.addHandler(h);
        }
        root.setLevel(replacedLevel);
        LogBook.get().close();
    }
}
