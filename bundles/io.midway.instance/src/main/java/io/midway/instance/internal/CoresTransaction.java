package io.midway.instance.internal;

import java.sql.SQLException;
import java.time.Instant;

import io.midway.instance.store.StoreSession;

/**
 * One change of the stored agent cores in progress ({@link InstanceCore#changeCores}): the database
 * session of its transaction, its time, publishing a new instance version, and file actions to
 * run once the outcome is known (while every other write still waits).
 */
public interface CoresTransaction {

    /** @return the session of the transaction */
    StoreSession session();

    /** @return the time of the change */
    Instant now();

    /** @return the instance version as this transaction sees it */
    String instanceVersion();

    /**
     * Makes a version the instance version: persisted with the transaction, on every poll reply
     * from the commit on, and every waiting long poll completes.
     *
     * @param version the new instance version
     * @throws SQLException on a database error
     */
    void publish(String version) throws SQLException;

    /** @param action run after the transaction committed */
    void onCommit(Runnable action);

    /** @param action run after the transaction rolled back */
    void onRollback(Runnable action);
}
