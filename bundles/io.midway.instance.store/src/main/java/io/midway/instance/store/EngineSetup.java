package io.midway.instance.store;

import java.nio.file.Path;
import java.util.Optional;

import javax.sql.ConnectionPoolDataSource;

import org.h2.jdbcx.JdbcConnectionPool;

import io.midway.instance.store.sql.Statements;

/**
 * What a database engine brings to an {@link InstanceStore}: its connections, its SQL (statements
 * by key over {@code common.sql}, and its numbered migrations), and, on a database server that
 * several instance nodes share, its wake-ups between nodes and its lease on the singleton jobs.
 * Made by a {@link StoreEngine}.
 */
public interface EngineSetup {

    /** @return the engine's name: {@code h2}, {@code postgresql} */
    String name();

    /** @return where the data is, for messages and {@code instance:nodes}: a folder or a JDBC URL, never a password */
    String location();

    /** @return the database for an error message: {@code in <folder>}, {@code <url> as <user>} */
    default String description() {
        return location();
    }

    /** @return the database folder of an embedded engine; {@code null} for a database server */
    Path directory();

    /** @return the connections (pooled by the store) */
    ConnectionPoolDataSource dataSource();

    /** @return the engine's SQL */
    Statements statements();

    /**
     * @param pool the store's connections
     * @return the wake-ups between instance nodes; empty for an engine that one node uses alone
     */
    default Optional<NodeSignals> signals(JdbcConnectionPool pool) {
        return Optional.empty();
    }

    /** @return the lease on the singleton jobs; {@link JobLease#ALWAYS} for an engine that one node uses alone */
    default JobLease jobLease() {
        return JobLease.ALWAYS;
    }
}
