package io.midway.instance.store;

import io.midway.instance.api.InstanceException;

/** The database is closed: the instance is stopping. A domain error ({@code UNAVAILABLE}): requests answer 503, not 500. */
public class StoreClosedException extends InstanceException {

    private static final long serialVersionUID = 1L;

    /** @param location the database: its folder or its URL */
    public StoreClosedException(String location) {
        super(Reason.UNAVAILABLE, "the instance is stopping", "the instance database " + location + " is closed");
    }
}
