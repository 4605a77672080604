package io.midway.launcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import org.apache.felix.main.AutoProcessor;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * {@code bin/instance} and {@code bin/agent}: starts Felix in the foreground for one role and
 * stops it cleanly on SIGTERM or Ctrl-C.
 */
public final class Launcher {

    private Launcher() {
    }

    /**
     * @param args {@code instance} or {@code agent}
     */
    public static void main(String[] args) {
        if (args.length != 1 || args[0].startsWith("-")) {
            System.err.println("usage: bin/instance | bin/agent   (java io.midway.launcher.Launcher instance|agent)");
            System.err.println("environment: MIDWAY_HTTPS_PORT MIDWAY_HTTP_PORT MIDWAY_HTTP_HOST MIDWAY_HTTPS_KEYSTORE");
            System.err.println("             MIDWAY_HTTPS_KEYSTORE_PASSWORD MIDWAY_HTTPS_CLIENT_CA MIDWAY_INSTANCE_CERT");
            System.err.println("             MIDWAY_AGENT_KEYSTORE MIDWAY_AGENT_KEYSTORE_PASSWORD");
            System.err.println("             MIDWAY_DATA MIDWAY_ADMIN_PASSWORD MIDWAY_AGENT_USER");
            System.err.println("             MIDWAY_AGENT_PASSWORD MIDWAY_INSTANCE_URL MIDWAY_AGENT_NAME MIDWAY_HEARTBEAT_SECONDS");
            System.err.println("             MIDWAY_DEPLOY MIDWAY_LOG_LEVEL MIDWAY_LOG_MAX_SIZE MIDWAY_LOG_MAX_FILES");
            System.err.println("             MIDWAY_HTTP_IDLE_TIMEOUT MIDWAY_HTTP_THREADS");
            System.exit(2);
        }
        try {
            LaunchSettings settings = LaunchSettings.resolve(args[0], home(), System.getenv());
            settings.requirePortsFree();
            configureLogging();
            // Gogo reads etc/gosh_profile relative to this system property.
            System.setProperty("gosh.home", settings.home.toString());
            System.exit(run(settings));
        } catch (LaunchException e) {
            System.err.println("midway: " + e.getMessage());
            System.exit(2);
        }
    }

    static Path home() {
        return Path.of(System.getProperty("midway.home", "."));
    }

    /**
     * Until the logging bundle (io.midway.logging, start level 1) takes over java.util.logging and
     * writes everything to the log file in the data folder, only warnings reach the console.
     */
    private static void configureLogging() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
        // JLine warns that a pipe is no terminal: expected when running as a service.
        JLINE_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    /** Held so that the level set on it is not garbage collected with the logger. */
    private static final java.util.logging.Logger JLINE_LOG = java.util.logging.Logger.getLogger("org.jline");

    static int run(LaunchSettings settings) {
        // The logging bundle sends stray stdout/stderr output to the log file: keep the console.
        java.io.PrintStream console = System.err;
        DataFolder.protect(settings.data).ifPresent(notice -> console.println("midway: " + notice));
        Map<String, String> config = FrameworkConfig.of(settings, System.console() != null);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        Framework framework = factory.newFramework(config);
        try {
            framework.init();
            AutoProcessor.process(config, framework.getBundleContext());
            FrameworkConfig.startOperatorBundlesLast(framework.getBundleContext(), settings.role, System.console() != null);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework), "midway-shutdown"));
            framework.start();
            // The agent's core, protocols and probes have started (level 2) and it connects: its
            // HTTP server, Web Console and shell start now, beside it (on the framework's thread)
            org.osgi.framework.startlevel.FrameworkStartLevel levels =
                    framework.adapt(org.osgi.framework.startlevel.FrameworkStartLevel.class);
            if (levels.getStartLevel() < FrameworkConfig.HTTP_SERVER_START_LEVEL) {
                java.util.concurrent.CountDownLatch raised = new java.util.concurrent.CountDownLatch(1);
                levels.setStartLevel(FrameworkConfig.HTTP_SERVER_START_LEVEL, event -> raised.countDown());
                // "started" below means what it says: the console's port is open
                raised.await(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            console.println("midway: " + settings.role.id() + " started (distribution " + settings.version + "), "
                    + settings.listening() + ", data " + settings.data + ", log "
                    + settings.data.resolve(settings.role.id() + ".log"));
            FrameworkEvent event = framework.waitForStop(0);
            return event.getType() == FrameworkEvent.ERROR ? 1 : exitStatus();
        } catch (BundleException e) {
            console.println("midway: could not start the framework: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * The agent core sets {@value #EXIT_STATUS_PROPERTY} before it stops the framework on the
     * instance's command: 75 for a process restart (a supervisor starts the agent again), 0 for a stop.
     */
    static final String EXIT_STATUS_PROPERTY = "midway.exit.status";

    /** @return the exit status the core asked for when it stopped the framework, else 0 */
    static int exitStatus() {
        String value = System.getProperty(EXIT_STATUS_PROPERTY);
        if (value == null) {
            return 0;
        }
        try {
            int status = Integer.parseInt(value.trim());
            return status >= 0 && status <= 255 ? status : 1;
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static void stop(Framework framework) {
        try {
            if ((framework.getState() & (Framework.STARTING | Framework.ACTIVE)) != 0) {
                framework.stop();
                framework.waitForStop(20_000);
            }
        } catch (BundleException | InterruptedException e) {
            System.err.println("midway: stop failed: " + e);
        }
    }
}
