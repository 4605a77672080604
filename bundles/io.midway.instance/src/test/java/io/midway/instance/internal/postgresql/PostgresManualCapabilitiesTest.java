package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.ManualCapabilitiesTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresManualCapabilitiesTest extends io.midway.instance.internal.ManualCapabilitiesTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
