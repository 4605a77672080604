package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.RoutingTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresRoutingTest extends io.midway.instance.internal.RoutingTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
