package io.midway.instance.internal;

import java.sql.SQLException;
import java.time.Instant;

import io.midway.instance.store.StoreSession;

/**
 * One change of the file-sync set in progress ({@link InstanceCore#changeSyncFiles}): the database
 * session of its transaction, its time, the next revision, and file actions to run once the
 * outcome is known. Those actions run while every other write still waits, so files on disk and
 * rows in the database never disagree for another request.
 */
public interface SyncFilesTransaction {

    /** @return the session of the transaction */
    StoreSession session();

    /** @return the time of the change */
    Instant now();

    /**
     * Takes a new revision for this change; calling it again in the same transaction returns the
     * same number.
     *
     * @return the new revision
     * @throws SQLException on a database error
     */
    long nextRevision() throws SQLException;

    /** @param action run after the transaction committed */
    void onCommit(Runnable action);

    /** @param action run after the transaction rolled back */
    void onRollback(Runnable action);
}
