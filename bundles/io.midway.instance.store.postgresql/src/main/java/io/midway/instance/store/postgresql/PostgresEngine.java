package io.midway.instance.store.postgresql;

import io.midway.instance.store.EngineSetup;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.StoreException;
import io.midway.instance.store.StoreEngine;
import io.midway.instance.store.NodeSignals;
import io.midway.instance.store.JobLease;
import java.nio.file.Path;
import java.util.Optional;

import javax.sql.ConnectionPoolDataSource;

import org.h2.jdbcx.JdbcConnectionPool;
import org.osgi.service.component.annotations.Component;
import org.postgresql.ds.PGConnectionPoolDataSource;

import io.midway.instance.store.sql.Statements;

/**
 * PostgreSQL ({@code midway.db.url=jdbc:postgresql://host:port/database}), which several instance
 * nodes may share: claims with {@code FOR UPDATE SKIP LOCKED}, wake-ups between nodes with
 * {@code LISTEN}/{@code NOTIFY} ({@link PostgresSignals}), the singleton jobs held through an
 * advisory lock ({@link PostgresJobLease}).
 */
@Component(service = StoreEngine.class, property = StoreEngine.NAME + "=postgresql")
public class PostgresEngine implements StoreEngine {

    /** The prefix of the URLs this engine serves. */
    public static final String URL_PREFIX = "jdbc:postgresql://";
    /** The SQL of this engine: statements by key and numbered migrations ({@code postgresql.sql}). */
    private static final Statements SQL = Statements.load(PostgresEngine.class, "postgresql");

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public boolean accepts(String url) {
        return url != null && url.trim().startsWith(URL_PREFIX);
    }

    @Override
    public InstanceStore open(Location location) {
        return open(location.url().trim(), location.user(), location.password());
    }

    /**
     * Opens a PostgreSQL database and brings its schema up to date.
     *
     * @param url a {@code jdbc:postgresql://host:port/database} URL
     * @param user the database user
     * @param password its password (never logged)
     * @return the open store
     * @throws StoreException if the database cannot be reached or its schema brought up to date,
     *     with the server's reason
     */
    public static InstanceStore open(String url, String user, String password) {
        return InstanceStore.open(setup(url, user, password));
    }

    /**
     * @param url a {@code jdbc:postgresql://host:port/database} URL
     * @param user the database user
     * @param password its password (never logged)
     * @return what the store needs to open that database (tests wrap its connections)
     * @throws StoreException for a URL that is not PostgreSQL's
     */
    public static EngineSetup setup(String url, String user, String password) {
        if (url == null || !url.startsWith(URL_PREFIX)) {
            throw new StoreException("not a PostgreSQL URL: " + url + " (expected " + URL_PREFIX + "host:port/database)", null);
        }
        PGConnectionPoolDataSource dataSource = new PGConnectionPoolDataSource();
        // a JDBC batch of inserts (an output array, an input batch) goes as multi-row INSERTs;
        // set before the URL, so that a reWriteBatchedInserts in MIDWAY_DB_URL has the last word
        dataSource.setReWriteBatchedInserts(true);
        // Every execution is planned with its own values: the driver prepares a statement on the
        // server from its fifth use, and PostgreSQL would then keep one generic plan, made while
        // the queue was still nearly empty — a sequential scan for a batch of 100 sys_ids that
        // cost 60-100 ms a batch once the queue held 20,000 rows (found with auto_explain).
        dataSource.setOptions("-c plan_cache_mode=force_custom_plan");
        dataSource.setURL(url);
        if (user != null && !user.isEmpty()) {
            dataSource.setUser(user);
        }
        if (password != null && !password.isEmpty()) {
            dataSource.setPassword(password);
        }
        String location = url + (user == null || user.isEmpty() ? "" : " as " + user);
        return new EngineSetup() {
            @Override
            public String name() {
                return "postgresql";
            }

            @Override
            public String location() {
                return url;
            }

            @Override
            public Path directory() {
                return null;
            }

            @Override
            public ConnectionPoolDataSource dataSource() {
                return dataSource;
            }

            @Override
            public Statements statements() {
                return SQL;
            }

            @Override
            public Optional<NodeSignals> signals(JdbcConnectionPool pool) {
                // a physical connection of its own: closing a pooled handle would keep its session open
                return Optional.of(new PostgresSignals(pool, SQL, dataSource::getConnection));
            }

            @Override
            public JobLease jobLease() {
                return new PostgresJobLease(dataSource, SQL);
            }

            @Override
            public String description() {
                return location;
            }
        };
    }
}
