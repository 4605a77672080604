package io.midway.instance.store;

/** The database failed; the request answers 500 and the cause is logged. */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being done
     * @param cause the database error
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
