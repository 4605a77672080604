package io.midway.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test: {@code initdb} into its own temporary folder with a random
 * superuser password (SCRAM-SHA-256 over TCP), {@code postgres} on 127.0.0.1 and a free port, and a
 * database {@code midway}. Starts in one to two seconds.
 *
 * <pre>
 * try (PostgresServer pg = PostgresServer.start()) {
 *     pg.execute("CREATE TABLE host (name text)", "INSERT INTO host VALUES ('db01')");
 *     connect(pg.jdbcUrl(), pg.user(), pg.password());
 * }
 * </pre>
 *
 * <p>PostgreSQL refuses to run as root: when the JVM runs as root, the folder is given to the
 * {@code postgres} user (or {@code nobody}) and every step runs through {@code runuser -u}. The
 * SQL helpers ({@link #execute}, {@link #query}, {@link #connect}) need the PostgreSQL JDBC driver
 * ({@code org.postgresql:postgresql}) on the class path; this module depends on it.
 */
public final class PostgresServer extends ExternalServer {

    /** The database made for the tests. */
    public static final String DATABASE = "midway";

    /** The superuser's name. */
    public static final String SUPERUSER = "postgres";

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int port;
    private final String password;
    private final Path data;
    private final String runAs;

    private PostgresServer() {
        super("PostgreSQL");
        this.port = freeTcpPort();
        this.password = randomPassword();
        this.data = folder().resolve("data");
        this.runAs = runningAsRoot() ? serviceUser() : null;
    }

    /**
     * Initialises and starts a server, and creates the database {@value #DATABASE}.
     *
     * @return the running server; close it to stop it and remove its files
     * @throws IllegalStateException when PostgreSQL is not installed (naming the package) or does
     *     not start, with its log
     */
    public static PostgresServer start() {
        return start(false);
    }

    /**
     * Starts a server as {@link #start()} does, with PostgreSQL's own durability: {@code fsync},
     * {@code synchronous_commit} and {@code full_page_writes} on, default {@code shared_buffers}
     * (for benchmarks; the tests' servers turn them off, which makes commits cheap).
     *
     * @return the running server; close it to stop it and remove its files
     */
    public static PostgresServer startDurable() {
        return start(true);
    }

    private static PostgresServer start(boolean durable) {
        Path initdb = ExternalServer.binary("initdb");
        Path postgres = initdb.resolveSibling("postgres");
        if (!Files.isExecutable(postgres)) {
            postgres = ExternalServer.binary("postgres");
        }
        PostgresServer server = new PostgresServer();
        try {
            server.initialise(initdb);
            server.run(postgres, durable);
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** @return the TCP port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return {@code jdbc:postgresql://127.0.0.1:<port>/midway} */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    /**
     * @param database a database name
     * @return the JDBC URL of that database on this server
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /** @return the superuser's name, {@value #SUPERUSER} */
    public String user() {
        return SUPERUSER;
    }

    /** @return the superuser's random password (a secret of this test server) */
    public String password() {
        return password;
    }

    /**
     * Opens a connection to {@value #DATABASE} as the superuser (auto-commit on).
     *
     * @return the connection; close it
     * @throws SQLException when it cannot connect
     */
    public Connection connect() throws SQLException {
        return connect(DATABASE);
    }

    private Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", SUPERUSER);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /**
     * Runs statements as the superuser in {@value #DATABASE}, for test set-up, e.g.
     * {@code execute("CREATE ROLE reader LOGIN PASSWORD 'x'", "GRANT SELECT ON host TO reader")}.
     *
     * @param statements SQL statements, run in order with auto-commit
     * @throws IllegalStateException when one fails, with the server's message
     */
    public void execute(String... statements) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    throw new IllegalStateException("PostgreSQL set-up statement failed: " + sql + ": " + e.getMessage(), e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + jdbcUrl() + " as " + SUPERUSER + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs a query as the superuser in {@value #DATABASE}, for checks in tests.
     *
     * @param sql a query
     * @return its rows, each a list of the column values as {@link ResultSet#getObject(int)} gives them
     * @throws IllegalStateException when it fails
     */
    public List<List<Object>> query(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            ResultSetMetaData meta = rows.getMetaData();
            List<List<Object>> result = new ArrayList<>();
            while (rows.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.add(rows.getObject(i));
                }
                result.add(row);
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    private void initialise(Path initdb) {
        try {
            Path passwordFile = folder().resolve("superuser.pw");
            Files.write(passwordFile, password.getBytes(StandardCharsets.UTF_8));
            handOver(folder());
            runToCompletion(STEP_TIMEOUT, asServiceUser(List.of(initdb.toString(), "-D", data.toString(), "--username=" + SUPERUSER,
                    "--pwfile=" + passwordFile, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync",
                    "--no-instructions")));
            Files.delete(passwordFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings of a test server: no flush to disk (a test's data is thrown away), small buffers. */
    public static final List<String> TEST_SETTINGS = List.of("fsync=off", "synchronous_commit=off",
            "full_page_writes=off", "shared_buffers=16MB");

    private void run(Path postgres, boolean durable) {
        // max_connections: the instance's tests run two instance nodes at once on one server, each
        // with a pool of up to 16 connections and a listener of its own, beside the tests' own.
        List<String> command = new ArrayList<>(List.of(postgres.toString(), "-D", data.toString(), "-k",
                folder().toString(), "-c", "listen_addresses=" + HOST, "-p", Integer.toString(port),
                "-c", "max_connections=150"));
        if (!durable) {
            for (String setting : TEST_SETTINGS) {
                command.add("-c");
                command.add(setting);
            }
        }
        startProcess(asServiceUser(command));
        awaitReady(READY_TIMEOUT, "accepting connections on " + HOST + ":" + port, this::acceptsLogins);
        execute("postgres", "CREATE DATABASE " + DATABASE);
    }

    private void execute(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL set-up statement failed: " + sql + ": " + e.getMessage() + "\n" + logText(), e);
        }
    }

    private boolean acceptsLogins() {
        if (!accepts(port)) {
            return false;
        }
        try (Connection connection = connect("postgres")) {
            return connection.isValid(2);
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("No suitable driver")) {
                throw new IllegalStateException("PostgresServer needs the PostgreSQL JDBC driver (org.postgresql:postgresql) on the "
                        + "class path", e);
            }
            return false; // still starting up
        }
    }

    /**
     * Stops the server with a fast shutdown (SIGINT to the postmaster: open sessions are ended),
     * then removes its folder.
     */
    @Override
    public void close() {
        Optional<ProcessHandle> postmaster = postmaster();
        if (postmaster.isPresent()) {
            try {
                runToCompletion(Duration.ofSeconds(10), List.of(ExternalServer.binary("kill").toString(), "-INT", Long.toString(postmaster.get().pid())));
                postmaster.get().onExit().get(15, TimeUnit.SECONDS);
            } catch (RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // super.close() below ends what is left
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.close();
    }

    /** @return the postmaster's process, from {@code postmaster.pid}, when it runs */
    private Optional<ProcessHandle> postmaster() {
        Path pidFile = data.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private List<String> asServiceUser(List<String> command) {
        if (runAs == null) {
            return command;
        }
        List<String> wrapped = new ArrayList<>();
        wrapped.add(ExternalServer.binary("runuser").toString());
        wrapped.add("-u");
        wrapped.add(runAs);
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives the folder (recursively) to the user PostgreSQL runs as, when running as root. */
    private void handOver(Path path) {
        if (runAs == null) {
            return;
        }
        runToCompletion(STEP_TIMEOUT, List.of(ExternalServer.binary("chown").toString(), "-R", runAs, path.toString()));
    }

    /** @return {@code postgres} when that user exists, else {@code nobody} */
    private String serviceUser() {
        try {
            for (String line : Files.readAllLines(Paths.get("/etc/passwd"), StandardCharsets.UTF_8)) {
                if (line.startsWith("postgres:")) {
                    return "postgres";
                }
            }
        } catch (IOException e) {
            // fall back to nobody
        }
        return "nobody";
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return "pg-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "PostgresServer[" + jdbcUrl() + "]";
    }
}
