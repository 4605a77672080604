package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.AgentCoreRepositoryTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresAgentCoreRepositoryTest extends io.midway.instance.internal.AgentCoreRepositoryTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
