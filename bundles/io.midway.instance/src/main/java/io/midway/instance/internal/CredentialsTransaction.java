package io.midway.instance.internal;

import java.sql.SQLException;
import java.time.Instant;

import io.midway.instance.store.StoreSession;

/**
 * One change of the credentials in progress ({@link InstanceCore#changeCredentials}): the database
 * session of its transaction, its time and the next credential revision.
 */
public interface CredentialsTransaction {

    /** @return the session of the transaction */
    StoreSession session();

    /** @return the time of the change */
    Instant now();

    /**
     * Takes a new credential revision for this change; calling it again in the same transaction
     * returns the same number. From the commit on, every poll reply carries it and every waiting
     * long poll completes at once.
     *
     * @return the new revision
     * @throws SQLException on a database error
     */
    long nextRevision() throws SQLException;
}
