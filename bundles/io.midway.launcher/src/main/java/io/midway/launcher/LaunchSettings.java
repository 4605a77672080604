package io.midway.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

/**
 * The launch environment of DESIGN §11, resolved into values: where things are, which port, which
 * passwords. Missing passwords are generated into the data folder (never a default password).
 */
public final class LaunchSettings {

    /** Which process to start. */
    public enum Role {
        /** The instance simulator. */
        INSTANCE("instance", 0),
        /** The agent. */
        AGENT("agent", 8181);

        final String id;
        final int defaultPort;

        Role(String id, int defaultPort) {
            this.id = id;
            this.defaultPort = defaultPort;
        }

        /** @return {@code instance} or {@code agent} */
        public String id() {
            return id;
        }

        static Role of(String text) {
            for (Role r : values()) {
                if (r.id.equals(text)) {
                    return r;
                }
            }
            throw new LaunchException("unknown role '" + text + "': expected 'instance' or 'agent'");
        }
    }

    static final String ADMIN_PASSWORD_FILE = "admin.password";
    static final String AGENT_PASSWORD_FILE = "agent.password";
    /** The agent core's configuration file in etc/, which may hold {@code agent.password}. */
    static final String AGENT_CONFIG_FILE = "io.midway.agent.cfg";
    static final String DEFAULT_AGENT_USER = "mid";

    final Role role;
    final Path home;
    final Path data;
    /**
     * The agent's deploy folder: {@code MIDWAY_DEPLOY}, else {@code <MIDWAY_DATA>/deploy} when
     * {@code MIDWAY_DATA} is set (each agent its own), else the distribution's {@code deploy/}.
     */
    final Path deploy;
    /** Plain HTTP port, or 0 when plain HTTP is off (the instance's default). */
    final int httpPort;
    /** HTTPS port, or 0 when HTTPS is off (the agent's default). */
    final int httpsPort;
    /**
     * Where plain HTTP is served (MIDWAY_HTTP_HOST): the instance's default {@code 127.0.0.1}
     * answers this machine only; another address opens it to other hosts, which still may not send
     * credentials over it.
     */
    final String httpHost;
    /** The operator's HTTPS keystore (MIDWAY_HTTPS_KEYSTORE), or {@code null} for the generated one. */
    final Path httpsKeystore;
    /** PEM file of the authorities whose client certificates identify agents (MIDWAY_HTTPS_CLIENT_CA), or {@code null}. */
    final Path clientCa;
    final String version;
    final String adminPassword;
    final String agentUser;
    final String agentPassword;
    final Map<String, String> env;

    private LaunchSettings(Role role, Path home, Map<String, String> env) {
        this.role = role;
        this.home = home;
        this.env = env;
        this.data = path(env.get("MIDWAY_DATA"), home.resolve("data").resolve(role.id));
        this.deploy = path(env.get("MIDWAY_DEPLOY"), env.get("MIDWAY_DATA") == null || env.get("MIDWAY_DATA").isBlank()
                ? home.resolve("deploy") : data.resolve("deploy"));
        this.httpPort = port("MIDWAY_HTTP_PORT", env.get("MIDWAY_HTTP_PORT"), role.defaultPort);
        this.httpsPort = port("MIDWAY_HTTPS_PORT", env.get("MIDWAY_HTTPS_PORT"),
                role == Role.INSTANCE ? DEFAULT_INSTANCE_HTTPS_PORT : 0);
        // An agent may serve nothing at all (MIDWAY_HTTP_PORT=off: no console, no open port).
        if (httpPort == 0 && httpsPort == 0 && role == Role.INSTANCE) {
            throw new LaunchException("MIDWAY_HTTPS_PORT is off and MIDWAY_HTTP_PORT is not set: the " + role.id
                    + " would serve nothing; keep HTTPS on, or set MIDWAY_HTTP_PORT for plain HTTP");
        }
        this.httpHost = nonEmpty(env.get("MIDWAY_HTTP_HOST"), "127.0.0.1");
        this.httpsKeystore = existingFile("MIDWAY_HTTPS_KEYSTORE", env.get("MIDWAY_HTTPS_KEYSTORE"));
        if (httpsKeystore != null && (env.get("MIDWAY_HTTPS_KEYSTORE_PASSWORD") == null
                || env.get("MIDWAY_HTTPS_KEYSTORE_PASSWORD").isEmpty())) {
            throw new LaunchException("MIDWAY_HTTPS_KEYSTORE is set but MIDWAY_HTTPS_KEYSTORE_PASSWORD is not: "
                    + "give the password of " + httpsKeystore);
        }
        this.clientCa = existingFile("MIDWAY_HTTPS_CLIENT_CA", env.get("MIDWAY_HTTPS_CLIENT_CA"));
        String dbUrl = env.get("MIDWAY_DB_URL");
        if (role == Role.INSTANCE && dbUrl != null && !dbUrl.isBlank() && !dbUrl.trim().startsWith("jdbc:postgresql://")) {
            throw new LaunchException("MIDWAY_DB_URL must name a PostgreSQL database (jdbc:postgresql://host:port/database), "
                    + "not '" + dbUrl.trim() + "'; leave it unset for the embedded H2 database in <data>/db");
        }
        if (clientCa != null && httpsPort == 0) {
            throw new LaunchException("MIDWAY_HTTPS_CLIENT_CA needs HTTPS: client certificates are only presented "
                    + "over TLS; do not turn MIDWAY_HTTPS_PORT off");
        }
        this.version = readVersion();
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new LaunchException("cannot create the data folder " + data + ": " + e.getMessage());
        }
        if (role == Role.AGENT) {
            try {
                Files.createDirectories(deploy);
            } catch (IOException e) {
                throw new LaunchException("cannot create the deploy folder " + deploy + ": " + e.getMessage());
            }
        }
        // On a database server several instance nodes may share the database, and every node must
        // take the same passwords (an agent or an admin goes to any of them): a password made up
        // here would differ from the other nodes'. So there, they are given, never generated.
        boolean sharedDatabase = role == Role.INSTANCE && dbUrl != null && !dbUrl.isBlank();
        this.adminPassword = passwordFromEnvOrFile("MIDWAY_ADMIN_PASSWORD", ADMIN_PASSWORD_FILE, !sharedDatabase);
        this.agentUser = nonEmpty(env.get("MIDWAY_AGENT_USER"), DEFAULT_AGENT_USER);
        this.agentPassword = passwordFromEnvOrFile("MIDWAY_AGENT_PASSWORD", AGENT_PASSWORD_FILE,
                role == Role.INSTANCE && !sharedDatabase);
        if (sharedDatabase && (adminPassword == null || agentPassword == null)) {
            String variable = adminPassword == null ? "MIDWAY_ADMIN_PASSWORD" : "MIDWAY_AGENT_PASSWORD";
            String file = adminPassword == null ? ADMIN_PASSWORD_FILE : AGENT_PASSWORD_FILE;
            throw new LaunchException("no " + (adminPassword == null ? "admin" : "agent") + " password: with "
                    + "MIDWAY_DB_URL every instance node of the database takes the same passwords, so none is "
                    + "generated; set " + variable + " (the same on every node), or copy " + file + " from the "
                    + "data folder of another node to " + data.resolve(file));
        }
        this.agentKeystore = role == Role.AGENT
                ? existingFile("MIDWAY_AGENT_KEYSTORE", env.get("MIDWAY_AGENT_KEYSTORE")) : null;
        if (agentPassword == null && agentKeystore == null && !(role == Role.AGENT && configuredAgentPassword(home))) {
            throw new LaunchException("no agent password: set MIDWAY_AGENT_PASSWORD to the password of user '"
                    + agentUser + "' on the instance (the instance writes a generated one to <its data>/"
                    + AGENT_PASSWORD_FILE + "), put it in " + data.resolve(AGENT_PASSWORD_FILE)
                    + ", or set agent.password in " + home.resolve("etc").resolve(AGENT_CONFIG_FILE)
                    + " (best encrypted: mid:encrypt prints the encrypted: form), or give the agent a client "
                    + "certificate the instance trusts with MIDWAY_AGENT_KEYSTORE");
        }
    }

    /** The instance's HTTPS port when MIDWAY_HTTPS_PORT is not set. */
    static final int DEFAULT_INSTANCE_HTTPS_PORT = 8443;
    /** The agent's instance URL when neither MIDWAY_INSTANCE_URL nor etc/ set one. */
    static final String DEFAULT_INSTANCE_URL = "https://localhost:" + DEFAULT_INSTANCE_HTTPS_PORT;

    /** The agent's client certificate for mutual TLS (MIDWAY_AGENT_KEYSTORE), or {@code null}. */
    final Path agentKeystore;

    /**
     * @return the certificate the agent trusts for the instance: MIDWAY_INSTANCE_CERT, else the
     *     certificate the instance of this distribution generates ({@code data/instance/tls/instance.crt},
     *     which may appear only once that instance has started), else {@code null}
     */
    String instanceCertificate() {
        String given = env.get("MIDWAY_INSTANCE_CERT");
        if (given != null && !given.isBlank()) {
            return Path.of(given.trim()).toAbsolutePath().normalize().toString();
        }
        return home.resolve("data").resolve(Role.INSTANCE.id).resolve(SelfSignedCertificate.FOLDER)
                .resolve(SelfSignedCertificate.CERTIFICATE).toString();
    }

    /** @return what this process serves, for the start line: {@code HTTPS port 8443, plain HTTP off} */
    String listening() {
        String https = httpsPort > 0 ? "HTTPS port " + httpsPort + (clientCa != null ? " (client certificates of "
                + clientCa.getFileName() + ")" : "") : "HTTPS off";
        String plain = httpPort == 0 ? "plain HTTP off"
                : "plain HTTP port " + httpPort + (role == Role.AGENT
                        ? (env.get("MIDWAY_AGENT_HTTP_HOST") == null || env.get("MIDWAY_AGENT_HTTP_HOST").isBlank()
                                ? " on 127.0.0.1" : " on " + env.get("MIDWAY_AGENT_HTTP_HOST").trim())
                        : plainHttpForOtherHosts() ? " (open to other hosts, without credentials)" : " for this machine only");
        return role == Role.AGENT && httpsPort == 0 ? plain : https + ", " + plain;
    }

    /** @return whether plain HTTP is opened to other hosts (MIDWAY_HTTP_HOST not a loopback address) */
    boolean plainHttpForOtherHosts() {
        return httpPort > 0 && !io.midway.wire.Loopback.isLoopback(httpHost);
    }

    private static Path existingFile(String variable, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Path file = Path.of(value.trim()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new LaunchException(variable + " names " + file + ", which is not a readable file");
        }
        return file;
    }

    /**
     * @param role {@code instance} or {@code agent}
     * @param home the distribution folder
     * @param env the process environment
     * @return the resolved settings; passwords generated and written where missing
     * @throws LaunchException when a setting is invalid, with a message for the user
     */
    public static LaunchSettings resolve(String role, Path home, Map<String, String> env) {
        return new LaunchSettings(Role.of(role), home.toAbsolutePath().normalize(), env);
    }

    /**
     * Fails with a clear message when a port this process is to serve is taken, instead of the
     * stack traces Jetty logs deep inside the start.
     */
    void requirePortsFree() {
        if (httpPort > 0) {
            requireFree(httpPort, "MIDWAY_HTTP_PORT");
        }
        if (httpsPort > 0) {
            requireFree(httpsPort, "MIDWAY_HTTPS_PORT");
        }
    }

    private static void requireFree(int port, String variable) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(port));
        } catch (IOException e) {
            throw new LaunchException("port " + port + " is already in use (is another Midway process running?): "
                    + "stop it, or choose another port with " + variable);
        }
    }

    /** @return the agent name from MIDWAY_AGENT_NAME or the host name */
    String agentName() {
        String name = env.get("MIDWAY_AGENT_NAME");
        if (name != null && !name.isBlank()) {
            return name.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** @return the instance URL the agent talks to */
    String instanceUrl() {
        return nonEmpty(env.get("MIDWAY_INSTANCE_URL"), DEFAULT_INSTANCE_URL);
    }

    private String passwordFromEnvOrFile(String variable, String fileName, boolean generate) {
        String fromEnv = env.get(variable);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        Path file = data.resolve(fileName);
        try {
            if (Files.isRegularFile(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
            }
            if (!generate) {
                return null;
            }
            String generated = generatePassword();
            Path tmp = Files.createTempFile(data, fileName, ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the folder's own protection applies
            }
            Files.writeString(tmp, generated + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return generated;
        } catch (IOException e) {
            throw new LaunchException("cannot read or write " + file + ": " + e.getMessage());
        }
    }

    static String generatePassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Path path(String value, Path fallback) {
        return value == null || value.isBlank() ? fallback : Path.of(value).toAbsolutePath().normalize();
    }

    private static int port(String variable, String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (value.trim().equalsIgnoreCase("off")) {
            return 0;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new LaunchException(variable + " must be a port number from 1 to 65535 (or off), not '" + value + "'");
        }
    }

    private static String nonEmpty(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static String readVersion() {
        try (InputStream in = LaunchSettings.class.getResourceAsStream("midway.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "0.0.0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether etc/io.midway.agent.cfg sets a non-empty agent.password (plain or encrypted:) */
    static boolean configuredAgentPassword(Path home) {
        Path cfg = home.resolve("etc").resolve(AGENT_CONFIG_FILE);
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader in = Files.newBufferedReader(cfg, java.nio.charset.StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            return false;
        }
        String value = p.getProperty("agent.password");
        return value != null && !value.isBlank();
    }
}
