package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.QueryOperatorsTest} on a real PostgreSQL server (leases are rows there). */
public class PostgresQueryOperatorsTest extends io.midway.instance.internal.QueryOperatorsTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
