package io.midway.instance.http.internal;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.http.internal.ClusterHttpTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresClusterHttpTest extends io.midway.instance.http.internal.ClusterHttpTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
