package io.midway.protocol.jdbc.internal;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.api.protocol.MidwayProtocol;
import io.midway.api.protocol.Protocol;
import io.midway.protocol.jdbc.JdbcDriverInfo;
import io.midway.protocol.jdbc.JdbcProtocol;

/**
 * The {@code jdbc} protocol on the OSGi JDBC service: every {@link DataSourceFactory} service (one
 * per driver bundle) is a driver; a URL goes to the first one whose {@link Driver#acceptsURL}
 * takes it. Driver bundles may come and go at any time.
 */
@Component(service = {JdbcProtocol.class, Protocol.class})
@MidwayProtocol(JdbcProtocol.NAME)
public class DataSourceFactoryJdbcProtocol implements JdbcProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(DataSourceFactoryJdbcProtocol.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Object lock = new Object();
    /** The drivers in the order they are asked: an immutable list, replaced on every change. */
    private volatile List<RegisteredDriver> drivers = List.of();
    /** Order numbers for drivers handed in without service properties. */
    private final AtomicLong handedIn = new AtomicLong(Long.MIN_VALUE / 2);
    private final ExecutorService connecting = Executors.newCachedThreadPool(daemonThreads());

    /** For Declarative Services: the drivers arrive as {@link DataSourceFactory} services. */
    @Activate
    public DataSourceFactoryJdbcProtocol() {
    }

    /**
     * Without OSGi (tests, tools): the protocol with these drivers, e.g.
     * {@code new org.postgresql.osgi.PGDataSourceFactory()} and
     * {@code new org.h2.util.OsgiDataSourceFactory(org.h2.Driver.load())}.
     *
     * @param factories the drivers, asked in this order
     */
    public DataSourceFactoryJdbcProtocol(DataSourceFactory... factories) {
        for (DataSourceFactory factory : factories) {
            addDriver(factory, Map.of());
        }
    }

    @Deactivate
    void deactivate() {
        connecting.shutdownNow();
    }

    /**
     * A driver bundle registered its factory.
     *
     * @param factory the factory
     * @param properties its service properties ({@code osgi.jdbc.driver.name} …)
     */
    @Reference(name = "drivers", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeDriver")
    void addDriver(DataSourceFactory factory, Map<String, Object> properties) {
        RegisteredDriver driver = new RegisteredDriver(factory, properties, handedIn.getAndIncrement());
        synchronized (lock) {
            List<RegisteredDriver> sorted = new ArrayList<>(drivers);
            sorted.add(driver);
            sorted.sort(RegisteredDriver.ORDER);
            drivers = List.copyOf(sorted);
        }
        LOG.info("JDBC driver available: {}", driver.info());
    }

    /**
     * A driver bundle went away.
     *
     * @param factory its factory
     */
    void removeDriver(DataSourceFactory factory) {
        synchronized (lock) {
            List<RegisteredDriver> remaining = new ArrayList<>(drivers);
            for (RegisteredDriver driver : drivers) {
                if (driver.factory == factory) {
                    remaining.remove(driver);
                    drivers = List.copyOf(remaining);
                    LOG.info("JDBC driver gone: {}", driver.info());
                    return;
                }
            }
        }
    }

    @Override
    public List<JdbcDriverInfo> drivers() {
        return drivers.stream().map(RegisteredDriver::info).collect(Collectors.toUnmodifiableList());
    }

    @Override
    public Optional<JdbcDriverInfo> driverFor(String url) {
        return find(url).map(RegisteredDriver::info);
    }

    private Optional<RegisteredDriver> find(String url) {
        if (url == null) {
            return Optional.empty();
        }
        for (RegisteredDriver driver : drivers) {
            if (driver.accepts(url)) {
                return Optional.of(driver);
            }
        }
        return Optional.empty();
    }

    @Override
    public Connection connect(String url, String user, String password, Duration loginTimeout) throws SQLException, InterruptedException {
        if (url == null) {
            throw new IllegalArgumentException("the JDBC URL is missing");
        }
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        if (loginTimeout.isNegative() || loginTimeout.isZero()) {
            throw new IllegalArgumentException("the login timeout must be positive, not " + loginTimeout);
        }
        String shown = JdbcProtocol.display(url);
        RegisteredDriver chosen = find(url).orElseThrow(() -> noDriver(shown));
        Driver driver = chosen.driver();
        long timeoutMs = Math.max(1, loginTimeout.toMillis());
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        if (chosen.knows(url, "connectTimeout")) {
            // PostgreSQL (and others): give up the TCP connect a little after our own deadline
            properties.setProperty("connectTimeout", Long.toString(TimeUnit.MILLISECONDS.toSeconds(timeoutMs) + 1));
        }

        CompletableFuture<Connection> attempt = new CompletableFuture<>();
        try {
            connecting.execute(() -> {
                try {
                    Connection connection = driver.connect(url, properties);
                    if (connection == null) {
                        attempt.completeExceptionally(new SQLException(chosen.info() + " does not take the URL " + shown,
                                SQLSTATE_NO_CONNECTION));
                    } else if (!attempt.complete(connection)) {
                        close(connection); // the caller gave up: too late
                    }
                } catch (Throwable failure) {
                    attempt.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new SQLException("the jdbc protocol is stopping: no new connections", SQLSTATE_NO_CONNECTION);
        }
        long started = System.nanoTime();
        try {
            Connection connection = attempt.get(timeoutMs, TimeUnit.MILLISECONDS);
            LOG.debug("connected to {} with {} in {} ms", shown, chosen.info(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return connection;
        } catch (TimeoutException e) {
            Connection late = giveUp(attempt);
            if (late != null) {
                return late;
            }
            throw new SQLTimeoutException("no connection to " + shown + " within " + timeoutMs + " ms", SQLSTATE_TIMEOUT);
        } catch (InterruptedException e) {
            close(giveUp(attempt));
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException) {
                throw (SQLException) cause;
            }
            throw new SQLException("the driver " + chosen.info() + " failed to connect to " + shown + ": " + cause, SQLSTATE_NO_CONNECTION,
                    cause);
        }
    }

    /**
     * Abandons a connection attempt.
     *
     * @return the connection when the attempt succeeded just before it was abandoned, else {@code null}
     */
    private static Connection giveUp(CompletableFuture<Connection> attempt) {
        if (attempt.cancel(false)) {
            return null;
        }
        try {
            return attempt.getNow(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void close(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("closing an abandoned connection failed: {}", e.toString());
        }
    }

    private SQLException noDriver(String shown) {
        List<JdbcDriverInfo> installed = drivers();
        if (installed.isEmpty()) {
            return new SQLException("no JDBC driver for " + shown + ": no driver is installed on this agent (install a driver bundle "
                    + "that registers an org.osgi.service.jdbc.DataSourceFactory, e.g. org.postgresql.jdbc)", SQLSTATE_NO_CONNECTION);
        }
        return new SQLException("no JDBC driver for " + shown + "; installed drivers: "
                + installed.stream().map(JdbcDriverInfo::toString).collect(Collectors.joining(", ")), SQLSTATE_NO_CONNECTION);
    }

    private static ThreadFactory daemonThreads() {
        return runnable -> {
            Thread thread = new Thread(runnable, "midway-jdbc-connect-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
