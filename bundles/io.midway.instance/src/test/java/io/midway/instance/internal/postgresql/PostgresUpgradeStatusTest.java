package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.UpgradeStatusTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresUpgradeStatusTest extends io.midway.instance.internal.UpgradeStatusTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
