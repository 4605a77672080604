package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.LeaseRecoveryTest} on a real PostgreSQL server: every lease is a row there. */
public class PostgresLeaseRecoveryTest extends io.midway.instance.internal.LeaseRecoveryTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
