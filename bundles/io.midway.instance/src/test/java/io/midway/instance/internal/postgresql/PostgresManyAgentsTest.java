package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.ManyAgentsTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresManyAgentsTest extends io.midway.instance.internal.ManyAgentsTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
