package io.midway.instance.store.h2;

import io.midway.instance.store.StoreException;
import io.midway.instance.store.StoreEngine;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.EngineSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.ConnectionPoolDataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.osgi.service.component.annotations.Component;

import io.midway.instance.store.sql.Statements;

/**
 * The embedded engine, the default: an H2 database in the instance's data folder
 * ({@code <data>/db/instance.mv.db}). Every commit reaches the file before it returns
 * ({@code WRITE_DELAY=0}), so a killed process loses nothing it answered. One instance node uses
 * it alone: it always holds the singleton jobs and needs no wake-ups between nodes.
 */
@Component(service = StoreEngine.class, property = StoreEngine.NAME + "=h2")
public class H2Engine implements StoreEngine {

    /** The SQL of this engine: statements by key and numbered migrations ({@code h2.sql}). */
    private static final Statements SQL = Statements.load(H2Engine.class, "h2");

    @Override
    public String name() {
        return "h2";
    }

    @Override
    public boolean accepts(String url) {
        return url == null || url.isBlank();
    }

    @Override
    public InstanceStore open(Location location) {
        return open(location.dataDirectory().resolve("db"));
    }

    /**
     * Opens (creating if needed) the database in a folder and brings its schema up to date.
     *
     * @param directory the database folder, e.g. {@code <midway.data>/db}
     * @return the open store
     * @throws StoreException if the database cannot be opened (e.g. another process holds it)
     */
    public static InstanceStore open(Path directory) {
        return InstanceStore.open(setup(directory));
    }

    /**
     * @param directory the database folder, e.g. {@code <midway.data>/db}
     * @return what the store needs to open the database there (tests wrap its connections)
     * @throws StoreException if the folder cannot be made
     */
    public static EngineSetup setup(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the database directory " + dir, e);
        }
        // H2 is used directly, not through DriverManager, which does not see across bundle class loaders.
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + dir.resolve("instance") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        dataSource.setUser("sa");
        dataSource.setPassword("");
        return new EngineSetup() {
            @Override
            public String name() {
                return "h2";
            }

            @Override
            public String location() {
                return dir.toString();
            }

            @Override
            public String description() {
                return "in " + dir;
            }

            @Override
            public Path directory() {
                return dir;
            }

            @Override
            public ConnectionPoolDataSource dataSource() {
                return dataSource;
            }

            @Override
            public Statements statements() {
                return SQL;
            }
        };
    }
}
