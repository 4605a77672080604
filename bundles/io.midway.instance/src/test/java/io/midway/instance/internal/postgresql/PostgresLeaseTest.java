package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.LeaseTest} on a real PostgreSQL server: every lease is a row there. */
public class PostgresLeaseTest extends io.midway.instance.internal.LeaseTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
