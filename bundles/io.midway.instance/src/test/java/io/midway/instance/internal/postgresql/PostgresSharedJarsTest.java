package io.midway.instance.internal.postgresql;

import io.midway.instance.internal.InstanceServices;
import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/**
 * {@link io.midway.instance.internal.SharedJarsTest} on a real PostgreSQL server, the second node
 * a second instance with its own connection pool on the same database.
 */
public class PostgresSharedJarsTest extends io.midway.instance.internal.SharedJarsTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }

    @Override
    protected InstanceServices otherNode() {
        return new InstanceServices(TestPostgres.open(false), settings(), clock);
    }
}
