package io.midway.instance.internal.postgresql;

import io.midway.instance.store.InstanceStore;
import io.midway.instance.store.TestPostgres;

/** {@link io.midway.instance.internal.AgentSettingsTest} on a real PostgreSQL server: the same behaviour on both engines. */
public class PostgresAgentSettingsTest extends io.midway.instance.internal.AgentSettingsTest {

    @Override
    protected InstanceStore openStore(boolean fresh) {
        return TestPostgres.open(fresh);
    }
}
