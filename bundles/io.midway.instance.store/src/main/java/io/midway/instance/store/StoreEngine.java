package io.midway.instance.store;

import java.nio.file.Path;

/**
 * A database engine of the instance, registered as an OSGi service by its bundle
 * ({@code io.midway.instance.store.h2}, {@code io.midway.instance.store.postgresql}) with the
 * service property {@value #NAME} = {@link #name()}. Which engine the instance uses is
 * configuration: {@code midway.db.url} (MIDWAY_DB_URL) names a database of an engine that
 * {@link #accepts} it; unset, the embedded H2 in the data folder.
 */
public interface StoreEngine {

    /** Service property: the engine's name. */
    String NAME = "engine";

    /**
     * Where the data is.
     *
     * @param dataDirectory the instance's data folder, where an embedded engine keeps its database ({@code <data>/db})
     * @param url the JDBC URL of a database server, or {@code null} for the embedded engine
     * @param user the database user, may be {@code null}
     * @param password the database password (revealed), may be {@code null}; never logged
     */
    record Location(Path dataDirectory, String url, String user, String password) {
        @Override
        public String toString() {
            return url != null ? url : String.valueOf(dataDirectory);
        }
    }

    /** @return the engine's name: {@code h2}, {@code postgresql} */
    String name();

    /**
     * @param url {@code midway.db.url}, or {@code null} when unset
     * @return whether this engine serves it
     */
    boolean accepts(String url);

    /**
     * Opens (creating if needed) the database and brings its schema up to date.
     *
     * @param location where
     * @return the open store
     * @throws StoreException when it cannot, with the reason
     */
    InstanceStore open(Location location);
}
