package io.midway.protocol.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import io.midway.api.protocol.Protocol;

/**
 * The {@code jdbc} protocol: opens database connections through the JDBC drivers installed in the
 * agent. Drivers are bundles that register an {@code org.osgi.service.jdbc.DataSourceFactory}
 * service (the PostgreSQL driver {@code org.postgresql.jdbc} and H2 {@code com.h2database} do);
 * a driver bundle started or stopped at run time is used, or no longer used, at once.
 *
 * <pre>
 * &#64;Reference JdbcProtocol jdbc;
 *
 * try (Connection db = jdbc.connect("jdbc:postgresql://db01:5432/cmdb", user, password, Duration.ofSeconds(10))) {
 *     ...
 * }
 * </pre>
 *
 * <p>Messages of this service never contain a password; they show URLs as
 * {@link #display(String)} does. Implementations are thread-safe.
 */
@ProviderType
public interface JdbcProtocol extends Protocol {

    /** The protocol's name, the value of {@value Protocol#NAME_PROPERTY}. */
    String NAME = "jdbc";

    /** SQLState of a failure to connect, here "no driver for the URL" (as {@code DriverManager} uses it). */
    String SQLSTATE_NO_CONNECTION = "08001";

    /** SQLState of a timeout ("timeout expired"). */
    String SQLSTATE_TIMEOUT = "HYT00";

    /**
     * Opens a connection with the first installed driver (by service ranking) that accepts the URL.
     *
     * @param url a JDBC URL, e.g. {@code jdbc:postgresql://db01:5432/cmdb} or {@code jdbc:h2:mem:test}
     * @param user the user name, or {@code null} to give none (e.g. embedded H2)
     * @param password the password, or {@code null} to give none; never logged or shown
     * @param loginTimeout how long connecting may take, positive
     * @return an open connection, in the driver's defaults (auto-commit on); the caller closes it
     * @throws SQLException with SQLState {@value #SQLSTATE_NO_CONNECTION} when no installed driver
     *     accepts the URL (the message lists the installed drivers);
     *     {@link java.sql.SQLTimeoutException} with SQLState {@value #SQLSTATE_TIMEOUT} when there
     *     is no connection within the login timeout; otherwise the driver's own exception (e.g.
     *     PostgreSQL's {@code 28P01} for a wrong password, {@code 08001} for a refused connection)
     * @throws InterruptedException when the calling thread is interrupted; the attempt is
     *     abandoned (a connection it still makes is closed)
     * @throws IllegalArgumentException when the URL is {@code null} or the timeout not positive
     */
    Connection connect(String url, String user, String password, Duration loginTimeout) throws SQLException, InterruptedException;

    /**
     * @return the installed drivers, in the order they are asked whether they accept a URL
     */
    List<JdbcDriverInfo> drivers();

    /**
     * @param url a JDBC URL
     * @return the installed driver that would be used for it, or empty when none accepts it
     */
    Optional<JdbcDriverInfo> driverFor(String url);

    /**
     * A JDBC URL as it may be shown in messages and logs: without a user-info part
     * ({@code //user:password@host}), URL parameters ({@code ?…}) or settings ({@code ;…}), any of
     * which may hold a password.
     *
     * @param url a JDBC URL, or {@code null}
     * @return e.g. {@code jdbc:postgresql://db01:5432/cmdb} for
     *     {@code jdbc:postgresql://db01:5432/cmdb?password=x}
     */
    static String display(String url) {
        if (url == null) {
            return "null";
        }
        String text = url.trim();
        int cut = text.length();
        for (char separator : new char[] {'?', ';', '&'}) {
            int at = text.indexOf(separator);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        text = text.substring(0, cut);
        return text.replaceFirst("//[^/@]*@", "//");
    }
}
