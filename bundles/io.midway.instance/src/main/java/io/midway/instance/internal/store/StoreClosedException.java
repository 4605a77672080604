package io.midway.instance.internal.store;

/** The database is closed: the instance is stopping. Requests answer 503, not 500. */
public class StoreClosedException extends StoreException {

    private static final long serialVersionUID = 1L;

    /** @param location the database: its folder or its URL */
    public StoreClosedException(String location) {
        super("the instance database " + location + " is closed: the instance is stopping", null);
    }
}
