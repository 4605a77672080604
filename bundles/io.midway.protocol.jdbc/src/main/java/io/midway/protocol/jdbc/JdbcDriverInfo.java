package io.midway.protocol.jdbc;

import java.util.Objects;

/**
 * One JDBC driver installed in the agent, as its {@code DataSourceFactory} service describes it.
 *
 * @param name the driver's name ({@code osgi.jdbc.driver.name}), e.g. {@code PostgreSQL JDBC Driver}
 * @param version its version ({@code osgi.jdbc.driver.version}), e.g. {@code 42.7.8}; empty when unknown
 * @param driverClass the {@code java.sql.Driver} class ({@code osgi.jdbc.driver.class}); empty when unknown
 */
public record JdbcDriverInfo(String name, String version, String driverClass) {

    /**
     * @param name the driver's name
     * @param version its version, or empty
     * @param driverClass its driver class, or empty
     */
    public JdbcDriverInfo {
        Objects.requireNonNull(name, "name");
        version = version == null ? "" : version;
        driverClass = driverClass == null ? "" : driverClass;
    }

    /** @return name and version, e.g. {@code PostgreSQL JDBC Driver 42.7.8} */
    @Override
    public String toString() {
        return version.isEmpty() ? name : name + " " + version;
    }
}
