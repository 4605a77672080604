package io.midway.protocol.jdbc.internal;

import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.protocol.jdbc.JdbcDriverInfo;

/**
 * One {@link DataSourceFactory} service with what its properties say about the driver, and the
 * {@link Driver} it makes (once, on first use).
 */
final class RegisteredDriver {

    /** Highest service ranking first, then the oldest service. */
    static final Comparator<RegisteredDriver> ORDER = Comparator.comparingInt((RegisteredDriver d) -> d.ranking).reversed()
            .thenComparingLong(d -> d.serviceId);

    private static final Logger LOG = LoggerFactory.getLogger(RegisteredDriver.class);

    final DataSourceFactory factory;
    final int ranking;
    final long serviceId;
    private final Map<String, ?> properties;
    private JdbcDriverInfo info;
    private Driver driver;
    private Set<String> propertyNames;

    RegisteredDriver(DataSourceFactory factory, Map<String, ?> properties, long fallbackId) {
        this.factory = factory;
        this.properties = properties;
        Object ranking = properties.get("service.ranking");
        this.ranking = ranking instanceof Integer ? (Integer) ranking : 0;
        Object id = properties.get("service.id");
        this.serviceId = id instanceof Long ? (Long) id : fallbackId;
    }

    /**
     * @return the driver's description: from the service properties, else from the driver itself
     */
    synchronized JdbcDriverInfo info() {
        if (info == null) {
            String name = text(DataSourceFactory.OSGI_JDBC_DRIVER_NAME);
            String version = text(DataSourceFactory.OSGI_JDBC_DRIVER_VERSION);
            String driverClass = text(DataSourceFactory.OSGI_JDBC_DRIVER_CLASS);
            if (name.isEmpty() || version.isEmpty() || driverClass.isEmpty()) {
                try {
                    Driver made = driver();
                    driverClass = driverClass.isEmpty() ? made.getClass().getName() : driverClass;
                    String implementation = made.getClass().getPackage() == null ? null
                            : made.getClass().getPackage().getImplementationVersion();
                    if (version.isEmpty()) {
                        version = implementation != null ? implementation : made.getMajorVersion() + "." + made.getMinorVersion();
                    }
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("{} cannot make a driver: {}", factory.getClass().getName(), e.toString());
                }
                name = name.isEmpty() ? (driverClass.isEmpty() ? factory.getClass().getName() : driverClass) : name;
            }
            info = new JdbcDriverInfo(name, version, driverClass);
        }
        return info;
    }

    /**
     * @return the factory's {@link Driver}, made on first call
     * @throws SQLException when the factory cannot make one
     */
    synchronized Driver driver() throws SQLException {
        if (driver == null) {
            Driver made = factory.createDriver(null);
            if (made == null) {
                throw new SQLException("the DataSourceFactory " + factory.getClass().getName() + " made no driver");
            }
            driver = made;
        }
        return driver;
    }

    /**
     * @param url a JDBC URL
     * @return whether this driver takes the URL
     */
    boolean accepts(String url) {
        try {
            return driver().acceptsURL(url);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("{} cannot tell whether it accepts a URL: {}", info(), e.toString());
            return false;
        }
    }

    /**
     * @param url a JDBC URL the driver accepts
     * @param property a connection property name, e.g. {@code connectTimeout}
     * @return whether the driver lists that property among its connection properties
     */
    synchronized boolean knows(String url, String property) {
        if (propertyNames == null) {
            Set<String> names = new HashSet<>();
            try {
                DriverPropertyInfo[] known = driver().getPropertyInfo(url, new Properties());
                if (known != null) {
                    for (DriverPropertyInfo one : known) {
                        names.add(one.name);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("{} does not list its connection properties: {}", info(), e.toString());
            }
            propertyNames = names;
        }
        return propertyNames.contains(property);
    }

    private String text(String property) {
        Object value = properties.get(property);
        return value == null ? "" : String.valueOf(value).trim();
    }

    @Override
    public String toString() {
        return info().toString();
    }
}
