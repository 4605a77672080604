package io.midway.instance.internal.store;

/** The database is closed: the instance is stopping. Requests answer 503, not 500. */
public class StoreClosedException extends StoreException {

    private static final long serialVersionUID = 1L;

    /** @param directory the database folder */
    public StoreClosedException(java.nio.file.Path directory) {
        super("the instance database in " + directory + " is closed: the instance is stopping", null);
    }
}
