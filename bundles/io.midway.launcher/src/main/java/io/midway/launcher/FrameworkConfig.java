package io.midway.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Turns {@link LaunchSettings} into the Felix framework configuration. */
final class FrameworkConfig {

    /** Seconds without progress after which the HTTP server closes a connection (MIDWAY_HTTP_IDLE_TIMEOUT). */
    static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 20;
    /** The most HTTP server threads (MIDWAY_HTTP_THREADS) of the instance. */
    static final int DEFAULT_HTTP_THREADS = 256;
    /**
     * The most HTTP server threads (MIDWAY_HTTP_THREADS) of the agent, whose server only serves its
     * own console to an operator or two: Jetty keeps this many threads (at most 8) even when idle.
     */
    static final int DEFAULT_AGENT_HTTP_THREADS = 4;

    /** The start level of the HTTP server bundle: after every other bundle (level 2). */
    static final int HTTP_SERVER_START_LEVEL = 3;
    /** The HTTP server bundle (Felix HTTP on Jetty 12). */
    static final String HTTP_SERVER_BUNDLE = "org.apache.felix.http.jetty12";
    /**
     * The agent's bundles an operator uses but that it does not need to take work: its HTTP
     * server, Web Console and shell, the MetaType and Event Admin services they use. They start at
     * {@link #HTTP_SERVER_START_LEVEL}, once the core, the protocols and the probes (level 2) have
     * started and the agent is connecting.
     */
    static final java.util.Set<String> AGENT_OPERATOR_BUNDLES = java.util.Set.of(HTTP_SERVER_BUNDLE,
            "org.apache.felix.webconsole", "org.apache.felix.webconsole.plugins.ds", "org.apache.felix.inventory",
            "io.midway.agent.console", "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.jline",
            "org.apache.felix.gogo.command", "org.jline", "org.apache.felix.metatype", "org.apache.felix.eventadmin");

    private FrameworkConfig() {
    }

    /**
     * Puts the HTTP server bundle at {@link #HTTP_SERVER_START_LEVEL}, after the bundles that
     * register servlets, filters and the API's start-up answers (503 while starting): the port
     * opens with them in place. On the agent the Web Console and the shell go there too
     * ({@link #AGENT_OPERATOR_BUNDLES}): the framework reaches level 2 (core, protocols, probes), the
     * agent connects, and the launcher then raises the level while it does. Done at every start
     * (the level is kept in the bundle cache).
     *
     * @param context the system bundle's context, before the framework starts
     * @param role the role
     */
    static void startOperatorBundlesLast(org.osgi.framework.BundleContext context, LaunchSettings.Role role,
            boolean interactive) {
        java.util.Set<String> last = role == LaunchSettings.Role.AGENT ? AGENT_OPERATOR_BUNDLES
                : java.util.Set.of(HTTP_SERVER_BUNDLE);
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if (last.contains(b.getSymbolicName())) {
                int level = HTTP_SERVER_START_LEVEL;
                if (role == LaunchSettings.Role.AGENT && !interactive && GOGO_SHELL_BUNDLE.equals(b.getSymbolicName())) {
                    // No terminal, no shell: an agent run as a service does not start the Gogo shell
                    // session (its profile alone leaves ten threads for a minute); the command
                    // bundles stay, for the Web Console and a later interactive start
                    level = HTTP_SERVER_START_LEVEL + 1;
                }
                b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class).setStartLevel(level);
            }
        }
    }

    /** The bundle that runs the Gogo shell on the terminal. */
    static final String GOGO_SHELL_BUNDLE = "org.apache.felix.gogo.jline";

    /**
     * @param role the role
     * @return the start level {@code Framework.start()} reaches: the instance's last one (its port
     *     opens with everything in place); the agent's level 2, the launcher raising it afterwards
     */
    static int beginningStartLevel(LaunchSettings.Role role) {
        return role == LaunchSettings.Role.AGENT ? HTTP_SERVER_START_LEVEL - 1 : HTTP_SERVER_START_LEVEL;
    }

    /**
     * @param s the resolved settings
     * @param interactive whether stdin/stdout is a terminal (then Gogo offers a prompt)
     * @return the framework properties, secrets included (they never become system properties)
     */
    static Map<String, String> of(LaunchSettings s, boolean interactive) {
        Map<String, String> c = new LinkedHashMap<>();
        Path system = s.home.resolve("system");
        c.put("org.osgi.framework.storage", s.data.resolve("cache").toString());
        c.put("org.osgi.framework.storage.clean", "none");
        // Bundles of the run configuration: installed from the folder on first start only, so
        // that bundles updated at run time keep their new version across restarts.
        c.put("felix.auto.deploy.dir", system.resolve(s.role.id).toString());
        c.put("felix.auto.deploy.action", "install,start");
        c.put("felix.auto.start.1", bootBundles(system.resolve("boot")));
        c.put("felix.startlevel.bundle", "2");
        // The HTTP server starts last (HTTP_SERVER_START_LEVEL): its port opens once the servlets and
        // guards are registered, so a client never meets a bare 404 from a server still starting.
        c.put("org.osgi.framework.startlevel.beginning", Integer.toString(beginningStartLevel(s.role)));
        c.put("felix.log.level", "1");
        c.put("felix.shutdown.hook", "false");

        // Plain HTTP: the agent's console on 8181 (loopback unless MIDWAY_AGENT_HTTP_HOST); the
        // instance's only when MIDWAY_HTTP_PORT is set, for this machine unless MIDWAY_HTTP_HOST
        // opens it (TransportGuard refuses other hosts and any credentials they send over it).
        c.put("org.apache.felix.http.enable", Boolean.toString(s.httpPort > 0));
        if (s.httpPort > 0) {
            c.put("org.osgi.service.http.port", Integer.toString(s.httpPort));
        }
        if (s.role == LaunchSettings.Role.AGENT) {
            // The agent is an outbound-only gateway: its own console listens on loopback unless
            // MIDWAY_AGENT_HTTP_HOST says otherwise (e.g. 0.0.0.0 to reach it from the network).
            String host = s.env.get("MIDWAY_AGENT_HTTP_HOST");
            c.put("org.apache.felix.http.host", host == null || host.isBlank() ? "127.0.0.1" : host.trim());
        } else if (s.httpsPort == 0) {
            // Plain HTTP only: bound where MIDWAY_HTTP_HOST says (loopback by default). With HTTPS on,
            // Jetty binds both connectors to every interface and TransportGuard keeps plain HTTP local.
            c.put("org.apache.felix.http.host", s.httpHost);
        }
        c.put("midway.http.plain.remote", Boolean.toString(s.role == LaunchSettings.Role.INSTANCE
                ? s.plainHttpForOtherHosts() : false));
        if (s.httpsPort > 0) {
            c.put("org.apache.felix.https.enable", "true");
            c.put("org.osgi.service.http.port.secure", Integer.toString(s.httpsPort));
            c.put("midway.https.port", Integer.toString(s.httpsPort));
            if (s.httpsKeystore != null) {
                String name = s.httpsKeystore.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                c.put("org.apache.felix.https.keystore", s.httpsKeystore.toString());
                c.put("org.apache.felix.https.keystore.type", name.endsWith(".jks") ? "JKS" : "PKCS12");
                c.put("org.apache.felix.https.keystore.password", s.env.get("MIDWAY_HTTPS_KEYSTORE_PASSWORD"));
                c.put("org.apache.felix.https.keystore.key.password", s.env.getOrDefault(
                        "MIDWAY_HTTPS_KEY_PASSWORD", s.env.get("MIDWAY_HTTPS_KEYSTORE_PASSWORD")));
            } else {
                SelfSignedCertificate tls = SelfSignedCertificate.ensure(s.data);
                c.put("org.apache.felix.https.keystore", tls.keystore.toString());
                c.put("org.apache.felix.https.keystore.type", "PKCS12");
                c.put("org.apache.felix.https.keystore.password", tls.password);
                c.put("org.apache.felix.https.keystore.key.password", tls.password);
            }
            if (s.clientCa != null) {
                // Mutual TLS: a client certificate signed by one of these authorities identifies an
                // agent (its CN is the agent's name); clients without one log in with a password.
                SelfSignedCertificate clients = SelfSignedCertificate.clientAuthorities(s.data, s.clientCa);
                c.put("org.apache.felix.https.truststore", clients.keystore.toString());
                c.put("org.apache.felix.https.truststore.type", "PKCS12");
                c.put("org.apache.felix.https.truststore.password", clients.password);
                c.put("org.apache.felix.https.clientcertificate", "wants");
                c.put("midway.https.client.certificates", "true");
            }
        } else {
            c.put("org.apache.felix.https.enable", "false");
        }
        c.put("org.apache.felix.http.name", "Midway " + s.role.id);
        // Limits of the HTTP server (Felix HTTP Jetty 12, JettyConfig): a connection with no
        // progress for the idle timeout is closed, which cuts a stalled request body (the
        // instance's RequestLimitFilter cuts a trickling one, and bounds what one caller holds);
        // asynchronous long polls do no I/O while they wait and are not cut.
        c.put("org.apache.felix.http.timeout", Long.toString(
                1000L * positive(s.env, "MIDWAY_HTTP_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT_SECONDS)));
        boolean agent = s.role == LaunchSettings.Role.AGENT;
        c.put("org.apache.felix.http.jetty.threadpool.max", Integer.toString(positive(s.env, "MIDWAY_HTTP_THREADS",
                agent ? DEFAULT_AGENT_HTTP_THREADS : DEFAULT_HTTP_THREADS)));
        if (agent) {
            // An idle agent keeps few threads (BENCHMARKS.md, agent_idle_threads): one acceptor and
            // one selector for its console, two for asynchronous events (Event Admin's default is
            // 20), and bundles resolved on the framework's own thread
            c.put("org.apache.felix.http.jetty.acceptors", "1");
            c.put("org.apache.felix.http.jetty.selectors", "1");
            c.put("org.apache.felix.eventadmin.ThreadPoolSize", "2");
            c.put("felix.resolver.parallelism", "1");
        }

        c.put("felix.webconsole.username", "admin");
        c.put("felix.webconsole.password", s.adminPassword);
        c.put("felix.webconsole.realm", "Midway " + s.role.id);

        if (!interactive) {
            c.put("gosh.args", "--nointeractive");
        }
        c.put("gosh.home", s.home.toString());

        c.put("felix.fileinstall.dir", s.home.resolve("etc").toString());
        c.put("felix.fileinstall.filter", s.role == LaunchSettings.Role.AGENT
                ? "(?!io\\.midway\\.instance).*\\.cfg"
                : "io\\.midway\\.instance.*\\.cfg");
        // etc/ is read every second on the instance, every 2 s on the agent (an idle agent's
        // cost), by polling only: no NIO2 watch service, whose thread FileInstall adds to the poll
        c.put("felix.fileinstall.poll", agent ? "2000" : "1000");
        c.put("felix.fileinstall.disableNio2", "true");
        // FileInstall and Config Admin start at level 1: the first scan of etc/ (configuration
        // files only) runs while FileInstall starts, so components at level 2 start configured.
        c.put("felix.fileinstall.noInitialDelay", "true");
        c.put("felix.fileinstall.enableConfigSave", "false");
        c.put("felix.fileinstall.log.level", "2");

        c.put("midway.home", s.home.toString());
        c.put("midway.data", s.data.toString());
        c.put("midway.role", s.role.id);
        c.put("midway.version", s.version);
        if (s.role == LaunchSettings.Role.AGENT) {
            // The agent core watches its own deploy folder (io.midway.agent, package deploy).
            c.put("midway.deploy", s.deploy.toString());
        }
        // The log file <data>/<role>.log (io.midway.logging): level, size and count of rotated files.
        putIfSet(c, "midway.log.level", s.env.get("MIDWAY_LOG_LEVEL"));
        putIfSet(c, "midway.log.max.size", s.env.get("MIDWAY_LOG_MAX_SIZE"));
        putIfSet(c, "midway.log.max.files", s.env.get("MIDWAY_LOG_MAX_FILES"));
        c.put("midway.admin.password", s.adminPassword);
        if (s.role == LaunchSettings.Role.INSTANCE) {
            c.put("midway.agent.user", s.agentUser);
        }
        if (s.agentPassword != null) {
            c.put("midway.agent.password", s.agentPassword);
        }
        if (s.role == LaunchSettings.Role.INSTANCE) {
            putIfSet(c, "midway.heartbeat.seconds", s.env.get("MIDWAY_HEARTBEAT_SECONDS"));
            // The database: the embedded H2 in <data>/db unless MIDWAY_DB_URL names a PostgreSQL one.
            putIfSet(c, "midway.db.url", s.env.get("MIDWAY_DB_URL"));
            putIfSet(c, "midway.db.user", s.env.get("MIDWAY_DB_USER"));
            putIfSet(c, "midway.db.password", s.env.get("MIDWAY_DB_PASSWORD"));
            // Agents older than enrollment log in as the shared user; true lets them act for agents
            // without an identity of their own until they are upgraded (DESIGN §13).
            putIfSet(c, "midway.agent.shared.legacy", s.env.get("MIDWAY_AGENT_SHARED_LEGACY"));
        } else {
            putIfSet(c, "midway.instance.url", s.env.get("MIDWAY_INSTANCE_URL"));
            putIfSet(c, "midway.agent.name", s.env.get("MIDWAY_AGENT_NAME"));
            putIfSet(c, "midway.agent.user", s.env.get("MIDWAY_AGENT_USER"));
            c.put("midway.instance.cert", s.instanceCertificate());
            putIfSet(c, "midway.agent.keystore", s.agentKeystore == null ? null : s.agentKeystore.toString());
            putIfSet(c, "midway.agent.keystore.password", s.env.get("MIDWAY_AGENT_KEYSTORE_PASSWORD"));
            putIfSet(c, "midway.upgrade.health.seconds", s.env.get("MIDWAY_UPGRADE_HEALTH_SECONDS"));
        }
        return c;
    }

    private static int positive(Map<String, String> env, String variable, int fallback) {
        String value = env.get(variable);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new LaunchException(variable + " must be a whole number above 0, not '" + value + "'");
        }
    }

    private static void putIfSet(Map<String, String> c, String key, String value) {
        if (value != null && !value.isBlank()) {
            c.put(key, value.trim());
        }
    }

    /** @return the URIs of the start-level-1 bundles (logging), space separated */
    static String bootBundles(Path boot) {
        if (!Files.isDirectory(boot)) {
            return "";
        }
        try (Stream<Path> files = Files.list(boot)) {
            List<String> uris = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .map(f -> f.toUri().toString())
                    .collect(Collectors.toList());
            return String.join(" ", uris);
        } catch (IOException e) {
            throw new LaunchException("cannot list " + boot + ": " + e.getMessage());
        }
    }
}
