package io.midway.instance.http.internal;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.http.internal.UpgradeHttpTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresUpgradeHttpTest extends io.midway.instance.http.internal.UpgradeHttpTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
